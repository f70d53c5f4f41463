"""Timestamps: RFC 3339 parsing with offsets, formatting, and the monotonic, freezable clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shopsync.simulators.webshop.clock import ShopClock, format_ts, parse_ts, to_us, us_to_text


def test_parse_keeps_the_offset() -> None:
    """An order time keeps the customer's offset, so its Oslo business date can be derived."""
    value = parse_ts("2026-03-01T00:30:00+01:00")
    assert value is not None
    assert value.utcoffset() == timedelta(hours=1)
    assert format_ts(value) == "2026-03-01T00:30:00.000000+01:00"


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28T21:40:00",
        "2026-02-30T10:00:00Z",
        "2026-11-28 21:40:00Z",
        "28.11.2026",
        "2026-11-28T21:40:00.1234567Z",
    ],
)
def test_parse_rejects_non_rfc3339(text: str) -> None:
    """No offset, impossible dates, a space separator and more than microseconds are rejected."""
    assert parse_ts(text) is None


def test_microseconds_round_trip() -> None:
    """Microsecond integers and updated_at text convert both ways without loss."""
    parsed = parse_ts("2026-11-28T21:40:00.123456+00:00")
    assert parsed is not None
    us = to_us(parsed)
    assert us_to_text(us) == "2026-11-28T21:40:00.123456+00:00"


def test_clock_never_goes_backwards() -> None:
    """The clock starts at its floor and never hands out an earlier value."""
    floor = 10**18  # far in the future
    clock = ShopClock(floor)
    first = clock.now_us()
    assert first >= floor
    assert clock.now_us() >= first


def test_frozen_clock_repeats_one_instant() -> None:
    """A frozen clock gives every write the same timestamp, and running again does not go back."""
    clock = ShopClock()
    instant = parse_ts("2030-01-01T00:00:00Z")
    assert instant is not None
    clock.freeze(to_us(instant))
    assert clock.frozen
    assert clock.now_us() == clock.now_us()
    frozen_at = clock.now_us()
    clock.freeze(None)
    assert not clock.frozen
    assert clock.now_us() >= frozen_at
