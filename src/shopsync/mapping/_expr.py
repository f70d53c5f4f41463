"""JSONata expressions of mapping rows, with Decimal-safe functions for money, VAT, dates and names.

JSONata (jsonata-python) computes with binary floats, which cannot hold øre exactly. Mapping
expressions therefore see every decimal as a *string* (``"199.00"``) and do arithmetic only through
the functions below, which work in ``Decimal`` and return decimal strings. A float reaching one of
these functions, or coming out of an expression into a number field, is an error rather than a
silent rounding.

Variables bound for every evaluation: ``$value`` (the row's own value), ``$shop`` (the shop's settings:
``currency``, ``prices_include_vat``, ``timezone``, ``country``), ``$record`` (the whole webshop record when
evaluating inside a list element) and ``$view`` (the whole view, towards the webshop).

Functions (decimal arguments are strings or integers; results are strings):

======================================  ==============================================================
``$dec_add(a, b)`` ``$dec_sub(a, b)``   exact sum / difference
``$dec_mul(a, b)``                      exact product
``$dec_div(a, b)``                      quotient rounded half up to 10 decimals
``$round_half_up(x, places)``           rounding half up (``$round`` is JSONata's float rounding)
``$money(x)``                           rounded half up to two decimals
``$vat_incl(amount, rate)``             ``amount × (1 + rate/100)``, exact
``$vat_excl(amount, rate)``             ``amount / (1 + rate/100)`` to 10 decimals (Tripletex's precision)
``$local_date(timestamp, zone)``        calendar date ``YYYY-MM-DD`` of the timestamp in ``zone``
``$org_number(x)``                      spaces removed, MOD11-checked (an invalid number is a record error)
``$is_mobile(phone)``                   a Norwegian mobile number?
``$full_name(first, last)``             ``first last`` without blanks
``$first_name(name)`` ``$last_name(name)``  split at the last space
======================================  ==============================================================
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from jsonata import Jsonata
from jsonata.jexception import JException
from jsonata.utils import Utils

from shopsync.mapping import money, norway

__all__ = ["BOUND_VARIABLES", "Expression", "ExpressionError", "to_json"]

#: Variables the mapping binds; an expression may use these without defining them.
BOUND_VARIABLES = frozenset({"value", "shop", "record", "view"})


class ExpressionError(ValueError):
    """An expression is not valid JSONata or calls a function that does not exist."""


def _dec(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name}: expected a decimal, got {value!r}")
    if isinstance(value, float):
        raise ValueError(f'{name}: got the binary float {value!r}; write decimals as strings ("1.25")')
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{name}: {value!r} is not a decimal number") from None


def _text(value: Decimal) -> str:
    return format(value, "f")


def _python(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Call ``fn`` with JSONata's null marker turned into None and its sequences into lists."""

    def wrapper(*args: Any) -> Any:
        return fn(*(_plain(a) for a in args))

    return wrapper


def _nullable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A null first argument gives null (missing data propagates instead of failing)."""

    def wrapper(*args: Any) -> Any:
        return None if not args or args[0] is None else fn(*args)

    return wrapper


def _binary(op: Callable[[Decimal, Decimal], Decimal], name: str) -> Callable[..., Any]:
    return _nullable(lambda a, b: _text(op(_dec(a, name), _dec(b, name))))


def _div(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise ValueError("$dec_div: division by zero")
    return money.round_half_up(a / b, money.UNIT_PRICE_PLACES)


def _places(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"$round_half_up: places must be an integer, got {value!r}")
    return value


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "dec_add": _binary(lambda a, b: a + b, "$dec_add"),
    "dec_sub": _binary(lambda a, b: a - b, "$dec_sub"),
    "dec_mul": _binary(lambda a, b: a * b, "$dec_mul"),
    "dec_div": _binary(_div, "$dec_div"),
    "round_half_up": _nullable(
        lambda x, places: _text(money.round_half_up(_dec(x, "$round_half_up"), _places(places)))
    ),
    "money": _nullable(lambda x: _text(money.round_money(_dec(x, "$money")))),
    "vat_incl": _nullable(lambda a, r: _text(money.vat_incl(_dec(a, "$vat_incl"), _dec(r, "$vat_incl")))),
    "vat_excl": _nullable(lambda a, r: _text(money.vat_excl(_dec(a, "$vat_excl"), _dec(r, "$vat_excl")))),
    "local_date": _nullable(lambda ts, zone=norway.OSLO: norway.local_date(str(ts), str(zone))),
    "org_number": norway.normalize_org_number,
    "is_mobile": norway.is_mobile,
    "full_name": norway.full_name,
    "first_name": lambda name: norway.split_name(name)[0],
    "last_name": lambda name: norway.split_name(name)[1],
}

_BUILTINS = frozenset(Jsonata.static_frame.bindings)
_CALL = re.compile(r"\$([A-Za-z_]\w*)\s*\(")
_ASSIGN = re.compile(r"\$([A-Za-z_]\w*)\s*:=")
_STRINGS = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")


def to_json(value: Any) -> Any:
    """A Python value as JSONata input: Decimals become strings, datetimes ISO strings, tuples lists.

    Any other type than these and JSON's own raises TypeError: expressions do not check their input
    themselves (see ``Expression``), so this is where a value JSONata cannot handle is refused.
    """
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Decimal):
        return _text(value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a JSON value: {value!r}")


def _plain(value: Any) -> Any:
    """JSONata values as plain Python: its null marker is None, its sequences are lists."""
    if value is Utils.NULL_VALUE:
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Expression:
    """A compiled JSONata expression with the mapping's functions registered."""

    def __init__(self, source: str) -> None:
        self.source = source.strip()
        if not self.source:
            raise ExpressionError("empty expression")
        try:
            self._compiled = Jsonata(self.source)
        except JException as exc:
            raise ExpressionError(f"invalid JSONata: {exc}") from None
        self._check_functions()
        for name, fn in FUNCTIONS.items():
            self._compiled.register_lambda(name, _python(fn))
        # JSONata would walk the whole input for non-JSON types on every evaluation (for an order: the
        # order and its lines, once per row: a third of a pass's CPU). Every caller passes JSON made by
        # ``model_dump(mode="json")`` or ``to_json``, which refuses other types, so the walk is skipped.
        self._compiled.set_validate_input(False)
        # A compiled jsonata object keeps per-evaluation state on itself.
        self._lock = threading.Lock()

    def _check_functions(self) -> None:
        code = _STRINGS.sub('""', self.source)
        defined = set(_ASSIGN.findall(code))
        unknown = sorted(
            {name for name in _CALL.findall(code)} - _BUILTINS - set(FUNCTIONS) - defined - BOUND_VARIABLES
        )
        if unknown:
            names = ", ".join(f"${n}" for n in unknown)
            raise ExpressionError(
                f"unknown function {names} (mapping functions: {', '.join(sorted(FUNCTIONS))})"
            )

    def evaluate(self, data: Any, bindings: Mapping[str, Any]) -> Any:
        """Evaluate over ``data`` (JSON form) with variables ``bindings`` (JSON form)."""
        with self._lock:
            try:
                return _plain(self._compiled.evaluate(data, dict(bindings)))
            except JException as exc:
                raise ValueError(f"expression {self.source!r} failed: {exc}") from None

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"
