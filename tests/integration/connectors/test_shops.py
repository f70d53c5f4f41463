"""One connector interface, two very different shop APIs: the same behaviour over real sockets."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from shopsync.connectors.webshop import (
    ChangePage,
    Customer,
    NotFound,
    Order,
    PreconditionFailed,
    Product,
    Resource,
)

from .conftest import ShopUnderTest

pytestmark = pytest.mark.e2e


async def drain(
    shop: ShopUnderTest, resource: Resource, cursor: str | None
) -> tuple[list[ChangePage], str | None]:
    pages = [page async for page in shop.connector.changes(resource, cursor)]
    return pages, pages[-1].cursor if pages else cursor


def ids(pages: list[ChangePage]) -> list[str]:
    return [str(item.id) for page in pages for item in page.items]


async def test_product_lifecycle(shop: ShopUnderTest) -> None:
    """Create, get, find by SKU, update with If-Match, refuse a stale version, delete."""
    connector = shop.connector
    created = await connector.create("products", shop.product("KOPP-9", price="89.50", vat_rate="15.00"))
    assert isinstance(created, Product) and created.id is not None and created.version is not None
    assert (created.sku, created.price, created.stock_quantity) == ("KOPP-9", Decimal("89.50"), 5)
    assert created.vat_rate == Decimal("15.00")
    assert await connector.get("products", created.id) == created
    assert [p.id for p in await connector.find("products", sku="KOPP-9")] == [created.id]

    if shop.kind == "woocommerce":
        shop.freeze(
            dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
        )  # the next save lands in a later second
    updated = await connector.update(
        "products", created.id, {"price": "95.00", "active": False}, if_match=created.version
    )
    assert isinstance(updated, Product) and updated.price == Decimal("95.00") and not updated.active
    assert updated.version is not None and updated.version > created.version
    with pytest.raises(PreconditionFailed):
        await connector.update("products", created.id, {"price": "1.00"}, if_match=created.version)
    assert (await connector.get("products", created.id)).version == updated.version

    await connector.delete("products", created.id, if_match=updated.version)
    with pytest.raises(NotFound):
        await connector.get("products", created.id)
    assert await connector.find("products", sku="KOPP-9") == []


async def test_customer_round_trip(shop: ShopUnderTest) -> None:
    """Every contract field of a customer survives the trip through the shop's own shape."""
    sent = shop.customer("roundtrip@example.no")
    created = await shop.connector.create("customers", sent)
    assert isinstance(created, Customer)
    assert created.model_dump(mode="json", include=set(sent)) == sent
    patched = await shop.connector.update(
        "customers", str(created.id), {"billing_address": {"city": "Bergen"}}
    )
    assert isinstance(patched, Customer) and patched.billing_address.city == "Bergen"
    assert patched.billing_address.line1 == "Storgata 1"  # a merge patch keeps the rest of the address
    assert [c.id for c in await shop.connector.find("customers", email="roundtrip@example.no")] == [
        created.id
    ]


async def test_order_round_trip_and_line_changes(shop: ShopUnderTest) -> None:
    """An order's lines, amounts and VAT survive; replacing the lines never duplicates them."""
    customer = await shop.connector.create("customers", shop.customer("buyer@example.no"))
    product = await shop.connector.create("products", shop.product("ORD-1"))
    other = await shop.connector.create("products", shop.product("ORD-2", price="50.00", vat_rate="15.00"))
    order = await shop.connector.create("orders", shop.order(customer, product))
    assert isinstance(order, Order) and order.number and order.customer_id == customer.id
    line = order.lines[0]
    assert (line.product_id, line.sku, line.quantity, line.unit_price, line.vat_rate) == (
        product.id,
        "ORD-1",
        Decimal(2),
        Decimal("199.00"),
        Decimal("25.00"),
    )
    assert (order.shipping_cost, order.shipping_vat_rate, order.note, order.status) == (
        Decimal("99.00"),
        Decimal("25.00"),
        "Ring på",
        "processing",
    )

    new_line = {
        "product_id": other.id,
        "name": "Annet",
        "quantity": "1",
        "unit_price": "50.00",
        "vat_rate": "15.00",
    }
    grown = await shop.connector.update(
        "orders", str(order.id), {"lines": [line.model_dump(mode="json"), new_line]}
    )
    assert isinstance(grown, Order) and [ln.product_id for ln in grown.lines] == [product.id, other.id]
    shrunk = await shop.connector.update(
        "orders", str(order.id), {"lines": [grown.lines[1].model_dump(mode="json")], "status": "completed"}
    )
    assert isinstance(shrunk, Order) and [ln.product_id for ln in shrunk.lines] == [other.id]
    assert shrunk.status == "completed" and shrunk.lines[0].unit_price == Decimal("50.00")
    assert [o.id for o in await shop.connector.find("orders", number=str(order.number))] == [order.id]


