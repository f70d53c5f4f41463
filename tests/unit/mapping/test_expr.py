"""Mapping expressions: JSONata with Decimal-safe functions; floats are refused, nulls propagate."""

from __future__ import annotations

from typing import Any

import pytest

from shopsync.mapping._expr import Expression, ExpressionError


def _eval(source: str, data: Any = None, **bindings: Any) -> Any:
    return Expression(source).evaluate(data or {}, bindings)


@pytest.mark.parametrize(
    ("source", "data", "result"),
    [
        ('$dec_add(a, "0.01")', {"a": "0.1"}, "0.11"),
        ("$dec_sub(a, b)", {"a": "100.00", "b": "0.01"}, "99.99"),
        ('$dec_mul(a, "3")', {"a": "0.1"}, "0.3"),
        ('$dec_div("10", "3")', {}, "3.3333333333"),
        ('$round_half_up("2.345", 2)', {}, "2.35"),
        ('$money("2.5")', {}, "2.50"),
        ('$vat_incl("80.00", "25.00")', {}, "100.0000"),
        ('$vat_excl("100.00", "15.00")', {}, "86.9565217391"),
        ("$vat_excl(missing, rate)", {"rate": "25"}, None),
        ('$local_date("2026-07-15T22:30:00+00:00", "Europe/Oslo")', {}, "2026-07-16"),
        ('$org_number("974 760 673")', {}, "974760673"),
        ("$org_number(x)", {"x": None}, None),
        ('$is_mobile("+47 912 34 567")', {}, True),
        ('$full_name(null, "Hansen")', {}, "Hansen"),
        ('$first_name("Anne Marie Hansen") & "/" & $last_name("Anne Marie Hansen")', {}, "Anne Marie/Hansen"),
    ],
)
def test_functions(source: str, data: dict[str, Any], result: Any) -> None:
    """Each mapping function computes exactly on decimal strings."""
    assert _eval(source, data) == result


def test_floats_never_reach_decimal_arithmetic() -> None:
    """A JSONata float (from a numeric literal or $number) is refused rather than rounded."""
    with pytest.raises(ValueError, match="binary float"):
        _eval("$dec_mul(a, 1.25)", {"a": "80.00"})
    with pytest.raises(ValueError, match="division by zero"):
        _eval('$dec_div("1", "0")')


def test_bindings() -> None:
    """$value, $shop, $record and $view are available to every expression."""
    assert (
        _eval("$shop.prices_include_vat ? $value : $record.x", value="v", shop={"prices_include_vat": True})
        == "v"
    )
    assert _eval("$view.private", view={"private": False}) is False


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty expression"),
        ("a +* (", "invalid JSONata"),
        ("$round_up(a)", r"unknown function \$round_up"),
    ],
)
def test_bad_expressions_fail_when_compiled(source: str, message: str) -> None:
    """Syntax errors and unknown functions are load-time errors."""
    with pytest.raises(ExpressionError, match=message):
        Expression(source)


def test_locally_defined_functions_and_strings_are_not_flagged() -> None:
    """A function defined in the expression, or a $name inside a string, is not an unknown function."""
    assert Expression('($f := function($x) { $x & "!" }; $f("$nope()"))').evaluate({}, {}) == "$nope()!"


def test_runtime_failures_are_value_errors() -> None:
    """JSONata's own runtime errors surface as ValueError (a per-record error for the caller)."""
    with pytest.raises(ValueError, match="failed"):
        _eval('a + "x"', {"a": 1})
