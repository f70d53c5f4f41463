"""Timestamp formats shops use, parsed to aware datetimes and formatted back for change filters.

- ``rfc3339``: ``2026-11-28T21:40:00.123456+00:00`` (the contract). A value without an offset is taken
  to be in ``timezone`` rather than rejected, because real shops are sloppy.
- ``naive``: ``2026-11-28T21:40:00`` in a stated ``timezone`` (WooCommerce's ``date_modified`` is
  store-local, ``date_modified_gmt`` and ``modified_after`` with ``dates_are_gmt=true`` are UTC).
- ``epoch`` / ``epoch_ms``: Unix time in seconds or milliseconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = ["TimestampFormat"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class TimestampFormat(BaseModel):
    """How one shop writes timestamps in its JSON and expects them in query filters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: ``rfc3339`` (with offset), ``naive`` (no offset, in ``timezone``), ``epoch`` or ``epoch_ms``.
    style: Literal["rfc3339", "naive", "epoch", "epoch_ms"] = "rfc3339"
    #: IANA zone of values that carry no offset (``UTC``, ``Europe/Oslo``).
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def zone(self) -> dt.tzinfo:
        return dt.UTC if self.timezone == "UTC" else ZoneInfo(self.timezone)

    def parse(self, value: Any) -> dt.datetime:
        """A shop's timestamp (string or number) as an aware datetime; ``ValueError`` if unreadable."""
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=self.zone)
        if self.style in ("epoch", "epoch_ms"):
            number = float(value)
            seconds = number / 1000 if self.style == "epoch_ms" else number
            return _EPOCH + dt.timedelta(seconds=seconds)
        if not isinstance(value, str):
            raise ValueError(f"expected a timestamp string, got {type(value).__name__}")
        parsed = dt.datetime.fromisoformat(value.strip())
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self.zone)

    def format(self, value: dt.datetime) -> str:
        """``value`` written the way this shop expects it in a query filter."""
        if value.tzinfo is None:
            raise ValueError("refusing to format a naive datetime: its zone is unknown")
        if self.style == "epoch":
            # Floor, so an inclusive/exclusive "since" filter never skips the boundary second.
            return str(int((value - _EPOCH) // dt.timedelta(seconds=1)))
        if self.style == "epoch_ms":
            return str(int((value - _EPOCH) // dt.timedelta(milliseconds=1)))
        if self.style == "naive":
            local = value.astimezone(self.zone).replace(tzinfo=None, microsecond=0)
            return local.isoformat(timespec="seconds")
        return value.isoformat()
