"""Field rules of the reference webshop: patterns, MOD11, JSON types and unknown fields."""

from __future__ import annotations

import pytest

from shopsync.simulators.webshop.seed import make_org_number
from shopsync.simulators.webshop.validation import (
    CUSTOMER_RULES,
    EMAIL,
    MONEY,
    PRODUCT_RULES,
    check_object,
    ecma_pattern,
    mod11_valid,
)


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("923609016", True),
        ("974760673", True),
        ("923609017", False),
        ("12345678", False),
        ("92360901a", False),
    ],
)
def test_mod11(number: str, valid: bool) -> None:
    """Organisation numbers are accepted only with a correct MOD11 check digit."""
    assert mod11_valid(number) is valid


def test_generated_org_numbers_are_valid() -> None:
    """Every organisation number the seed makes passes the MOD11 check."""
    import random

    rng = random.Random(7)
    assert all(mod11_valid(make_org_number(rng)) for _ in range(500))


@pytest.mark.parametrize("value", ["199.00", "0.00", "129.90", "123456789012.99"])
def test_money_accepts_two_decimal_strings(value: str) -> None:
    """Money is a decimal string with exactly two decimals."""
    assert MONEY(value) is None


@pytest.mark.parametrize(
    "value", [199, 199.0, "199", "199.0", "199.000", "-1.00", "01.00", "1,00", "199.00\n"]
)
def test_money_rejects_everything_else(value: object) -> None:
    """Numbers, other decimal counts, negatives, leading zeros and a trailing newline are rejected."""
    assert MONEY(value) is not None


def test_ecma_dollar_does_not_match_before_newline() -> None:
    """A final ``$`` means end of text, as in JSON Schema, not 'before a trailing newline'."""
    assert ecma_pattern("^a$") == r"^a\Z"
    assert EMAIL("kari@example.no\n") is not None
    assert EMAIL("kari@example.no") is None


def test_integer_rule_follows_json_schema() -> None:
    """3.0 is a JSON Schema integer, true is not a number."""
    rule = PRODUCT_RULES["stock_quantity"]
    assert rule(3) is None
    assert rule(3.0) is None
    assert rule(True) is not None
    assert rule(3.5) is not None
    assert rule(10**10) is not None


def test_check_object_reports_unknown_and_ignores_read_only() -> None:
    """Unknown fields are errors; id, version and timestamps are dropped silently."""
    clean, errors = check_object(
        {"id": "9", "version": 4, "email": "not-an-email", "colour": "red", "language": "nb"}, CUSTOMER_RULES
    )
    assert clean == {"email": "not-an-email", "colour": "red", "language": "nb"}
    assert ("colour", "is not a known field") in errors
    assert ("email", "must be an e-mail address") in errors
    assert len(errors) == 2


def test_check_object_needs_an_object() -> None:
    """A body that is not a JSON object is one error on the body."""
    assert check_object([1, 2], CUSTOMER_RULES) == ({}, [("body", "must be a JSON object")])
