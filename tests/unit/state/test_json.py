"""Snapshot JSON: Decimals stay exact, floats are refused, and hashing is canonical."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import pytest

from shopsync.state import values_hash
from shopsync.state._json import dumps, loads, to_json


def test_to_json_writes_decimals_as_plain_strings() -> None:
    """Decimals become fixed-point strings with their scale, recursively; other JSON passes through."""
    view = {"price": Decimal("12.50"), "big": Decimal("1E+3"), "lines": [{"qty": Decimal("2")}], "ok": True}
    assert to_json(view) == {"price": "12.50", "big": "1000", "lines": [{"qty": "2"}], "ok": True}
    assert to_json({"d": dt.date(2026, 5, 1), "n": None, "t": ("a", 1)}) == {
        "d": "2026-05-01",
        "n": None,
        "t": ["a", 1],
    }


@pytest.mark.parametrize("bad", [1.5, Decimal("NaN"), object(), {1: "non-string key"}])
def test_to_json_refuses_what_cannot_be_stored_exactly(bad: object) -> None:
    """Floats, non-finite numbers, objects and non-string keys raise TypeError."""
    with pytest.raises(TypeError):
        to_json({"x": bad})


def test_values_hash_is_canonical() -> None:
    """Key order does not matter; the hash of a view equals the hash of its stored form; values do."""
    a = {"name": "Ål", "price": Decimal("1.50")}
    b = {"price": Decimal("1.50"), "name": "Ål"}
    assert values_hash(a) == values_hash(b) == values_hash(to_json(a))
    assert values_hash(a) != values_hash(a | {"price": Decimal("1.51")})
    assert len(values_hash(a)) == 64


def test_engine_codec_round_trips_without_floats() -> None:
    """The engine's serializer handles Decimals, dates and enums; its deserializer never yields floats."""

    class Colour(enum.Enum):
        RED = "red"

    text = dumps(
        {"a": Decimal("0.10"), "d": dt.datetime(2026, 5, 1, tzinfo=dt.UTC), "c": Colour.RED, "s": {2, 1}}
    )
    assert loads(text) == {"a": "0.10", "d": "2026-05-01T00:00:00+00:00", "c": "red", "s": [1, 2]}
    assert loads('{"x": 0.1}') == {"x": Decimal("0.1")}
    with pytest.raises(TypeError):
        dumps({"x": object()})
