"""Deletes: confirmed deletes deactivate the partner; the breaker stops mass deletes; failed reads don't."""

from __future__ import annotations

import pytest

from shopsync.engine import SyncStepFailed

from .conftest import World, Worlds

SHOP = {"customers": 12, "products": 12, "orders": 0}
ENTITIES = {"entities": ("customer", "product")}


async def synced(world: Worlds, **options: object) -> World:
    """A world with customers and products synced once (product names made unique)."""
    w = await world(shop=SHOP, options={**ENTITIES, **options})
    seen: set[str] = set()
    for product in await w.shop_list("products"):
        if product["name"] in seen:
            await w.shop_call(
                "PATCH", f"/products/{product['id']}", {"name": f"{product['name']} {product['sku']}"}
            )
        seen.add(product["name"])
    assert (await w.sync()).in_sync
    return w


async def test_shop_delete_deactivates_the_tripletex_customer(world: Worlds) -> None:
    """A customer deleted in the shop (tombstone) is set inactive in Tripletex, once."""
    w = await synced(world)
    record = (await w.shop_list("customers"))[0]
    tid = w.store.tripletex_id_for("customer", record["id"])
    assert tid is not None
    await w.shop_call("DELETE", f"/customers/{record['id']}")
    summary = await w.sync()
    assert summary.of("customer", "tripletex").deactivated == 1 and summary.in_sync
    assert (await w.admin.customers.get(tid, fields="isInactive")).isInactive is True
    before = (w.tx_writes(), w.shop_writes())
    await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before


async def test_tripletex_delete_deactivates_the_shop_product(world: Worlds) -> None:
    """A product deleted in Tripletex (missing from a complete scan, then 404) is deactivated in the shop."""
    w = await synced(world)
    record = (await w.shop_list("products"))[2]
    tid = w.store.tripletex_id_for("product", record["id"])
    assert tid is not None
    await w.admin.products.delete(tid)
    summary = await w.sync()
    assert summary.of("product", "webshop").deactivated == 1 and summary.in_sync
    assert (await w.shop_call("GET", f"/products/{record['id']}"))["active"] is False
    before = (w.tx_writes(), w.shop_writes())
    await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before


async def test_mass_delete_breaker_stops_and_asks(world: Worlds) -> None:
    """Deleting a third of the products trips the breaker: nothing is deactivated until it is allowed."""
    w = await synced(world)
    doomed = (await w.shop_list("products"))[:4]
    for product in doomed:
        await w.shop_call("DELETE", f"/products/{product['id']}")
    before = w.tx_writes()
    summary = await w.sync()
    assert "product" in summary.breaker and summary.exit_code == 1
    assert w.tx_writes() == before
    assert len(w.store.queued_work("product")) == 4
    again = await w.sync()
    assert "product" in again.breaker and w.tx_writes() == before
    allowed = await w.sync(allow_mass_delete=True)
    assert allowed.of("product", "tripletex").deactivated == 4 and allowed.in_sync
    for product in doomed:
        tid = w.store.tripletex_id_for("product", product["id"])
        assert tid is not None
        assert (await w.admin.products.get(tid, fields="isInactive")).isInactive is True


async def test_a_failed_read_deletes_nothing(world: Worlds) -> None:
    """Tripletex failing every read stops the pass with an error; no link is touched, nothing written."""
    w = await synced(world)
    before = (w.tx_writes(), w.shop_writes())
    w.tx_admin("POST", "/_sim/faults", {"fail_rate": 1.0})
    with pytest.raises(SyncStepFailed) as failed:
        await w.sync()
    assert failed.value.step in ("detect", "recover")
    w.tx_admin("DELETE", "/_sim/faults")
    assert (w.tx_writes(), w.shop_writes()) == before
    assert w.store.count_links("customer") == 12
    assert w.store.last_pass() is not None and w.store.last_pass().status == "failed"  # type: ignore[union-attr]
    assert (await w.sync()).in_sync


async def test_an_emptied_tripletex_trips_the_breaker(world: Worlds) -> None:
    """A Tripletex that suddenly lists nothing (wiped account) deactivates nothing in the shop."""
    w = await synced(world)
    before, customers = w.shop_writes(), await w.shop_list("customers")
    w.tx_admin("POST", "/_sim/reset")
    summary = await w.sync()
    assert {"customer", "product"} <= set(summary.breaker)
    assert w.shop_writes() == before
    assert await w.shop_list("customers") == customers
