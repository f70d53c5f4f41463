"""Views and writers: what the engine relies on beyond the round trip."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from shopsync.mapping import Mapping, RecordMappingError, Resolver, load_mapping
from shopsync.tripletex import Customer, check_fields
from tests.unit.mapping.records import COMPANY, ORDER, PRIVATE, PRODUCT, make_resolver


def test_phone_back_to_the_shop_prefers_the_mobile(mapping: Mapping) -> None:
    """With both Tripletex numbers the shop's single phone gets the mobile, else the other number."""
    resolver = make_resolver()
    view = mapping.webshop_view("customer", COMPANY, resolver)
    both = {**view, "mobile": "41 11 11 11", "phone": "22 22 22 22"}
    assert mapping.to_webshop("customer", both, resolver, keys=["phone"])["phone"] == "41 11 11 11"
    landline = {**view, "mobile": None, "phone": "22 22 22 22"}
    assert mapping.to_webshop("customer", landline, resolver, keys=["mobile"])["phone"] == "22 22 22 22"


def test_equivalent_shop_values_are_kept(mapping: Mapping) -> None:
    """Nynorsk, an org number with spaces and the e-mail's case are not rewritten when Tripletex agrees."""
    resolver = make_resolver()
    back = mapping.tripletex_view(
        "customer",
        mapping.to_tripletex("customer", mapping.webshop_view("customer", COMPANY, resolver), resolver),
        resolver,
    )
    assert (
        mapping.to_webshop("customer", {**back, "email": "post@fjordkaffe.no"}, resolver, current=COMPANY)
        == {}
    )
    renamed = mapping.to_webshop(
        "customer", {**back, "language": "EN", "name": "Fjordkaffe Oslo AS"}, resolver, current=COMPANY
    )
    assert renamed == {"language": "en", "company_name": "Fjordkaffe Oslo AS"}


def test_private_names_split_at_the_last_space(mapping: Mapping) -> None:
    """A person renamed in Tripletex gets first and last name back in the shop."""
    resolver = make_resolver()
    view = mapping.webshop_view("customer", PRIVATE, resolver)
    assert view["name"] == "Anne Marie Hansen" and view["private"] is True
    patch = mapping.to_webshop(
        "customer", {**view, "name": "Anne Marie Berg"}, resolver, keys=["name"], current=PRIVATE
    )
    assert patch == {"first_name": "Anne Marie", "last_name": "Berg"}


def test_partial_updates_and_empty_objects(mapping: Mapping) -> None:
    """Only the given keys are written; a cleared text is "" and a fully empty address is null."""
    resolver = make_resolver()
    view = mapping.webshop_view("customer", PRIVATE, resolver)
    assert mapping.to_tripletex(
        "customer", {**view, "billing_line2": None}, resolver, keys=["billing_line2"]
    ) == {"postalAddress": {"addressLine2": ""}}
    body = mapping.to_tripletex("customer", view, resolver)
    assert body["deliveryAddress"] is None  # no shipping address: no empty delivery address either
    assert body["postalAddress"]["country"] == {"id": 161}
    patch = mapping.to_webshop("customer", view, resolver)
    assert patch["shipping_address"] is None and patch["billing_address"]["country"] == "NO"


def test_shipping_line_is_kept_apart_from_the_lines(mapping: Mapping) -> None:
    """Reading Tripletex, the "Frakt" line is the shipping element and not one of the order's lines."""
    resolver = make_resolver()
    body = mapping.to_tripletex("order", mapping.webshop_view("order", ORDER, resolver), resolver)
    view = mapping.tripletex_view("order", body, resolver)
    assert [line["description"] for line in view["lines"]] == ["Kaffe 500 g", "Gavepapir"]
    assert view["shipping"] == {"count": Decimal(1), "unit_price": Decimal("49.00"), "vat_type": Decimal(25)}
    without = {**body, "orderLines": body["orderLines"][:-1]}
    view = mapping.tripletex_view("order", without, resolver)
    assert view["shipping"] is None
    assert "shipping_cost" not in mapping.to_webshop("order", view, resolver, keys=["shipping"])


def test_order_lines_are_written_as_one_set(mapping: Mapping) -> None:
    """Changing only the shipping still sends every line: Tripletex replaces an order's lines as a set."""
    resolver = make_resolver()
    view = mapping.webshop_view("order", ORDER, resolver)
    body = mapping.to_tripletex("order", view, resolver, keys=["shipping"])
    assert list(body) == ["orderLines"]
    assert [line["description"] for line in body["orderLines"]] == ["Kaffe 500 g", "Gavepapir", "Frakt"]
    assert "product" not in body["orderLines"][1]  # a line without a product has no product reference


def test_order_delivery_address_falls_back_to_billing(mapping: Mapping) -> None:
    """Without a shipping address the order is delivered to the billing address."""
    resolver = make_resolver()
    body = mapping.to_tripletex("order", mapping.webshop_view("order", ORDER, resolver), resolver)
    assert body["deliveryAddress"]["addressLine1"] == "Storgata 1"
    assert body["deliveryComment"] == "Leveres på baksiden" and body["number"] == "100045"


