"""The client's one retry policy, on stamina, deciding by exception type alone.

* ``RateLimited`` (429): nothing was processed, so any request is retried after the server's delay,
  for as long as the call's total 429 wait stays under ``rate_limit_max_wait``: a run never fails
  because of 429.
* Other ``Transient`` errors are retried up to ``retry_attempts`` times: a ``ServerError`` is only
  raised for reads and deletes (a 5xx on POST/PUT becomes ``AmbiguousWriteError``), and a
  ``TransportError`` on a write only when the request was never sent.
* ``Terminal`` errors, ``AmbiguousWriteError`` above all, are never retried: the engine decides.

The pacer (``_ratelimit``) enforces the 429 wait itself, so tests may run stamina in testing mode
(no sleeps) and still respect the server.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import stamina

from ._exceptions import AmbiguousWriteError, RateLimited, Transient
from ._settings import TripletexSettings

__all__ = ["RetryBudget", "retrying"]


@dataclass
class RetryBudget:
    """The ``on=`` hook for one call: says whether (and after how long) to try again."""

    attempts: int
    max_rate_limit_wait: float
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    first_429: float | None = field(default=None)

    def __call__(self, exc: Exception) -> bool | float:
        if isinstance(exc, AmbiguousWriteError) or not isinstance(exc, Transient):
            return False
        if isinstance(exc, RateLimited):
            now = self.clock()
            if self.first_429 is None:
                self.first_429 = now
            if now - self.first_429 > self.max_rate_limit_wait:
                return False
            return exc.retry_after if exc.retry_after is not None else True
        self.failures += 1
        return self.failures < self.attempts


def retrying(settings: TripletexSettings) -> AsyncIterator[stamina.Attempt]:
    """Attempts for one call under the policy: ``async for attempt in retrying(s): with attempt: ...``."""
    budget = RetryBudget(attempts=settings.retry_attempts, max_rate_limit_wait=settings.rate_limit_max_wait)
    # The budget bounds the attempts; stamina's own limits are off so 429s never exhaust them.
    return stamina.retry_context(
        on=budget,
        attempts=None,
        timeout=None,
        wait_initial=settings.retry_wait_initial,
        wait_max=settings.retry_wait_max,
        wait_jitter=settings.retry_wait_initial,
    ).__aiter__()
