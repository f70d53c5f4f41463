"""Field mapping both ways: the WooCommerce preset's translations and the contract's identity mapping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from shopsync.connectors.webshop import (
    Customer,
    MappingError,
    Order,
    Product,
    ShopSettings,
    ValidationFailed,
    WebshopAPIConfig,
)
from shopsync.connectors.webshop._mapping import RecordMapper
from shopsync.connectors.webshop._patch import merge_patch

from .conftest import product_doc, woo_config

SETTINGS = ShopSettings(currency="NOK", prices_include_vat=True)
EXCL = ShopSettings(currency="NOK", prices_include_vat=False)


def woo_product(**extra: Any) -> dict[str, Any]:
    """A product as WooCommerce v3 answers it (trimmed)."""
    return {
        "id": 42,
        "name": "Kaffekopp",
        "type": "simple",
        "status": "publish",
        "description": "<p>Stor kopp</p>",
        "sku": "KOPP-01",
        "price": "80",
        "regular_price": "80",
        "sale_price": "",
        "tax_class": "",
        "manage_stock": False,
        "stock_quantity": None,
        "date_created": "2026-03-01T15:05:09",
        "date_created_gmt": "2026-03-01T14:05:09",
        "date_modified": "2026-03-02T10:00:00",
        "date_modified_gmt": "2026-03-02T09:00:00",
        **extra,
    }


def woo_address(**extra: str) -> dict[str, str]:
    keys = (
        "first_name",
        "last_name",
        "company",
        "address_1",
        "address_2",
        "city",
        "state",
        "postcode",
        "country",
    )
    return {**dict.fromkeys(keys, ""), **extra}


def woo_customer(**extra: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "email": "ola@hansenror.no",
        "first_name": "Ola",
        "last_name": "Hansen",
        "date_created_gmt": "2026-01-05T08:00:00",
        "date_modified_gmt": None,  # never saved through WooCommerce
        "billing": woo_address(
            company="Hansen Rør AS",
            address_1="Fjordveien 12",
            postcode="5003",
            city="Bergen",
            country="NO",
            phone="+47 55 00 00 00",
            email="ola@hansenror.no",
        ),
        "shipping": woo_address(country="NO"),  # only a country: no shipping address
        "meta_data": [{"id": 1, "key": "organization_number", "value": "974760673"}],
        **extra,
    }


def woo_order(**extra: Any) -> dict[str, Any]:
    return {
        "id": 99,
        "number": "99",
        "status": "on-hold",
        "currency": "NOK",
        "customer_id": 0,
        "customer_note": "",
        "date_created_gmt": "2026-03-03T11:00:00",
        "date_modified_gmt": "2026-03-03T11:05:00",
        "billing": woo_address(address_1="Storgata 1", postcode="0155", city="Oslo", country="NO"),
        "shipping": woo_address(address_1="Lagerveien 2", postcode="0580", city="Oslo", country="NO"),
        "line_items": [
            {
                "id": 5,
                "name": "Kaffekopp",
                "product_id": 42,
                "quantity": 3,
                "tax_class": "",
                "sku": "KOPP-01",
                "subtotal": "239.98",
                "subtotal_tax": "59.99",
                "total": "215.98",
                "total_tax": "54.00",
                "price": Decimal("71.9933"),
            },
            {
                "id": 6,
                "name": "Kokebok",
                "product_id": 0,
                "quantity": 1,
                "tax_class": "zero-rate",
                "sku": "",
                "subtotal": "349.00",
                "subtotal_tax": "0.00",
                "total": "349.00",
                "total_tax": "0.00",
                "price": 349,
            },
        ],
        "shipping_total": "79.20",
        "shipping_tax": "19.80",
        "shipping_lines": [{"id": 8, "method_id": "flat_rate", "total": "79.20"}],
        **extra,
    }


@pytest.fixture
def woo() -> WebshopAPIConfig:
    return woo_config()


def test_woo_product_reads_as_a_contract_product(woo: WebshopAPIConfig) -> None:
    """Prices as entered become money, "" is the standard 25 % class, publish is active, no stock is 0."""
    product = RecordMapper("products", woo).to_contract(woo_product(), SETTINGS)
    assert isinstance(product, Product)
    assert (product.id, product.sku, product.price, product.vat_rate) == (
        "42",
        "KOPP-01",
        Decimal("80"),
        Decimal("25"),
    )
    assert product.currency == "NOK" and product.active and product.stock_quantity == 0
    assert product.updated_at == dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)  # from the _gmt field
    assert product.created_at == dt.datetime(2026, 3, 1, 14, 5, 9, tzinfo=dt.UTC)


def test_woo_version_grows_with_time_and_changes_within_one_second(woo: WebshopAPIConfig) -> None:
    """Two saves in the same second still give different versions; a later save a larger one."""
    mapper = RecordMapper("products", woo)
    first = mapper.to_contract(woo_product(), SETTINGS).version
    same_second = mapper.to_contract(woo_product(regular_price="81"), SETTINGS).version
    later = mapper.to_contract(woo_product(date_modified_gmt="2026-03-02T09:00:01"), SETTINGS).version
    assert first is not None and same_second is not None and later is not None
    assert first != same_second and later > max(first, same_second)


def test_woo_customer_reads_blocks_meta_and_derived_fields(woo: WebshopAPIConfig) -> None:
    """billing.address_1 → billing_address.line1, a billing company makes a company, meta holds the org no."""
    customer = RecordMapper("customers", woo).to_contract(woo_customer(), SETTINGS)
    assert isinstance(customer, Customer)
    assert customer.type == "company" and customer.company_name == "Hansen Rør AS"
    assert customer.organization_number == "974760673"
    assert customer.billing_address.line1 == "Fjordveien 12" and customer.billing_address.line2 is None
    assert customer.shipping_address is None  # a block holding only a country is no address
    assert customer.phone == "+47 55 00 00 00" and customer.language == "nb" and customer.active
    assert customer.updated_at == customer.created_at  # date_modified_gmt was null


def test_woo_order_lines_follow_the_shops_vat_setting(woo: WebshopAPIConfig) -> None:
    """Line subtotals exclude tax; with prices incl. VAT the unit price adds the tax back per item."""
    mapper = RecordMapper("orders", woo)
    order = mapper.to_contract(woo_order(), SETTINGS)
    assert isinstance(order, Order)
    assert order.status == "pending" and order.customer_id is None  # on-hold; a guest order
    first, second = order.lines
    assert (first.unit_price, first.vat_rate, first.quantity) == (Decimal("99.99"), Decimal("25"), Decimal(3))
    assert first.discount_percent == Decimal("10.00") and first.product_id == "42" and first.id == "5"
    assert (second.unit_price, second.vat_rate) == (Decimal(349), Decimal(0))
    assert second.product_id is None and second.sku is None  # 0 and "" mean "none" in WooCommerce
    assert order.shipping_cost == Decimal("99.00") and order.shipping_vat_rate == Decimal("25")
    assert order.shipping_address is not None and order.shipping_address.line1 == "Lagerveien 2"
    assert order.note is None
    excl = mapper.to_contract(woo_order(), EXCL)
    assert (
        isinstance(excl, Order)
        and excl.lines[0].unit_price == Decimal("79.99")
        and excl.shipping_cost == Decimal("79.20")
    )


def test_unknown_shop_values_are_mapping_errors(woo: WebshopAPIConfig) -> None:
    """A tax class the table does not know is an error, never a guessed rate."""
    with pytest.raises(MappingError, match=r"tax_class|vat_rate"):
        RecordMapper("products", woo).to_contract(woo_product(tax_class="luxury"), SETTINGS)


def test_contract_product_writes_as_a_woo_body(woo: WebshopAPIConfig) -> None:
    """Writing reverses the mapping: regular_price string, tax class slug, draft status, managed stock."""
    body = RecordMapper("products", woo).create_body(
        product_doc(price="129.00", vat_rate="15.00", active=False, stock_quantity=3), SETTINGS
    )
    assert body == {
        "type": "simple",
        "sku": "SKU-2001",
        "name": "Kaffekopp",
        "description": "",
        "regular_price": "129.00",
        "tax_class": "reduced-rate",
        "status": "draft",
        "stock_quantity": 3,
        "manage_stock": True,
    }


def test_customer_patch_sends_the_whole_block_and_twin_fields(woo: WebshopAPIConfig) -> None:
    """Patching one address field sends the merged billing block; e-mail also updates billing.email."""
    mapper = RecordMapper("customers", woo)
    current_raw = woo_customer()
    current = mapper.to_contract(current_raw, SETTINGS)
    body, idempotent = mapper.update_body(
        current, current_raw, {"billing_address": {"city": "Voss"}, "email": "ny@hansenror.no"}, SETTINGS
    )
    assert idempotent
    assert body["billing"] == {
        "address_1": "Fjordveien 12",
        "address_2": "",
        "postcode": "5003",
        "city": "Voss",
        "country": "NO",
        "email": "ny@hansenror.no",
    }
    assert body["email"] == "ny@hansenror.no"
    assert "shipping" not in body and "first_name" not in body


def test_clearing_an_optional_object_writes_empty_shop_fields(woo: WebshopAPIConfig) -> None:
    """Setting shipping_address to null blanks WooCommerce's shipping block ("" is its "no value")."""
    mapper = RecordMapper("orders", woo)
    raw = woo_order()
    body, _ = mapper.update_body(mapper.to_contract(raw, SETTINGS), raw, {"shipping_address": None}, SETTINGS)
    assert body == {"shipping": dict.fromkeys(("address_1", "address_2", "postcode", "city", "country"), "")}