def test_comparison_semantics(mapping: Mapping) -> None:
    """E-mail ignores case, money compares numerically to the øre, strings ignore surrounding blanks."""
    assert mapping.same("customer", "email", "Post@Firma.no", "post@firma.NO")
    assert mapping.same("product", "price", Decimal("5500.00"), Decimal("5500.0000000000"))
    assert not mapping.same("product", "price", Decimal("5500.00"), Decimal("5500.01"))
    assert mapping.same("customer", "billing_line2", None, " ")
    assert not mapping.same("customer", "active", True, None)
    assert mapping.changed(
        "customer", {"email": "A@b.no", "name": "X"}, {"email": "a@B.no", "name": "Y"}
    ) == {"name"}
    lines = mapping.webshop_view("order", ORDER, make_resolver())["lines"]
    assert mapping.same("order", "lines", lines, [dict(line) for line in lines])
    assert not mapping.same("order", "lines", lines, lines[:1])


def test_views_survive_json_storage(mapping: Mapping) -> None:
    """encode_view / decode_view keep Decimals exact through JSON."""
    view = mapping.webshop_view("order", ORDER, make_resolver())
    stored = mapping.encode_view("order", view)
    assert stored["lines"][0]["unit_price"] == "99.99"
    assert mapping.decode_view("order", stored) == view


def test_engine_helpers(mapping: Mapping) -> None:
    """fields, match keys and deactivation are derived from the mapping."""
    for entity, schema in (("customer", "Customer"), ("product", "Product"), ("order", "Order")):
        assert check_fields(mapping.fields(entity), schema)
    assert mapping.fields("customer", extra=["changes"]).startswith("id,version,changes,")
    assert "orderLines(id,product(id),description,count" in mapping.fields("order")
    assert [(k.key, k.tripletex_param) for k in mapping.match_keys("order")] == [("number", "number")]
    assert [k.webshop_param for k in mapping.match_keys("customers")] == [None, "email"]
    resolver = make_resolver()
    assert mapping.deactivation("product", resolver) == ({"isInactive": True}, {"active": False})
    assert mapping.deactivation("order", resolver) is None


def test_generated_tripletex_models_are_accepted(mapping: Mapping) -> None:
    """The client's pydantic models can be read directly (Decimals stay Decimals)."""
    resolver = make_resolver()
    body = mapping.to_tripletex("customer", mapping.webshop_view("customer", COMPANY, resolver), resolver)
    view = mapping.tripletex_view("customer", Customer.model_validate({**body, "id": 501}), resolver)
    assert view["name"] == "Fjordkaffe AS" and view["billing_country"] == "NO"


def test_table_resolver() -> None:
    """Several 0 % VAT types resolve to the standard code 5; every id resolves back to its rate."""
    resolver = make_resolver()
    assert isinstance(resolver, Resolver)
    assert resolver.vat_type_id(Decimal("0.00")) == 5
    assert resolver.vat_type_id(Decimal("12")) == 32  # number "33", the low rate
    assert resolver.vat_rate(6) == Decimal(0)
    assert resolver.country_id("no") == 161 and resolver.country_code(161) == "NO"
    assert resolver.currency_id("NOK") == 1 and resolver.currency_code(1) == "NOK"
    assert resolver.tripletex_id("customer", "1001") == 501 and resolver.webshop_id("customer", 501) == "1001"
    assert resolver.tripletex_id("customer", "404") is None


def test_stock_flows_only_to_the_shop_when_switched_on(mapping: Mapping) -> None:
    """The stock row is off by default; Tripletex's read-only stock is never written to Tripletex."""
    resolver = make_resolver()
    view = mapping.tripletex_view("product", {"name": "X", "stockOfGoods": Decimal(7)}, resolver)
    assert "stock" not in view
    assert "stockOfGoods" not in mapping.to_tripletex(
        "product", mapping.webshop_view("product", PRODUCT, resolver), resolver
    )


def test_partial_view_cannot_drop_order_lines(mapping: Mapping) -> None:
    """Writing lines from a view without the shipping element is refused instead of deleting the line."""
    resolver = make_resolver()
    view = mapping.webshop_view("order", ORDER, resolver)
    partial = {k: v for k, v in view.items() if k != "shipping"}
    with pytest.raises(ValueError, match="lacks 'shipping'"):
        mapping.to_tripletex("order", partial, resolver, keys=["lines"])


def test_expression_results_must_fit_the_tripletex_enum(tmp_path: Path) -> None:
    """A language expression giving a value Tripletex does not accept is a per-record error."""
    override = tmp_path / "mapping.yaml"
    override.write_text(
        "customer:\n  rows:\n    - {key: language, webshop: language, tripletex: language,"
        " to_tripletex: '$uppercase(language)', to_webshop: '$lowercase($value)'}\n",
        encoding="utf-8",
    )
    with pytest.raises(RecordMappingError, match="'NN' is not one of Tripletex's NO, EN"):
        load_mapping(override).webshop_view("customer", COMPANY, make_resolver())
