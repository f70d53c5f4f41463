"""Building records from bodies: defaults, merge patch, and the rules JSON Schema cannot state."""

from __future__ import annotations

from typing import Any

from shopsync.simulators.webshop.records import BuildContext, build_customer, build_order, build_product

ADDRESS = {"line1": "Storgata 1", "postal_code": "0155", "city": "Oslo", "country": "NO"}
CUSTOMERS: dict[int, dict[str, Any]] = {
    1001: {"id": "1001", "billing_address": {**ADDRESS, "line2": None}, "shipping_address": None}
}
PRODUCTS: dict[int, dict[str, Any]] = {2001: {"id": "2001", "sku": "KAFFE-500"}}


def _ctx() -> BuildContext:
    def live(resource: str, ids: list[int]) -> dict[int, dict[str, Any]]:
        table = CUSTOMERS if resource == "customers" else PRODUCTS
        return {i: table[i] for i in ids if i in table}

    return BuildContext(currency="NOK", live_docs=live, now_text=lambda: "2026-11-28T21:40:00.000000+00:00")


def test_company_needs_org_number_and_name() -> None:
    """A company customer without organisation number and company name is rejected on both fields."""
    _, errors = build_customer(
        {"type": "company", "email": "a@b.no", "billing_address": ADDRESS}, None, _ctx()
    )
    assert ("company_name", "is required for company customers") in errors
    assert ("organization_number", "is required for company customers") in errors


def test_bad_check_digit_is_named() -> None:
    """A 9-digit number with a wrong MOD11 check digit gets its own message."""
    body = {
        "type": "company",
        "company_name": "Fjord AS",
        "organization_number": "923609017",
        "email": "a@b.no",
        "billing_address": ADDRESS,
    }
    _, errors = build_customer(body, None, _ctx())
    assert errors == [
        ("organization_number", "is not a valid Norwegian organisation number (MOD11 check digit)")
    ]


def test_private_customer_defaults() -> None:
    """A minimal private customer gets the documented defaults and a complete address."""
    body = {
        "type": "private",
        "first_name": "Kari",
        "last_name": "Nordmann",
        "email": "k@b.no",
        "billing_address": ADDRESS,
    }
    fields, errors = build_customer(body, None, _ctx())
    assert errors == []
    assert fields["language"] == "nb"
    assert fields["active"] is True
    assert fields["shipping_address"] is None
    assert fields["billing_address"] == {**ADDRESS, "line2": None}


def test_norwegian_postal_code_is_four_digits() -> None:
    """A Norwegian address with a 5-digit postal code is rejected with the field path."""
    body = {"type": "private", "first_name": "K", "last_name": "N", "email": "k@b.no"}
    _, errors = build_customer({**body, "billing_address": {**ADDRESS, "postal_code": "01550"}}, None, _ctx())
    assert errors == [("billing_address.postal_code", "must be 4 digits for country NO")]
    _, errors = build_customer(
        {**body, "billing_address": {**ADDRESS, "postal_code": "SW1A 1AA", "country": "GB"}}, None, _ctx()
    )
    assert errors == []


def test_merge_patch_merges_addresses_and_clears_nullable() -> None:
    """A nested address patch changes one line; null clears a nullable field."""
    current, _ = build_customer(
        {
            "type": "private",
            "first_name": "K",
            "last_name": "N",
            "email": "k@b.no",
            "phone": "+47 22 33 44 55",
            "billing_address": ADDRESS,
        },
        None,
        _ctx(),
    )
    patched, errors = build_customer({"billing_address": {"line2": "H0101"}, "phone": None}, current, _ctx())
    assert errors == []
    assert patched["billing_address"] == {**ADDRESS, "line2": "H0101"}
    assert patched["phone"] is None
    assert patched["first_name"] == "K"


def test_partial_shipping_address_needs_a_stored_one() -> None:
    """Patching a shipping address that does not exist yet needs a complete address."""
    current, _ = build_customer(
        {
            "type": "private",
            "first_name": "K",
            "last_name": "N",
            "email": "k@b.no",
            "billing_address": ADDRESS,
        },
        None,
        _ctx(),
    )
    _, errors = build_customer({"shipping_address": {"line2": "c/o"}}, current, _ctx())
    assert {f for f, _ in errors} == {
        "shipping_address.line1",
        "shipping_address.postal_code",
        "shipping_address.city",
        "shipping_address.country",
    }


def test_product_defaults_and_required() -> None:
    """Products need sku, name, price and VAT rate; the rest defaults."""
    fields, errors = build_product(
        {"sku": "A-1", "name": "A", "price": "10.00", "vat_rate": "25.00"}, None, _ctx()
    )
    assert errors == []
    assert (fields["currency"], fields["description"], fields["active"], fields["stock_quantity"]) == (
        "NOK",
        "",
        True,
        0,
    )
    _, errors = build_product({}, None, _ctx())
    assert sorted(f for f, _ in errors) == ["name", "price", "sku", "vat_rate"]


def test_order_takes_customer_addresses_and_product_sku() -> None:
    """A new order ships to the customer's address and a catalogue line gets its product's SKU."""
    body = {
        "customer_id": "1001",
        "ordered_at": "2026-03-01T00:30:00+01:00",
        "lines": [
            {
                "product_id": "2001",
                "name": "Kaffe",
                "quantity": "2",
                "unit_price": "129.90",
                "vat_rate": "15.00",
            }
        ],
    }
    fields, errors = build_order(body, None, _ctx())
    assert errors == []
    assert fields["billing_address"] == {**ADDRESS, "line2": None}
    assert fields["lines"][0]["sku"] == "KAFFE-500"
    assert fields["lines"][0]["discount_percent"] == "0.00"
    assert fields["ordered_at"] == "2026-03-01T00:30:00.000000+01:00"
    assert fields["status"] == "pending"


def test_order_references_must_exist() -> None:
    """Unknown customers and products are field errors with the line index."""
    body = {
        "customer_id": "9999",
        "lines": [
            {"name": "x", "quantity": "1", "unit_price": "1.00", "vat_rate": "25.00"},
            {"product_id": "777", "name": "y", "quantity": "1", "unit_price": "1.00", "vat_rate": "25.00"},
        ],
    }
    _, errors = build_order(body, None, _ctx())
    assert ("customer_id", "no customer with this id") in errors
    assert ("lines.1.product_id", "no product with this id") in errors


def test_order_line_errors_carry_their_index() -> None:
    """A bad quantity on the first line is reported as lines.0.quantity; a missing name as required."""
    body = {
        "customer_id": "1001",
        "lines": [{"quantity": "2 stk", "unit_price": "1.00", "vat_rate": "25.00"}],
    }
    _, errors = build_order(body, None, _ctx())
    assert ("lines.0.quantity", 'must be a decimal string, e.g. "2" or "1.5"') in errors
    assert ("lines.0.name", "is required") in errors
