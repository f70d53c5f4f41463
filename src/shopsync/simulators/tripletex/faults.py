"""Fault injection: what ``POST /_sim/faults`` and ``--fail-rate`` make the simulator do wrong.

* ``fail_next``: the next N API requests get a 5xx before any work is done (``fail_status``,
  JSON envelope code 1000, or an HTML page with ``html``);
* ``fail_rate``: that share of API requests gets a random 500/502/503 (502/503 as HTML pages);
* ``drop_after_commit``: the next N successful writes are committed, then the connection is cut
  before the answer is sent (the client cannot know whether its write happened);
* ``rate_limit_for``: every API request gets 429 for S seconds;
* ``expire_sessions``: every session token stops working now (clients must renew on 401);
* ``latency_ms``: extra delay on every API request.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["FaultPlan", "Faults", "html_page"]


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What to do to one request before it is handled."""

    status: int
    html: bool
    kind: str


class Faults:
    """The current fault settings; thread-safe (admin requests and API requests may interleave)."""

    def __init__(self, fail_rate: float = 0.0, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.base_fail_rate = fail_rate
        self.clear()

    def clear(self) -> None:
        """Back to the configured behaviour."""
        with self._lock:
            self.fail_next = 0
            self.fail_status = 500
            self.fail_html = False
            self.drop_after_commit = 0
            self.latency_ms = 0
            self.fail_rate = self.base_fail_rate

    def update(self, settings: dict[str, Any]) -> None:
        """Apply admin settings (already validated)."""
        with self._lock:
            for key in (
                "fail_next",
                "fail_status",
                "fail_html",
                "drop_after_commit",
                "latency_ms",
                "fail_rate",
            ):
                if key in settings:
                    setattr(self, key, settings[key])

    def before_request(self) -> FaultPlan | None:
        """A 5xx to answer instead of handling the request, if one is due."""
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return FaultPlan(self.fail_status, self.fail_html, "fail")
            if self.fail_rate and self._rng.random() < self.fail_rate:
                status = self._rng.choice((500, 502, 503))
                return FaultPlan(status, status != 500, "random_fail")
        return None

    def take_drop(self) -> bool:
        """Whether this committed write's answer must be dropped."""
        with self._lock:
            if self.drop_after_commit > 0:
                self.drop_after_commit -= 1
                return True
            return False

    def snapshot(self) -> dict[str, Any]:
        """The current settings."""
        with self._lock:
            return {
                "fail_next": self.fail_next,
                "fail_status": self.fail_status,
                "fail_html": self.fail_html,
                "drop_after_commit": self.drop_after_commit,
                "latency_ms": self.latency_ms,
                "fail_rate": self.fail_rate,
            }


def html_page(status: int) -> bytes:
    """The kind of HTML error page a load balancer in front of Tripletex sends."""
    titles = {
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }
    title = f"{status} {titles.get(status, 'Error')}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()
