"""Canonical values: coercion into a row's type, comparison semantics, and shop-side formatting.

A view holds each row's value in its *canonical* form: the Tripletex form, with references given by
their natural key (ISO country code, currency code, VAT rate, webshop id). Types are Python's:
``str`` (an empty string is None: Tripletex writes "" where the shop writes null), ``Decimal`` for
numbers, ``int``, ``bool``. Floats are refused everywhere: they cannot hold øre exactly.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from shopsync.connectors.webshop.models import format_money, format_quantity
from shopsync.mapping import money
from shopsync.mapping._contract import WebshopField

__all__ = ["COMPARES", "CType", "Compare", "canonical", "default_compare", "same", "to_shop"]

CType = Literal["string", "number", "integer", "boolean"]
Compare = Literal["exact", "text", "casefold", "decimal", "money"]
COMPARES: tuple[Compare, ...] = ("exact", "text", "casefold", "decimal", "money")


def _no_float(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError(f"got the binary float {value!r}; money and quantities must be exact decimals")


def canonical(value: Any, ctype: CType) -> Any:
    """``value`` in canonical form for ``ctype``; ValueError says why it does not fit."""
    if value is None:
        return None
    _no_float(value)
    if ctype == "string":
        if isinstance(value, str):
            return value or None
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    elif ctype == "number":
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                raise ValueError(f"{value!r} is not a decimal number") from None
            if number.is_finite():
                return number
    elif ctype == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
    elif ctype == "boolean" and isinstance(value, bool):
        return value
    raise ValueError(f"{value!r} is not a valid {ctype}")


def default_compare(ctype: CType) -> Compare:
    """Strings compare stripped (None equals ""), numbers numerically, the rest exactly."""
    return {"string": "text", "number": "decimal"}.get(ctype, "exact")  # type: ignore[return-value]


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def same(compare: Compare, left: Any, right: Any) -> bool:
    """Whether two canonical values are equal under ``compare``."""
    if compare == "text":
        return bool(_text(left) == _text(right))
    if compare == "casefold":
        left, right = _text(left), _text(right)
        if isinstance(left, str) and isinstance(right, str):
            return left.casefold() == right.casefold()
        return bool(left == right)
    if compare in ("decimal", "money") and isinstance(left, Decimal) and isinstance(right, Decimal):
        if compare == "money":
            return money.round_money(left) == money.round_money(right)
        return left == right
    return bool(left == right) and type(left) is type(right)


def to_shop(value: Any, field: WebshopField) -> Any:
    """A canonical or expression value in the contract's JSON form for ``field``; ValueError if impossible."""
    if value is None:
        if field.nullable:
            return None
        if field.default is None:
            raise ValueError("the webshop requires a value here")
        value = field.default  # e.g. "" for a description, 0.00 for a shipping cost
    _no_float(value)
    kind = field.kind
    if kind == "decimal":
        number = canonical(value, "number")
        if number is None:
            return None
        if field.decimal_style == "money":
            # The shop keeps two decimals: this is where the shop's rounding to the øre happens.
            return format_money(money.round_money(number))
        return format_quantity(number)
    if kind == "integer":
        return canonical(value, "integer")
    if kind == "boolean":
        return canonical(value, "boolean")
    if kind in ("string", "datetime"):
        return value if isinstance(value, str) else canonical(value, "string")
    if kind == "literal":
        text = canonical(value, "string")
        if field.literals is not None and text not in field.literals:
            raise ValueError(f"{text!r} is not one of {', '.join(field.literals)}")
        return text
    if isinstance(value, dict | list):
        return value
    raise ValueError(f"cannot write {value!r} into a {kind} field")
