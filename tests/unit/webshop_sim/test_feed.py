"""The change feed: keyset order, cursors across equal timestamps, tombstones, inclusive since."""

from __future__ import annotations

from typing import Any

import pytest

from shopsync.simulators.webshop import WebshopConfig
from shopsync.simulators.webshop.clock import parse_ts, to_us, us_to_text
from shopsync.simulators.webshop.errors import ApiError
from shopsync.simulators.webshop.service import decode_cursor, encode_cursor
from shopsync.simulators.webshop.state import ShopState

PRODUCT = {"name": "Vare", "price": "10.00", "vat_rate": "25.00"}


def _instant(text: str) -> int:
    value = parse_ts(text)
    assert value is not None
    return to_us(value)


def _drain(shop: ShopState, limit: int, **kwargs: Any) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        page = shop.service.feed("products", cursor=cursor, limit=limit, **kwargs)
        pages += 1
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages


def test_cursor_round_trip() -> None:
    """A cursor decodes to the position it encodes; foreign strings decode to nothing."""
    assert decode_cursor(encode_cursor(1_795_902_000_000_000, 2002)) == (1_795_902_000_000_000, 2002)
    for junk in ("", "abc", "djE6eDp5", "!!!!"):
        assert decode_cursor(junk) is None


def test_records_sharing_a_timestamp_are_paged_exactly_once() -> None:
    """500 products with one updated_at come back once each over pages of 7, in id order."""
    shop = ShopState.build(WebshopConfig())
    shop.clock.freeze(_instant("2030-01-01T12:00:00Z"))
    created = [shop.service.create("products", {**PRODUCT, "sku": f"S-{n}"})["id"] for n in range(500)]
    assert len({shop.service.get("products", i)["updated_at"] for i in created}) == 1
    items, pages = _drain(shop, 7, updated_since=None)
    assert [item["id"] for item in items] == created
    assert pages == 72  # 71 full pages and one of 3


def test_order_is_updated_at_then_id_and_since_is_inclusive() -> None:
    """A later change moves a record to the end; updated_since includes its own instant."""
    shop = ShopState.build(WebshopConfig())
    shop.clock.freeze(_instant("2030-01-01T12:00:00Z"))
    a, b = (shop.service.create("products", {**PRODUCT, "sku": s})["id"] for s in ("A", "B"))
    shop.clock.freeze(_instant("2030-01-01T12:00:01Z"))
    shop.service.update("products", a, {"price": "11.00"}, None)
    items, _ = _drain(shop, 100, updated_since=None)
    assert [i["id"] for i in items] == [b, a]
    items, _ = _drain(shop, 100, updated_since="2030-01-01T13:00:01+01:00")
    assert [i["id"] for i in items] == [a]


def test_deletions_appear_as_tombstones_in_order() -> None:
    """A deleted record is reported once, as a tombstone at its deletion time."""
    shop = ShopState.build(WebshopConfig())
    shop.clock.freeze(_instant("2030-01-01T12:00:00Z"))
    a, b = (shop.service.create("products", {**PRODUCT, "sku": s})["id"] for s in ("A", "B"))
    shop.clock.freeze(_instant("2030-01-01T12:00:05Z"))
    shop.service.delete("products", a, None)
    items, _ = _drain(shop, 1, updated_since="2030-01-01T12:00:00Z")
    assert items[0]["id"] == b
    assert items[1] == {"id": a, "deleted": True, "updated_at": us_to_text(_instant("2030-01-01T12:00:05Z"))}
    later, _ = _drain(shop, 10, updated_since="2030-01-01T12:00:01Z")
    assert later == [items[1]]


def test_lookup_filter_ignores_tombstones() -> None:
    """Filtering by SKU returns the live product only, even after an older one was deleted."""
    shop = ShopState.build(WebshopConfig())
    old = shop.service.create("products", {**PRODUCT, "sku": "A"})["id"]
    shop.service.delete("products", old, None)
    new = shop.service.create("products", {**PRODUCT, "sku": "A"})["id"]
    items, _ = _drain(shop, 10, updated_since=None, lookup="A")
    assert [i["id"] for i in items] == [new]


def test_bad_cursor_is_a_field_error() -> None:
    """A cursor the shop never issued is a 422 on cursor."""
    shop = ShopState.build(WebshopConfig())
    with pytest.raises(ApiError) as caught:
        shop.service.feed("products", updated_since=None, cursor="bogus", limit=10)
    assert caught.value.status == 422
    assert caught.value.fields == [("cursor", "is not a cursor this shop issued")]


def test_feed_uses_the_keyset_index() -> None:
    """The page query seeks on the (updated_us, id) index: no table scan, no sort."""
    shop = ShopState.build(WebshopConfig())
    plan = shop.store.explain_feed("products")
    assert "ix_products_feed (updated_us>?)" in plan
    assert "TEMP B-TREE" not in plan
