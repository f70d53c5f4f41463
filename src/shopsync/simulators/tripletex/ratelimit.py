"""Tripletex-style rate limiting: a fixed window of ``limit`` requests per ``period`` seconds.

Every answer carries ``X-Rate-Limit-Limit``, ``-Remaining`` and ``-Reset`` (seconds left in the
period). Once the limit is used up every request is 429 until the period ends, and the 429 answers
leave ``X-Rate-Limit-Reset`` out, as the real API does. A forced window (fault injection) answers
429 for a given number of seconds whatever the counters say.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateDecision", "RateLimiter"]


@dataclass(frozen=True, slots=True)
class RateDecision:
    """The verdict on one request and the headers that go with it."""

    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The X-Rate-Limit-* headers (no Reset on a 429)."""
        out = [
            (b"x-rate-limit-limit", str(self.limit).encode()),
            (b"x-rate-limit-remaining", str(self.remaining).encode()),
        ]
        if self.allowed:
            out.append((b"x-rate-limit-reset", str(self.reset).encode()))
        return out


class RateLimiter:
    """One window shared by every API request of the simulated employee + consumer."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self.clock = clock
        self._lock = threading.Lock()
        self._start: float | None = None
        self._used = 0
        self._forced_until = 0.0

    def reset(self) -> None:
        """Start afresh (no window, no forced 429s)."""
        with self._lock:
            self._start = None
            self._used = 0
            self._forced_until = 0.0

    def force(self, seconds: float) -> None:
        """Answer 429 to everything for the next ``seconds``."""
        with self._lock:
            self._forced_until = self.clock() + seconds

    def hit(self) -> RateDecision:
        """Count one request and decide whether it may pass."""
        with self._lock:
            now = self.clock()
            if self._start is None or now >= self._start + self.period:
                self._start = now
                self._used = 0
            self._used += 1
            remaining = max(0, self.limit - self._used)
            reset = max(0, math.ceil(self._start + self.period - now))
            allowed = self._used <= self.limit and now >= self._forced_until
            return RateDecision(allowed, self.limit, remaining if allowed else 0, reset)
