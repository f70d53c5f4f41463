"""A tiny, safe expression language for computed fields in a shop mapping (Python syntax, Decimal maths).

Some contract fields are not a renamed shop field but a small computation, e.g. WooCommerce's line
``unit_price = (subtotal + subtotal_tax) / quantity`` when the shop's prices include VAT. Configuration
holds such rules as expressions. Only a whitelist of syntax is accepted (names, ``a.b`` / ``a[0]``
access, literals, ``+ - * /``, comparisons, ``and/or/not``, ``x if c else y``, calls of the functions
below); anything else is refused when the configuration loads. There is no ``eval``.

Arithmetic is always ``Decimal``: decimal strings and numbers from the shop's JSON are converted, a
missing operand raises ``ValueError``. ``a.b`` on a missing object yields ``None``.

Functions: ``dec(x)``, ``round2(x)`` (half up), ``money(x)`` (two-decimal string), ``str(x)``,
``int(x)``, ``coalesce(*xs)`` (first not None/""), ``concat(*xs)``, ``epoch(ts)`` (Unix seconds of a
shop timestamp), ``fingerprint(x, n)`` (a stable hash of ``x`` modulo ``n``), ``lookup(table, key)``,
``reverse_lookup(table, value)``, ``sum(xs)``, ``len(xs)``, ``min``, ``max``, ``abs``, ``pluck(list, key)``.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ._timestamps import TimestampFormat

__all__ = ["Expression", "Scope", "normalize_key"]

_TWO_PLACES = Decimal("0.01")


def _num(value: Any) -> Decimal:
    """An arithmetic operand as Decimal; refuses None and non-numbers so mistakes are loud."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
    raise ValueError(f"not a number: {value!r}")