@pytest.mark.parametrize("resource", ["customers", "products"])
async def test_the_change_feed_delivers_each_change_once(shop: ShopUnderTest, resource: Resource) -> None:
    """From a stored cursor: new and changed records come once, in their latest state; then nothing."""
    _, cursor = await drain(shop, resource, None)

    def make(n: int) -> dict[str, object]:
        return shop.customer(f"feed{n}@example.no") if resource == "customers" else shop.product(f"FEED-{n}")

    made = [await shop.connector.create(resource, make(n)) for n in range(3)]
    if shop.kind == "woocommerce":
        shop.freeze(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
    change = {"last_name": "Endret"} if resource == "customers" else {"name": "Endret"}
    changed = await shop.connector.update(resource, str(made[1].id), change)

    pages, cursor = await drain(shop, resource, cursor)
    delivered = [item for page in pages for item in page.items]
    assert Counter(str(i.id) for i in delivered) == Counter(str(m.id) for m in made)
    assert next(i for i in delivered if i.id == changed.id) == changed
    again, _ = await drain(shop, resource, cursor)
    assert ids(again) == []


async def test_deletions_are_visible_as_tombstones_or_by_reconciling_ids(shop: ShopUnderTest) -> None:
    """Contract shops report tombstones; WooCommerce forgets deleted records, so ``all_ids`` reveals them."""
    product = await shop.connector.create("products", shop.product("GONE-1"))
    _, cursor = await drain(shop, "products", None)
    assert str(product.id) in await shop.connector.all_ids("products")
    await shop.connector.delete("products", str(product.id))
    pages, _ = await drain(shop, "products", cursor)
    tombstones = [t.id for page in pages for t in page.tombstones]
    if shop.connector.capabilities("products").tombstones:
        assert tombstones == [product.id]
    else:
        assert tombstones == []
    assert str(product.id) not in await shop.connector.all_ids("products")


async def test_many_records_sharing_one_timestamp_are_each_delivered_once(shop: ShopUnderTest) -> None:
    """With the shop's clock frozen, hundreds of writes share one updated_at; pages of 100 still miss none."""
    count = 500 if shop.kind == "contract" else 250
    shop.freeze(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))  # ahead of every record so far
    _, start = await drain(shop, "products", None)
    if shop.kind == "contract":
        made = [
            str((await shop.connector.create("products", shop.product(f"TIE-{n}"))).id) for n in range(count)
        ]
    else:
        woo = shop.extras["woo"]
        made = [
            str(woo.store.save_product({"sku": f"TIE-{n}", "name": "t", "regular_price": "10"})["id"])
            for n in range(count)
        ]
    iterator = shop.connector.changes("products", start)
    first = await anext(iterator)
    await iterator.aclose()  # stop after one page, as a crash would
    rest, cursor = await drain(shop, "products", first.cursor)
    assert Counter(ids([first]) + ids(rest)) == Counter(made)
    assert len(rest) >= 2  # the ties really spanned several pages
    again, _ = await drain(shop, "products", cursor)
    assert ids(again) == []