def test_order_lines_update_by_id_never_duplicates(woo: WebshopAPIConfig) -> None:
    """Kept lines go with their id, dropped ones with quantity 0, new ones without id (unsafe to resend)."""
    mapper = RecordMapper("orders", woo)
    raw = woo_order()
    order = mapper.to_contract(raw, SETTINGS)
    assert isinstance(order, Order)
    kept = order.lines[0].model_dump(mode="json")
    new = {
        "name": "Kaffebønner",
        "product_id": "43",
        "quantity": "2",
        "unit_price": "125.00",
        "vat_rate": "15.00",
    }
    body, idempotent = mapper.update_body(order, raw, {"lines": [kept, new]}, SETTINGS)
    lines = body["line_items"]
    assert lines[0]["id"] == 5 and lines[0]["quantity"] == 3 and lines[0]["subtotal"] == "239.98"
    assert (
        "id" not in lines[1] and lines[1]["tax_class"] == "reduced-rate" and lines[1]["subtotal"] == "217.39"
    )
    assert lines[1]["product_id"] == 43
    assert lines[2] == {"id": 6, "quantity": 0}
    assert not idempotent
    _, resend_safe = mapper.update_body(order, raw, {"lines": [kept]}, SETTINGS)
    assert resend_safe


def test_changes_the_shop_cannot_take_are_refused_not_dropped(woo: WebshopAPIConfig) -> None:
    """WooCommerce assigns order numbers and appends shipping lines: changing them later is refused."""
    mapper = RecordMapper("orders", woo)
    raw = woo_order()
    order = mapper.to_contract(raw, SETTINGS)
    with pytest.raises(ValidationFailed) as info:
        mapper.update_body(order, raw, {"number": "X-1", "shipping_cost": "10.00"}, SETTINGS)
    assert {f.field for f in info.value.fields} == {"number", "shipping_cost"}
    body, _ = mapper.update_body(order, raw, {"shipping_cost": "99.00", "status": "completed"}, SETTINGS)
    assert body == {"status": "completed"}  # an unchanged value is fine


