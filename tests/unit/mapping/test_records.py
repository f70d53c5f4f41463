"""Bad records: each gives a per-record error naming the field, never a crash or a silent default."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shopsync.mapping import Mapping, RecordMappingError, UnresolvedReference
from tests.unit.mapping.records import COMPANY, ORDER, PRIVATE, PRODUCT, make_resolver


def _shop_to_tripletex(mapping: Mapping, entity: str, record: dict[str, Any]) -> dict[str, Any]:
    resolver = make_resolver()
    view = mapping.webshop_view(entity, record, resolver)
    return mapping.to_tripletex(entity, view, resolver, record_id=record.get("id"))


def test_unknown_vat_rate_names_the_line(mapping: Mapping) -> None:
    """A VAT rate Tripletex has no outgoing VAT type for is an error on that line's vat_rate."""
    lines = [ORDER["lines"][0], {**ORDER["lines"][1], "vat_rate": "17.00"}]
    with pytest.raises(UnresolvedReference) as caught:
        _shop_to_tripletex(mapping, "order", {**ORDER, "lines": lines})
    err = caught.value
    assert (err.entity, err.record_id, err.field, err.kind) == (
        "order",
        "3001",
        "lines[1].vat_rate",
        "vat_type",
    )
    assert "no outgoing Tripletex VAT type with rate 17.00 %" in str(err)


def test_invalid_organisation_number(mapping: Mapping) -> None:
    """A wrong MOD11 check digit rejects the customer with the field named."""
    with pytest.raises(RecordMappingError) as caught:
        _shop_to_tripletex(mapping, "customer", {**COMPANY, "organization_number": "923 609 017"})
    assert (caught.value.field, caught.value.record_id) == ("organization_number", "1001")
    assert "MOD11" in caught.value.reason


def test_missing_required_name(mapping: Mapping) -> None:
    """A private customer without any name cannot become a Tripletex customer (name is required)."""
    record = {**PRIVATE, "first_name": None, "last_name": " "}
    with pytest.raises(RecordMappingError) as caught:
        _shop_to_tripletex(mapping, "customer", record)
    assert "first_name" in caught.value.field
    assert "required by Tripletex (name)" in caught.value.reason


def test_missing_product_name(mapping: Mapping) -> None:
    """An empty product name is a missing required value."""
    with pytest.raises(RecordMappingError, match=r"product 2001: name: required"):
        _shop_to_tripletex(mapping, "product", {**PRODUCT, "name": ""})


def test_record_not_matching_the_contract(mapping: Mapping) -> None:
    """A record that is not a valid contract record names the offending field."""
    record = {k: v for k, v in COMPANY.items() if k != "email"}
    with pytest.raises(RecordMappingError) as caught:
        mapping.webshop_view("customer", record, make_resolver())
    assert caught.value.field == "email"
    bad_line = {**ORDER, "lines": [{**ORDER["lines"][0], "unit_price": "9.999"}]}
    with pytest.raises(RecordMappingError) as caught:
        mapping.webshop_view("order", bad_line, make_resolver())
    assert caught.value.field == "lines[0].unit_price"


def test_unlinked_customer_is_an_unresolved_reference(mapping: Mapping) -> None:
    """An order whose customer is not linked yet says so, so the engine can sync the customer first."""
    with pytest.raises(UnresolvedReference) as caught:
        _shop_to_tripletex(mapping, "order", {**ORDER, "customer_id": "9999"})
    err = caught.value
    assert (err.field, err.kind, err.target, err.key) == ("customer_id", "link", "customer", "9999")


def test_unknown_country_and_currency(mapping: Mapping) -> None:
    """Codes Tripletex does not know are per-record errors on the right fields."""
    with pytest.raises(UnresolvedReference, match=r"billing_address\.country: no Tripletex country"):
        _shop_to_tripletex(
            mapping,
            "customer",
            {**COMPANY, "billing_address": {**COMPANY["billing_address"], "country": "ZZ"}},
        )
    with pytest.raises(UnresolvedReference, match="currency: no Tripletex currency with code 'XYZ'"):
        _shop_to_tripletex(mapping, "product", {**PRODUCT, "currency": "XYZ"})


def test_tripletex_side_errors_name_the_tripletex_property(mapping: Mapping) -> None:
    """Floats, unlinked references and unexpanded lines in a Tripletex record are per-record errors."""
    resolver = make_resolver()
    body = _shop_to_tripletex(mapping, "product", PRODUCT)
    with pytest.raises(RecordMappingError) as caught:
        mapping.tripletex_view("product", {**body, "id": 7, "priceIncludingVatCurrency": 99.99}, resolver)
    assert (caught.value.field, caught.value.record_id) == ("priceIncludingVatCurrency", 7)
    assert "binary float" in caught.value.reason
    order = _shop_to_tripletex(mapping, "order", ORDER)
    with pytest.raises(UnresolvedReference) as unresolved:
        mapping.tripletex_view("order", {**order, "customer": {"id": 999}}, resolver)
    assert (unresolved.value.field, unresolved.value.key) == ("customer.id", 999)
    stubs = {**order, "orderLines": [{"id": 1, "url": "tripletex.no/v2/order/orderline/1"}]}
    with pytest.raises(RecordMappingError, match=r"orderLines\[0\]: list elements are id/url stubs"):
        mapping.tripletex_view("order", stubs, resolver)


def test_webshop_side_errors_when_writing_back(mapping: Mapping) -> None:
    """A Tripletex value the shop cannot hold (an empty e-mail) is an error on that field."""
    resolver = make_resolver()
    view = mapping.webshop_view("customer", COMPANY, resolver)
    with pytest.raises(RecordMappingError) as caught:
        mapping.to_webshop("customer", {**view, "email": None}, resolver, keys=["email"])
    assert (caught.value.field, caught.value.reason) == ("email", "the webshop requires a value here")
    with pytest.raises(RecordMappingError, match="billing_address: the webshop requires this object"):
        empty = {k: None for k in view if k.startswith("billing_")}
        mapping.to_webshop("customer", {**view, **empty}, resolver, keys=list(empty))


def test_float_from_an_expression_is_refused(mapping: Mapping) -> None:
    """Arithmetic done with JSONata's floats instead of the decimal functions is caught per record."""
    from shopsync.mapping._expr import Expression

    resolver = make_resolver()
    entity = mapping.entity("product")
    row = next(e for e in entity.entries if e.key == "derived_price")
    bad = type(row)(**{**row.__dict__, "to_tripletex": Expression("$number(price) / 1.15")})
    patched = type(entity)(
        **{**entity.__dict__, "entries": tuple(bad if e is row else e for e in entity.entries)}
    )
    from shopsync.mapping import Mapping as MappingClass

    with pytest.raises(RecordMappingError) as caught:
        MappingClass([patched]).webshop_view("product", PRODUCT, resolver)
    assert caught.value.field == "price, vat_rate"
    assert "binary float" in caught.value.reason


def test_views_hold_decimals_not_strings(mapping: Mapping) -> None:
    """Money in a view is Decimal, whatever form the record had."""
    view = mapping.webshop_view("product", PRODUCT, make_resolver())
    assert view["price"] == Decimal("99.99") and isinstance(view["vat_type"], Decimal)
