"""JSON for the state store: exact Decimals, canonical hashing of snapshot values.

Snapshot values are canonical views (``{row key: value}``) whose numbers are ``Decimal``. They are
stored as JSON with every Decimal written as a plain decimal string (``"12.50"``), because a JSON
number would come back as a float and lose øre. ``values_hash`` is the sha256 of the sorted, compact
JSON of that stored form, so the hash of a fresh view equals the hash of the snapshot saved from an
equal view (echo suppression: equal hashes mean no write).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads", "stored_hash", "to_json", "values_hash"]


def to_json(value: Any) -> Any:
    """``value`` with Decimals as plain strings and dates as ISO text; TypeError for floats and objects.

    Floats are refused because they cannot hold money exactly; the mapping never produces them.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"cannot store the non-finite number {value!r}")
        return format(value, "f")
    if isinstance(value, float):
        raise TypeError(f"got the binary float {value!r}; snapshot values must be exact decimals")
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be strings, got {key!r}")
            out[key] = to_json(item)
        return out
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} {value!r} as JSON")


def values_hash(values: Mapping[str, Any]) -> str:
    """sha256 hex digest of the canonical (sorted keys, compact, UTF-8) JSON of ``to_json(values)``."""
    return stored_hash(to_json(values))


def stored_hash(stored: Any) -> str:
    """``values_hash`` of values already in their stored form (``to_json``'s result)."""
    text = json.dumps(stored, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _default(value: Any) -> Any:
    # Payloads (API bodies, natural keys) may hold Decimals, dates and enums; floats pass as floats there.
    if isinstance(value, Decimal):
        return to_json(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot store {type(value).__name__} {value!r} as JSON")


def dumps(value: Any) -> str:
    """The engine's JSON serializer: compact, UTF-8, Decimals as strings."""
    return json.dumps(value, default=_default, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> Any:
    """The engine's JSON deserializer: non-integral numbers come back as Decimal, never float."""
    return json.loads(text, parse_float=Decimal)
