"""Timestamps of the reference webshop: RFC 3339 text, microsecond integers and a monotonic clock.

``updated_at`` values come from :class:`ShopClock`, which never goes backwards (a change committed
later never gets an earlier ``updated_at``, so a change feed reader can never page past it) and can be
frozen by tests to make many records share one timestamp.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["EPOCH", "ShopClock", "format_ts", "parse_ts", "to_us", "us_to_text"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The contract's Timestamp pattern (RFC 3339 with offset, up to 6 fractional digits).
_TS = re.compile(
    r"^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])"
    r"(\.[0-9]{1,6})?([Zz]|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))$"
)


def parse_ts(text: str) -> datetime | None:
    """An aware datetime from RFC 3339 text (offset kept), or None when the text is not one."""
    m = _TS.search(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    micro = int((m.group(7) or ".0")[1:].ljust(6, "0"))
    if m.group(8) in ("Z", "z"):
        tz: timezone = UTC
    else:
        sign = -1 if m.group(9) == "-" else 1
        tz = timezone(sign * timedelta(hours=int(m.group(10)), minutes=int(m.group(11))))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:  # e.g. 30 February
        return None


def format_ts(value: datetime) -> str:
    """RFC 3339 with microseconds and the value's own offset (``+00:00`` for UTC, never ``Z``)."""
    return value.isoformat(timespec="microseconds")


def to_us(value: datetime) -> int:
    """Microseconds since the epoch."""
    return (value - EPOCH) // timedelta(microseconds=1)


def us_to_text(us: int) -> str:
    """``updated_at`` text (UTC) of a microsecond timestamp."""
    return format_ts(EPOCH + timedelta(microseconds=us))


class ShopClock:
    """Microsecond UTC time that never goes backwards; tests may freeze it at one instant."""

    def __init__(self, floor_us: int = 0) -> None:
        self._lock = threading.Lock()
        self._last = floor_us
        self._frozen: int | None = None

    def now_us(self) -> int:
        """The current time, at least as late as any value handed out before."""
        with self._lock:
            if self._frozen is not None:
                return max(self._frozen, self._last)
            self._last = max(time.time_ns() // 1000, self._last)
            return self._last

    def freeze(self, at_us: int | None) -> None:
        """Stop the clock at ``at_us`` (never before the last value handed out); None lets it run."""
        with self._lock:
            if at_us is None:
                self._frozen = None
                return
            self._frozen = max(at_us, self._last)
            self._last = self._frozen

    @property
    def frozen(self) -> bool:
        """Whether the clock is frozen."""
        return self._frozen is not None
