"""Orders end to end: lines and the shipping line, totals to the øre, line edits both ways, waiting, locks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopsync.mapping import money
from shopsync.tripletex import Order, OrderLine

from .conftest import World, Worlds

SHOP = {"customers": 8, "products": 8, "orders": 6}
WIDE = {"order_window_days": 2000}  # the seeded orders are from 2025
LINE_FIELDS = "id,description,count,unitPriceIncludingVatCurrency,amountIncludingVatCurrency,product(id)"


async def unique_product_names(w: World) -> None:
    """Tripletex refuses duplicate product names; the seeded catalogue repeats some."""
    seen: set[str] = set()
    for product in await w.shop_list("products"):
        if product["name"] in seen:
            await w.shop_call(
                "PATCH", f"/products/{product['id']}", {"name": f"{product['name']} {product['sku']}"}
            )
        seen.add(product["name"])


async def synced_world(world: Worlds, **kw: Any) -> World:
    """A world with customers, products and orders synced once."""
    w = await world(shop=kw.pop("shop", SHOP), options={**WIDE, **kw.pop("options", {})}, **kw)
    await unique_product_names(w)
    summary = await w.sync()
    assert summary.in_sync, summary
    return w


async def tx_lines(w: World, order_id: str) -> list[OrderLine]:
    """The Tripletex lines of a webshop order's partner."""
    tid = w.store.tripletex_id_for("order", order_id)
    assert tid is not None
    return await w.admin.order_lines.for_order(tid, fields=LINE_FIELDS)


async def assert_totals_equal(w: World, order: dict[str, Any]) -> None:
    """Tripletex's line amounts add up to the shop's order total, to the øre."""
    total = sum(
        (line.amountIncludingVatCurrency or Decimal(0) for line in await tx_lines(w, order["id"])), Decimal(0)
    )
    assert total == money.shop_order_total(order, prices_include_vat=True), order["number"]


async def test_seeded_orders_reach_tripletex_with_lines_shipping_and_equal_totals(world: Worlds) -> None:
    """Customers and products first, then every order with its lines and a "Frakt" line; then idle."""
    w = await synced_world(world)
    orders = await w.shop_list("orders")
    assert len(orders) == 6
    for order in orders:
        lines = await tx_lines(w, order["id"])
        assert len(lines) == len(order["lines"]) + 1
        assert [line.description for line in lines][-1] == "Frakt"
        await assert_totals_equal(w, order)
        tid = w.store.tripletex_id_for("order", order["id"])
        assert tid is not None
        tx = await w.admin.orders.get(tid, fields="number,customer(id)")
        assert tx.number == order["number"] and tx.customer is not None
        assert tx.customer.id == w.store.tripletex_id_for("customer", order["customer_id"])
        assert len(w.store.child_links("order_line", order["id"])) == len(lines)
    before = (w.tx_writes(), w.shop_writes())
    again = await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before and again.total().writes == 0


async def test_shop_line_changes_update_tripletex_lines_in_place(world: Worlds) -> None:
    """Added, changed and removed shop lines: kept lines keep their ids, nothing duplicates, totals match."""
    w = await synced_world(world)
    order = next(o for o in await w.shop_list("orders") if len(o["lines"]) >= 2)
    before = {line.description: line.id for line in await tx_lines(w, order["id"])}
    products = await w.shop_list("products")
    extra = next(p for p in products if p["id"] not in {line["product_id"] for line in order["lines"]})
    kept, changed = order["lines"][0], order["lines"][1]
    new_lines = [
        {k: v for k, v in kept.items() if k != "id"},
        {**{k: v for k, v in changed.items() if k != "id"}, "quantity": "7"},
        {"product_id": extra["id"], "sku": extra["sku"], "name": extra["name"], "quantity": "1",
         "unit_price": extra["price"], "vat_rate": extra["vat_rate"], "discount_percent": "0.00"},
    ]  # fmt: skip
    await w.shop_call("PATCH", f"/orders/{order['id']}", {"lines": new_lines, "shipping_cost": "79.00"})
    summary = await w.sync()
    assert summary.of("order", "tripletex").updated == 1 and summary.in_sync
    after = await tx_lines(w, order["id"])
    assert len(after) == 4  # three lines and the shipping line, no duplicates
    by_name = {line.description: line for line in after}
    assert by_name[kept["name"]].id == before[kept["name"]]  # unchanged line kept in place
    assert by_name[changed["name"]].id == before[changed["name"]] and by_name[changed["name"]].count == 7
    assert by_name["Frakt"].id == before["Frakt"]
    await assert_totals_equal(w, await w.shop_call("GET", f"/orders/{order['id']}"))
    writes = (w.tx_writes(), w.shop_writes())
    await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == writes


