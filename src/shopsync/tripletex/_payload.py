"""Turn models into request bodies: only the fields that were set, read-only properties left out.

Tripletex ignores read-only properties on write, but the spec forbids them in requests, and sending
them back (``changes``, ``url``, totals…) only makes bodies bigger. The schema facts say what is
read-only at every level. A nested object with an ``id`` is a *reference* and is sent as ``{"id": …}``
(Tripletex's rule for pointing at existing objects), except the sub-objects a write may create or
change in place: addresses and order lines. Objects the schema does not describe pass as is.

Money stays ``Decimal`` until ``dumps`` writes it as a JSON *number* with its exact digits (the spec
types it as a number; a float would round, and pydantic's JSON mode would write a string).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from decimal import Decimal
from typing import Any

from ._models import TripletexModel
from ._schema import SCHEMAS

__all__ = ["create_body", "dumps", "update_body", "writable"]

#: Sub-objects written through their parent (customer addresses, an order's lines and groups).
EMBEDDED = frozenset({"Address", "DeliveryAddress", "OrderLine", "OrderGroup"})


def _nested(value: Any, schema: str) -> Any:
    if not isinstance(value, dict):
        return value
    if value.get("id") is not None and schema not in EMBEDDED:
        return {"id": value["id"]}
    return writable(value, schema)


def writable(data: Any, schema: str) -> Any:
    """``data`` (JSON-like) without the properties ``schema`` marks read-only, recursively."""
    props = SCHEMAS.get(schema)
    if props is None or not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        prop = props.get(key)
        if prop is None:
            out[key] = value  # unknown to the spec we know: the caller's decision
            continue
        if prop.get("read_only"):
            continue
        if ref := prop.get("ref"):
            out[key] = _nested(value, ref)
        elif (items_ref := prop.get("items_ref")) and isinstance(value, list):
            out[key] = [_nested(item, items_ref) for item in value]
        else:
            out[key] = value
    return out


def create_body(model: TripletexModel, schema: str) -> dict[str, Any]:
    """Body of a POST: a new object must carry neither ``id`` nor ``version``."""
    if model.model_dump(include={"id", "version"}, exclude_none=True):
        raise ValueError(
            f"a new {schema} must not have id or version set (got {type(model).__name__} with them)"
        )
    body: dict[str, Any] = writable(_dump(model), schema)
    return body


def update_body(model: TripletexModel, schema: str) -> dict[str, Any]:
    """Body of a PUT: ``id`` and ``version`` are required so a stale write fails with 409."""
    data = _dump(model)
    if data.get("id") is None or data.get("version") is None:
        raise ValueError(f"updating a {schema} needs its id and version (read it first)")
    body: dict[str, Any] = writable(data, schema)
    return body


def _dump(model: TripletexModel) -> dict[str, Any]:
    # Python mode keeps Decimals (JSON mode would turn them into strings).
    return model.model_dump(by_alias=True, exclude_unset=True)


# A marker no real text contains (NUL plus a random tag), swapped for the bare number after encoding.
_TAG = secrets.token_hex(8)
_NUMBER = f"\x00{_TAG}:"
_NUMBER_JSON = re.compile(r'"\\u0000' + _TAG + r':(-?[0-9.]+)"')


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be sent to Tripletex")
        return _NUMBER + format(value, "f")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):  # datetime included
        return value.isoformat()
    return value


def dumps(body: Any) -> bytes:
    """Compact JSON of a request body, Decimals written as exact JSON numbers."""
    text = json.dumps(_jsonable(body), separators=(",", ":"), ensure_ascii=False)
    return _NUMBER_JSON.sub(r"\1", text).encode()
