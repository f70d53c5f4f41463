"""Request counters for ``GET /_sim/stats``: per method + path template, per status, writes, 429s."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

__all__ = ["Stats"]

_WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})


class Stats:
    """Thread-safe counters (the server thread writes, tests read)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self.requests: Counter[str] = Counter()
            self.statuses: Counter[int] = Counter()
            self.writes = 0
            self.rate_limited = 0
            self.faults: Counter[str] = Counter()
            self.webhooks: Counter[str] = Counter()

    def request(self, method: str, template: str, status: int) -> None:
        """Count one answered API request."""
        with self._lock:
            self.requests[f"{method} {template}"] += 1
            self.statuses[status] += 1
            # Session creation is a PUT/POST too, but not a write of company data.
            if method in _WRITE_METHODS and status < 300 and "/token/session" not in template:
                self.writes += 1
            if status == 429:
                self.rate_limited += 1

    def fault(self, kind: str) -> None:
        """Count one injected fault (``fail``, ``random_fail``, ``drop``, ``forced_429``)."""
        with self._lock:
            self.faults[kind] += 1

    def webhook(self, outcome: str) -> None:
        """Count one webhook attempt outcome (``attempt``, ``delivered``, ``failed``, ``disabled``)."""
        with self._lock:
            self.webhooks[outcome] += 1

    def snapshot(self) -> dict[str, Any]:
        """Everything, as JSON-ready data."""
        with self._lock:
            return {
                "requests": dict(sorted(self.requests.items())),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "total": sum(self.statuses.values()),
                "writes": self.writes,
                "rateLimited": self.rate_limited,
                "faults": dict(self.faults),
                "webhooks": dict(self.webhooks),
            }