async def test_tripletex_line_changes_reach_the_shop(world: Worlds) -> None:
    """A count changed and a line removed in Tripletex arrive in the shop's lines; totals match."""
    w = await synced_world(world)
    order = next(o for o in await w.shop_list("orders") if len(o["lines"]) >= 2)
    tid = w.store.tripletex_id_for("order", order["id"])
    assert tid is not None
    lines = await tx_lines(w, order["id"])
    first, dropped = lines[0], lines[1]
    current = await w.admin.orders.get(tid, fields="id,version")
    keep = [OrderLine(id=line.id) for line in lines if line.id != dropped.id]
    keep[0] = OrderLine(id=first.id, count=Decimal(5))
    await w.admin.orders.update(
        Order(id=tid, version=current.version, orderLines=keep), update_lines_and_groups=True
    )
    summary = await w.sync()
    assert summary.of("order", "webshop").updated == 1 and summary.in_sync
    shop = await w.shop_call("GET", f"/orders/{order['id']}")
    assert len(shop["lines"]) == len(order["lines"]) - 1
    assert {line["name"]: line["quantity"] for line in shop["lines"]}[first.description or ""] == "5"
    await assert_totals_equal(w, shop)
    writes = (w.tx_writes(), w.shop_writes())
    await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == writes


async def test_order_waits_for_a_customer_that_cannot_sync(world: Worlds) -> None:
    """An order whose customer is dead-lettered waits with a reason; it syncs once the customer does."""
    w = await world(shop=SHOP, options=WIDE)
    await unique_product_names(w)
    order = (await w.shop_list("orders"))[0]
    customer = await w.shop_call("GET", f"/customers/{order['customer_id']}")
    # The shop accepts this address; Tripletex does not.
    await w.shop_call("PATCH", f"/customers/{customer['id']}", {"email": "kari;ola@example.no"})
    summary = await w.sync()
    assert summary.exit_code == 1
    assert summary.of("customer", "webshop").dead_lettered == 1
    assert summary.of("order", "webshop").waiting >= 1
    waiting = {item.record_id: item.reason for item in w.store.queued_work("order")}
    assert "not linked" in waiting[order["id"]]
    assert w.store.tripletex_id_for("order", order["id"]) is None
    await w.shop_call("PATCH", f"/customers/{customer['id']}", {"email": "kari.ola@example.no"})
    healed = await w.sync()
    assert w.store.tripletex_id_for("order", order["id"]) is not None
    assert healed.in_sync, healed


async def test_edits_to_a_closed_tripletex_order_become_a_conflict(world: Worlds) -> None:
    """A shop edit of an order closed in Tripletex is an open "locked" conflict, not a retry loop."""
    w = await synced_world(world)
    order = (await w.shop_list("orders"))[0]
    tid = w.store.tripletex_id_for("order", order["id"])
    assert tid is not None
    current = await w.admin.orders.get(tid, fields="id,version")
    await w.admin.orders.update(Order(id=tid, version=current.version, isClosed=True))
    await w.shop_call("PATCH", f"/orders/{order['id']}", {"note": "Endret etter fakturering"})
    summary = await w.sync()
    assert summary.exit_code == 1
    [conflict] = w.store.open_conflicts("order")
    assert conflict.field == "note" and conflict.policy == "locked"
    assert (
        await w.admin.orders.get(tid, fields="deliveryComment")
    ).deliveryComment != "Endret etter fakturering"
    writes = (w.tx_writes(), w.shop_writes())
    again = await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == writes and again.exit_code == 1
