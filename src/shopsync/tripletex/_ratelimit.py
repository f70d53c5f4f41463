"""Pace requests by Tripletex's ``X-Rate-Limit-*`` headers so the limit is rarely hit.

Tripletex counts requests per employee and consumer in fixed periods. Every response says how many
are allowed (``Limit``), how many are left (``Remaining``) and how many seconds the period has left
(``Reset``). Once the allowance is used up, *every* request answers 429 until the period ends, and
the 429 itself carries no ``Reset`` (tripletex-api2 issue #103). So the pacer:

* reads the headers of every response, whatever its status;
* holds requests back once ``Remaining`` minus requests in flight reaches the safety margin, until the
  period ends;
* after a 429, blocks everyone until the last known end of the period, or, when that is unknown or
  already past, for a backoff that doubles with each further 429 (reset by the next success).

It is driven by the server's numbers rather than a fixed local rate (aiolimiter needs the period
length, which Tripletex never states), and it is correct even when the retry layer does not sleep.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx2

__all__ = ["RateLimitPacer", "RateLimitStats"]

LIMIT = "X-Rate-Limit-Limit"
REMAINING = "X-Rate-Limit-Remaining"
RESET = "X-Rate-Limit-Reset"
# Reset is whole seconds (rounded down on real servers): a little slack avoids landing just before the
# new period and drawing a 429.
_RESET_SLACK = 0.05


@dataclass(frozen=True)
class RateLimitStats:
    """Rate-limit headroom and how much pacing cost so far (for the status page)."""

    limit: int | None
    """Requests allowed per period, as last reported."""
    remaining: int | None
    """Requests left in the current period, as last reported."""
    reset_in: float | None
    """Seconds until the current period ends, if known."""
    requests: int
    """Requests sent."""
    throttled: int
    """Times a request was held back to stay under the limit or after a 429."""
    waited_seconds: float
    """Total time requests spent held back."""
    rate_limited: int
    """429 answers received."""

    @property
    def headroom(self) -> float | None:
        """Share of the period's allowance still unused (0..1), if known."""
        if self.limit is None or self.remaining is None or self.limit <= 0:
            return None
        return max(0.0, min(1.0, self.remaining / self.limit))


class RateLimitPacer:
    """Shared by all requests of one client; call ``acquire`` before and ``release`` after each."""

    def __init__(
        self,
        *,
        safety_margin: int = 2,
        backoff_initial: float = 0.25,
        backoff_max: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._margin = safety_margin
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._clock = clock
        self._sleep = sleep
        self._limit: int | None = None
        self._remaining: int | None = None
        self._period_end: float | None = None
        self._blocked_until = 0.0
        self._backoff = backoff_initial
        self._in_flight = 0
        self._requests = 0
        self._throttled = 0
        self._waited = 0.0
        self._rate_limited = 0

    async def acquire(self) -> None:
        """Wait until one more request fits in the limit, then count it as in flight."""
        held = False
        while (delay := self._delay()) > 0:
            if not held:
                held = True
                self._throttled += 1
            self._waited += delay
            await self._sleep(delay)
        # No await between the check above and this reservation, so concurrent tasks cannot overbook.
        self._in_flight += 1
        self._requests += 1

    def release(self, response: httpx2.Response | None) -> None:
        """Count the request as finished and learn from its response headers (None: no answer)."""
        self._in_flight = max(0, self._in_flight - 1)
        if response is None:
            return
        now = self._clock()
        limit = _int_header(response, LIMIT)
        remaining = _int_header(response, REMAINING)
        reset = _float_header(response, RESET)
        if limit is not None:
            self._limit = limit
        if remaining is not None:
            self._remaining = remaining
        if reset is not None:
            self._period_end = now + reset + _RESET_SLACK
        if response.status_code == 429:
            self._on_429(now, reset)
        else:
            self._backoff = self._backoff_initial

    def retry_after(self) -> float:
        """Seconds until requests may flow again (0 if they may now)."""
        return max(0.0, self._blocked_until - self._clock())

    def stats(self) -> RateLimitStats:
        """A snapshot of the headroom and the pacing so far."""
        now = self._clock()
        reset_in = max(0.0, self._period_end - now) if self._period_end is not None else None
        return RateLimitStats(
            limit=self._limit,
            remaining=self._remaining,
            reset_in=reset_in,
            requests=self._requests,
            throttled=self._throttled,
            waited_seconds=self._waited,
            rate_limited=self._rate_limited,
        )

    def _on_429(self, now: float, reset: float | None) -> None:
        self._rate_limited += 1
        self._remaining = 0
        if reset is not None:
            delay = reset + _RESET_SLACK
        elif self._period_end is not None and self._period_end > now:
            delay = self._period_end - now
        else:
            # Period end unknown or already past (our clock and theirs disagree): back off, doubling.
            delay = self._backoff
            self._backoff = min(self._backoff * 2, self._backoff_max)
            self._period_end = None
        self._blocked_until = max(self._blocked_until, now + delay)

    def _delay(self) -> float:
        now = self._clock()
        if self._blocked_until > now:
            return self._blocked_until - now
        if self._period_end is not None and self._period_end <= now:
            # A new period has begun: the full allowance is back (the next answer will confirm).
            self._period_end = None
            self._remaining = self._limit
        if self._remaining is None or self._period_end is None:
            return 0.0
        # A margin as large as a tiny allowance would stall pacing; keep it to a quarter at most.
        margin = min(self._margin, (self._limit or 0) // 4)
        if self._remaining - self._in_flight > margin:
            return 0.0
        return self._period_end - now


def _int_header(response: httpx2.Response, name: str) -> int | None:
    value = _float_header(response, name)
    return None if value is None else math.floor(value)


def _float_header(response: httpx2.Response, name: str) -> float | None:
    raw = response.headers.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None
