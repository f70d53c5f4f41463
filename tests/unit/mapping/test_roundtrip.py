"""Round trips: webshop record → Tripletex body → Tripletex view → webshop patch gives back the original."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopsync.mapping import Block, Mapping, Row, TableResolver
from tests.unit.mapping.records import customers, floats_in, make_resolver, merge_patch, orders, products

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _two_way_keys(mapping: Mapping, entity: str, resolver: TableResolver) -> list[str]:
    prices_incl = resolver.shop.prices_include_vat
    keys = []
    for entry in mapping.entity(entity).entries:
        if (
            entry.when is not None
            and bool(entry.when.evaluate({}, {"shop": {"prices_include_vat": prices_incl}})) is False
        ):
            continue
        if (isinstance(entry, Row) and entry.direction == "both") or isinstance(entry, Block):
            keys.append(entry.key)
    return keys


def _assert_round_trip(
    mapping: Mapping, entity: str, record: dict[str, Any], resolver: TableResolver
) -> None:
    view = mapping.webshop_view(entity, record, resolver)
    body = mapping.to_tripletex(entity, view, resolver)
    assert floats_in(view) == [] and floats_in(body) == []
    back = mapping.tripletex_view(entity, body, resolver)
    keys = _two_way_keys(mapping, entity, resolver)
    assert keys
    for key in keys:
        assert mapping.same(entity, key, view[key], back[key]), (key, view[key], back[key])
    # Back into the shop: the patch rebuilds a record with the same view on every two-way property…
    patch = mapping.to_webshop(entity, back, resolver)
    assert floats_in(patch) == []
    rebuilt = mapping.webshop_view(entity, merge_patch(record, patch), resolver)
    for key in keys:
        assert mapping.same(entity, key, view[key], rebuilt[key]), (key, view[key], rebuilt[key])
    # …and, given the current record, nothing needs to change at all.
    assert mapping.to_webshop(entity, back, resolver, current=record) == {}


@_SETTINGS
@given(record=customers(), prices_incl=st.booleans())
def test_customers_round_trip(mapping: Mapping, record: dict[str, Any], prices_incl: bool) -> None:
    """Every two-way customer property survives the trip to Tripletex and back."""
    _assert_round_trip(mapping, "customer", record, make_resolver(prices_incl))


@_SETTINGS
@given(record=products(), prices_incl=st.booleans())
def test_products_round_trip(mapping: Mapping, record: dict[str, Any], prices_incl: bool) -> None:
    """Every two-way product property, the price in either VAT mode included, survives the round trip."""
    _assert_round_trip(mapping, "product", record, make_resolver(prices_incl))


@_SETTINGS
@given(record=orders(), prices_incl=st.booleans())
def test_orders_round_trip(mapping: Mapping, record: dict[str, Any], prices_incl: bool) -> None:
    """Orders with their lines and shipping line survive the round trip in either VAT mode."""
    _assert_round_trip(mapping, "order", record, make_resolver(prices_incl))


def test_two_way_keys_cover_the_documented_properties(mapping: Mapping) -> None:
    """The round trip checks the properties the issue names as two-way (not an empty set by accident)."""
    resolver = make_resolver(True)
    assert {
        "name",
        "email",
        "organization_number",
        "private",
        "billing_line1",
        "shipping_city",
        "active",
    } <= set(_two_way_keys(mapping, "customer", resolver))
    assert {"sku", "name", "price", "vat_type", "currency", "active"} <= set(
        _two_way_keys(mapping, "product", resolver)
    )
    assert {"customer", "number", "currency", "lines", "shipping", "delivery_line1"} <= set(
        _two_way_keys(mapping, "order", resolver)
    )
