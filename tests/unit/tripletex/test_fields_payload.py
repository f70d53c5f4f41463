"""``fields`` selections and request bodies built from models."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopsync.tripletex import Customer, Order, OrderLine, Product, build_fields, check_fields, parse_fields
from shopsync.tripletex._payload import create_body, dumps, update_body, writable


def test_build_fields_from_strings_mappings_and_lists() -> None:
    """Strings pass through, mappings nest, lists join with commas."""
    assert build_fields("id", "version", "name", {"postalAddress": "*"}) == "id,version,name,postalAddress(*)"
    assert (
        build_fields("*", {"orderLines": ["*", {"product": "id,number"}]})
        == "*,orderLines(*,product(id,number))"
    )
    assert build_fields(["id", "name"]) == "id,name"


def test_parse_fields_handles_nesting() -> None:
    """A selection parses into a tree of names."""
    assert parse_fields("a,b(c,d(*)),e") == {"a": None, "b": {"c": None, "d": {"*": None}}, "e": None}


def test_parse_fields_rejects_unbalanced_parentheses() -> None:
    """A missing parenthesis is an error, not a silent truncation."""
    with pytest.raises(ValueError):
        parse_fields("a,b(c")
    with pytest.raises(ValueError):
        parse_fields("a),b")


def test_check_fields_follows_references() -> None:
    """Names are checked on the object and on referenced objects the schema describes."""
    assert check_fields("id,version,postalAddress(city,country(name))", "Customer")
    assert check_fields("*,orderLines(*,product(number))", "Order")
    with pytest.raises(ValueError, match=r"postalAddress\.citty"):
        check_fields("postalAddress(citty)", "Customer")


def test_create_body_drops_read_only_properties() -> None:
    """``url``, ``changes`` and totals never go into a request body."""
    line = OrderLine(count=Decimal(1), amountExcludingVatCurrency=Decimal(100), displayName="x")
    order = Order(customer=Customer(id=1, name="Acme"), orderDate="2026-01-01", orderLines=[line], url="u")
    body = create_body(order, "Order")
    assert body == {"customer": {"id": 1}, "orderDate": "2026-01-01", "orderLines": [{"count": Decimal(1)}]}


def test_update_body_needs_id_and_version() -> None:
    """PUT bodies carry id and version; a missing one is a programming error."""
    assert update_body(Product(id=1, version=0, name="P"), "Product") == {"id": 1, "version": 0, "name": "P"}
    with pytest.raises(ValueError):
        update_body(Product(id=1, name="P"), "Product")


def test_unknown_schema_passes_through() -> None:
    """Objects the schema facts do not describe are sent as the caller built them."""
    assert writable({"a": {"b": 1}}, "NoSuchSchema") == {"a": {"b": 1}}


def test_dumps_writes_decimals_as_numbers() -> None:
    """Exact digits, no quotes, and ordinary strings are left alone."""
    data = {"p": Decimal("0.1"), "q": [Decimal("-12.3400")], "s": "0.1"}
    assert dumps(data) == b'{"p":0.1,"q":[-12.3400],"s":"0.1"}'
    with pytest.raises(ValueError):
        dumps({"p": Decimal("NaN")})