def test_order_create_body_computes_woo_amounts(woo: WebshopAPIConfig) -> None:
    """Lines get net subtotal/total; shipping is one flat-rate line excl. VAT; the guest id is 0."""
    order = {
        "status": "processing",
        "ordered_at": "2026-03-03T12:00:00+01:00",
        "currency": "NOK",
        "customer_id": None,
        "billing_address": {"line1": "Storgata 1", "postal_code": "0155", "city": "Oslo", "country": "NO"},
        "lines": [
            {
                "product_id": "42",
                "name": "Kopp",
                "quantity": "2",
                "unit_price": "100.00",
                "vat_rate": "25.00",
                "discount_percent": "50.00",
            }
        ],
        "shipping_cost": "99.00",
        "shipping_vat_rate": "25.00",
    }
    body = RecordMapper("orders", woo).create_body(order, SETTINGS)
    assert body["customer_id"] == 0 and body["status"] == "processing" and "date_created_gmt" not in body
    assert body["line_items"] == [
        {
            "product_id": 42,
            "name": "Kopp",
            "quantity": 2,
            "subtotal": "160.00",
            "total": "80.00",
            "tax_class": "",
        }
    ]
    assert body["shipping_lines"] == [{"method_id": "flat_rate", "method_title": "Frakt", "total": "79.20"}]
    assert body["shipping"]["address_1"] == ""


def test_the_contract_passes_through_unchanged() -> None:
    """With no field mapping, reads validate and writes drop only server-assigned fields."""
    mapper = RecordMapper("orders", WebshopAPIConfig())
    assert mapper.identity
    order = {
        "id": "3001",
        "version": 2,
        "number": "100001",
        "status": "pending",
        "ordered_at": "2026-03-03T12:00:00+01:00",
        "currency": "NOK",
        "billing_address": {"line1": "a", "postal_code": "0155", "city": "Oslo", "country": "NO"},
        "lines": [{"id": None, "name": "Kopp", "quantity": "1", "unit_price": "10.00", "vat_rate": "25.00"}],
    }
    body = mapper.create_body(order, SETTINGS)
    assert "id" not in body and "version" not in body and "id" not in body["lines"][0]
    assert mapper.patch_body({"status": "completed", "shipping_cost": Decimal("49")}) == {
        "status": "completed",
        "shipping_cost": "49.00",
    }


def test_contract_patches_are_validated_field_by_field() -> None:
    """A bad value or an unknown field is refused before anything is sent."""
    mapper = RecordMapper("products", WebshopAPIConfig())
    with pytest.raises(ValidationFailed) as info:
        mapper.patch_body({"price": 1.5, "colour": "red"})
    assert {f.field for f in info.value.fields} == {"price", "colour"}
    assert mapper.patch_body({"price": "12.5"}) == {"price": "12.50"}
    with pytest.raises(ValidationFailed):
        mapper.create_body({"sku": "x"}, SETTINGS)


def test_merge_patch_merges_objects_and_replaces_lists() -> None:
    """RFC 7396: nested objects merge, lists and scalars replace."""
    merged = merge_patch({"a": {"x": 1, "y": 2}, "l": [1, 2]}, {"a": {"y": None}, "l": [3]})
    assert merged == {"a": {"x": 1, "y": None}, "l": [3]}
