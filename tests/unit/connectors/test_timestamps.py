"""Timestamp formats: RFC 3339, naive-in-a-zone (WooCommerce) and Unix epoch, both directions."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from shopsync.connectors.webshop import TimestampFormat

UTC_MOMENT = dt.datetime(2026, 7, 1, 12, 30, 5, 123456, tzinfo=dt.UTC)


def test_rfc3339_keeps_offsets_and_microseconds() -> None:
    """The contract's format round-trips exactly."""
    fmt = TimestampFormat()
    assert fmt.parse("2026-07-01T14:30:05.123456+02:00") == UTC_MOMENT
    assert fmt.parse("2026-07-01T12:30:05.123456Z") == UTC_MOMENT
    assert fmt.parse(fmt.format(UTC_MOMENT)) == UTC_MOMENT


def test_naive_values_are_read_in_the_stated_zone() -> None:
    """WooCommerce's store-local ``date_modified`` is read in the store's zone (summer time here)."""
    oslo = TimestampFormat(style="naive", timezone="Europe/Oslo")
    assert oslo.parse("2026-07-01T14:30:05") == UTC_MOMENT.replace(microsecond=0)
    assert TimestampFormat(style="naive").parse("2026-07-01T12:30:05") == UTC_MOMENT.replace(microsecond=0)


def test_naive_filters_are_written_in_the_zone_floored_to_seconds() -> None:
    """A ``modified_after`` value is local wall time without offset, floored so no second is skipped."""
    assert TimestampFormat(style="naive", timezone="Europe/Oslo").format(UTC_MOMENT) == "2026-07-01T14:30:05"
    assert TimestampFormat(style="naive", timezone="UTC").format(UTC_MOMENT) == "2026-07-01T12:30:05"


def test_epoch_seconds_and_milliseconds() -> None:
    """Unix time is read from numbers or strings and written floored."""
    seconds = TimestampFormat(style="epoch")
    millis = TimestampFormat(style="epoch_ms")
    assert seconds.parse(1782909005) == UTC_MOMENT.replace(microsecond=0)
    assert seconds.format(UTC_MOMENT) == "1782909005"
    assert millis.parse("1782909005123") == UTC_MOMENT.replace(microsecond=123000)
    assert millis.format(UTC_MOMENT) == "1782909005123"


def test_bad_zones_and_naive_inputs_are_refused() -> None:
    """An unknown zone fails at load; formatting a naive datetime (unknown zone) fails."""
    with pytest.raises(ValidationError):
        TimestampFormat(style="naive", timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="naive"):
        TimestampFormat().format(dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        TimestampFormat().parse("yesterday")
