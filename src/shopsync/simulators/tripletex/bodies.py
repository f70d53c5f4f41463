"""Map JSON request bodies onto models the way Tripletex's Jackson mapping does.

Unknown properties and values of the wrong JSON type fail the whole request with 422 code 16000
("Request mapping failed"); numeric strings are accepted for numbers and numbers for strings;
read-only properties are dropped silently. The result keeps only what was sent, in storage form:
numbers as decimal strings, nested objects as mapped dicts (``{"id": 3}`` for a plain reference).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.model import (
    BOOL,
    DATE,
    ENUM,
    INT,
    LIST,
    NUM,
    OBJ,
    REF,
    REFS,
    STR,
    Prop,
    model,
)

__all__ = ["Mapped", "map_list", "map_object", "parse_json"]

Mapped = dict[str, Any]


def parse_json(raw: bytes) -> Any:
    """Decode a request body; not JSON at all is 422 code 22000. Numbers stay exact (Decimal)."""
    if not raw.strip():
        raise errors.invalid_json("No content to map due to end-of-input")
    try:
        return json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.invalid_json(f"Unexpected character: {exc}") from None


def map_list(schema: str, data: Any) -> list[Mapped]:
    """A JSON array of ``schema`` objects (batch endpoints)."""
    if not isinstance(data, list):
        raise errors.mapping_failed(f"Cannot deserialize value of type `java.util.ArrayList<{schema}DTO>`")
    return [map_object(schema, item, f"[{i}]") for i, item in enumerate(data)]


def map_object(schema: str, data: Any, path: str = "") -> Mapped:
    """One JSON object as ``schema``: only the writable properties that were sent."""
    if not isinstance(data, dict):
        raise errors.mapping_failed(
            f"Cannot deserialize value of type `{schema}DTO` from {_json_type(data)}", path or None
        )
    m = model(schema)
    if m is None:
        # A reference to an object kind the simulator does not model: only its id matters.
        out: Mapped = {}
        if "id" in data and data["id"] is not None:
            out["id"] = _int(data["id"], _join(path, "id"))
        return out
    out = {}
    for key, value in data.items():
        prop = m.props.get(key)
        where = _join(path, key)
        if prop is None:
            raise errors.mapping_failed(
                f'Unrecognized field "{key}" (class {schema}DTO), not marked as ignorable', where
            )
        if prop.read_only:
            continue
        out[key] = None if value is None else _coerce(prop, value, where)
    return out


def _coerce(prop: Prop, value: Any, where: str) -> Any:
    kind = prop.kind
    if kind is STR or kind is DATE:
        if isinstance(value, bool | dict | list):
            raise _wrong(where, "java.lang.String", value)
        return str(value) if not isinstance(value, str) else value
    if kind is ENUM:
        text = value if isinstance(value, str) else None
        if text is None or (prop.enum is not None and text not in prop.enum):
            raise errors.mapping_failed(
                f"Cannot deserialize value of type enum from {value!r}: not one of the values accepted "
                f"for Enum class: {sorted(prop.enum or ())}",
                where,
            )
        return text
    if kind is INT:
        return _int(value, where)
    if kind is NUM:
        return _decimal(value, where)
    if kind is BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _wrong(where, "boolean", value)
    if kind is REF:
        return map_object(prop.target or "", value, where)
    if kind is REFS:
        if not isinstance(value, list):
            raise _wrong(where, "java.util.List", value)
        return [map_object(prop.target or "", item, f"{where}[{i}]") for i, item in enumerate(value)]
    if kind is LIST:
        if not isinstance(value, list):
            raise _wrong(where, "java.util.List", value)
        return [str(v) if not isinstance(v, str) else v for v in value]
    if kind is OBJ:
        return value
    raise _wrong(where, "unknown", value)  # pragma: no cover - every kind is handled above


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise _wrong(where, "int", value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _wrong(where, "int", value)


def _decimal(value: Any, where: str) -> str:
    if isinstance(value, bool):
        raise _wrong(where, "java.math.BigDecimal", value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            if d.is_finite():
                return str(d)
    raise _wrong(where, "java.math.BigDecimal", value)


def _wrong(where: str, java_type: str, value: Any) -> errors.ApiError:
    return errors.mapping_failed(
        f"Cannot deserialize value of type `{java_type}` from {_json_type(value)} at {where}", where
    )


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "Object value"
    if isinstance(value, list):
        return "Array value"
    if isinstance(value, bool):
        return "Boolean value"
    if isinstance(value, str):
        return f"String value {value!r}"
    return f"value {value!r}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