def normalize_key(value: Any) -> str:
    """A lookup key that matches ``"25.00"``, ``25`` and ``Decimal("25.0")`` alike (tables, value maps)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return str(value)
        if number.is_finite() and str(value).strip() != "":
            text = f"{number.normalize():f}"
            return "0" if text == "-0" else text
    return str(value)


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else _num(value)


def _round2(value: Any) -> Decimal | None:
    return None if value is None else _num(value).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def _money(value: Any) -> str | None:
    rounded = _round2(value)
    return None if rounded is None else f"{rounded:f}"


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    number = _num(value)
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None and v != ""), None)


def _concat(*values: Any) -> str:
    return "".join(_str(v) or "" for v in values)


def _pluck(items: Any, key: str) -> list[Any]:
    return [item.get(key) if isinstance(item, dict) else None for item in (items or [])]


def _fingerprint(value: Any, modulo: Any) -> int:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return int.from_bytes(hashlib.blake2b(canonical.encode(), digest_size=8).digest(), "big") % int(
        _num(modulo)
    )


def _sum(items: Any) -> Decimal:
    return sum((_num(v) for v in (items or []) if v is not None and v != ""), Decimal(0))


@dataclass
class Scope:
    """What names resolve to: the current object's keys, plus ``root``, ``settings`` and ``tables``."""

    current: Mapping[str, Any]
    root: Mapping[str, Any] | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    timestamps: TimestampFormat = field(default_factory=TimestampFormat)

    def name(self, ident: str) -> Any:
        if ident == "root":
            return self.root if self.root is not None else self.current
        if ident == "settings":
            return self.settings
        if ident == "tables":
            return self.tables
        return self.current.get(ident)

    def functions(self) -> dict[str, Callable[..., Any]]:
        def lookup(table: str, key: Any) -> Any:
            return _table(self.tables, table).get(normalize_key(key))

        def reverse_lookup(table: str, value: Any) -> Any:
            wanted = normalize_key(value)
            return next(
                (k for k, v in _table(self.tables, table).items() if normalize_key(v) == wanted), None
            )

        def epoch(value: Any) -> int | None:
            if value is None or value == "":
                return None
            moment = self.timestamps.parse(value)
            return int((moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds())

        return {
            "dec": _dec,
            "round2": _round2,
            "money": _money,
            "str": _str,
            "int": _int,
            "coalesce": _coalesce,
            "concat": _concat,
            "epoch": epoch,
            "fingerprint": _fingerprint,
            "lookup": lookup,
            "reverse_lookup": reverse_lookup,
            "sum": _sum,
            "len": lambda xs: len(xs or []),
            "min": lambda *xs: min(_num(x) for x in xs),
            "max": lambda *xs: max(_num(x) for x in xs),
            "abs": lambda x: abs(_num(x)),
            "pluck": _pluck,
        }


def _table(tables: Mapping[str, Mapping[str, Any]], name: str) -> dict[str, Any]:
    if name not in tables:
        raise ValueError(f"unknown table {name!r}")
    return {normalize_key(k): v for k, v in tables[name].items()}


_FUNCTIONS = frozenset(Scope(current={}).functions())
_BINOPS: dict[type[ast.operator], Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_ALLOWED = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.Subscript,
    ast.BinOp,
    ast.UnaryOp,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.IfExp,
    ast.Call,
    ast.List,
    ast.Tuple,
    ast.Dict,
    *_BINOPS,
)


class Expression:
    """One compiled expression; ``ValueError`` at construction if it uses anything not whitelisted."""

    def __init__(self, source: str) -> None:
        self.source = source
        try:
            self._tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError as exc:
            raise ValueError(f"bad expression {source!r}: {exc.msg}") from exc
        for node in ast.walk(self._tree):
            if not isinstance(node, _ALLOWED):
                raise ValueError(f"{type(node).__name__} is not allowed in expression {source!r}")
            if isinstance(node, ast.Call) and not (
                isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS and not node.keywords
            ):
                raise ValueError(f"only calls of {sorted(_FUNCTIONS)} are allowed in {source!r}")
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                raise ValueError(f"private attribute {node.attr!r} in expression {source!r}")

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def evaluate(self, scope: Scope) -> Any:
        """The value of the expression in ``scope``; ``ValueError`` when the data does not fit."""
        return _Evaluator(scope).visit(self._tree.body)


class _Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.functions = scope.functions()

    def visit(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value)) if isinstance(node.value, float) else node.value
        if isinstance(node, ast.Name):
            return self.scope.name(node.id)
        if isinstance(node, ast.Attribute):
            base = self.visit(node.value)
            return base.get(node.attr) if isinstance(base, Mapping) else None
        if isinstance(node, ast.Subscript):
            return _index(self.visit(node.value), self.visit(node.slice))
        if isinstance(node, ast.BinOp):
            left, right = _num(self.visit(node.left)), _num(self.visit(node.right))
            if isinstance(node.op, ast.Div) and right == 0:
                raise ValueError(f"division by zero in {ast.unparse(node)!r}")
            return _BINOPS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            operand = self.visit(node.operand)
            if isinstance(node.op, ast.Not):
                return not operand
            return -_num(operand) if isinstance(node.op, ast.USub) else _num(operand)
        if isinstance(node, ast.BoolOp):
            return self._boolop(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.IfExp):
            return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            return self.functions[node.func.id](*(self.visit(arg) for arg in node.args))
        if isinstance(node, ast.List | ast.Tuple):
            return [self.visit(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            return {
                self.visit(k): self.visit(v)
                for k, v in zip(node.keys, node.values, strict=True)
                if k is not None
            }
        raise ValueError(f"unsupported expression node {type(node).__name__}")

    def _boolop(self, node: ast.BoolOp) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.visit(operand)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def _compare(self, node: ast.Compare) -> bool:
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comparator)
            if not _compare_once(op, left, right):
                return False
            left = right
        return True


def _index(base: Any, key: Any) -> Any:
    if isinstance(base, Mapping):
        return base.get(key)
    if isinstance(base, list) and isinstance(key, int) and -len(base) <= key < len(base):
        return base[key]
    return None


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _compare_once(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, ast.In | ast.NotIn):
        inside = left in (right or ())
        return inside if isinstance(op, ast.In) else not inside
    if isinstance(op, ast.Eq | ast.NotEq):
        same = _num(left) == _num(right) if _numeric(left) and _numeric(right) else left == right
        return same if isinstance(op, ast.Eq) else not same
    a, b = _num(left), _num(right)
    if isinstance(op, ast.Lt):
        return a < b
    if isinstance(op, ast.LtE):
        return a <= b
    if isinstance(op, ast.Gt):
        return a > b
    return a >= b
