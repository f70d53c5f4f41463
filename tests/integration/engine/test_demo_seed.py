"""The demo's two seeded simulators synced by hand: products whose names Tripletex already holds (the
shop sells several under one name; the seeded Tripletex has its own catalogue) are created under a
disambiguated name instead of being dead-lettered, so their orders follow; the next pass writes nothing."""

from __future__ import annotations

import pytest

from shopsync.tripletex import Product

from .conftest import World, Worlds

#: Both simulators seeded as ``shopsync demo`` seeds them (same seed), at a smaller size.
SEEDED = {"seed": 1, "customers": 25, "products": 40, "orders": 30}


async def tx_names(w: World) -> dict[int, str]:
    return {p.id: p.name or "" async for p in w.admin.products.iterate(fields="id,name") if p.id is not None}


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
async def test_two_seeded_simulators_sync_without_name_collisions(world: Worlds) -> None:
    """First pass: every product and order synced, none dead-lettered; repeated names are told apart in
    Tripletex only ("name (SKU)", with a timeline event); the second pass writes nothing. A later shop
    rename to a taken name is disambiguated the same way."""
    w = await world(shop=SEEDED, tripletex=SEEDED, options={"order_window_days": 2000})
    shop_products = await w.shop_list("products")
    names = [p["name"] for p in shop_products]
    assert len(set(names)) < len(names)  # the shop really sells several products under one name
    first = await w.sync()
    assert first.in_sync, first
    assert w.store.open_dead_letters() == [] and w.store.queued_work() == []
    assert first.of("product", "tripletex").created == len(shop_products)
    assert first.of("order", "tripletex").created == SEEDED["orders"]
    in_tripletex = await tx_names(w)
    renamed = 0
    for product in shop_products:
        tid = w.store.tripletex_id_for("product", product["id"])
        assert tid is not None
        if in_tripletex[tid] != product["name"]:
            assert in_tripletex[tid] == f"{product['name']} ({product['sku']})"
            events = w.store.timeline("product", webshop_id=product["id"])
            assert any(e.action == "renamed" for e in events)
            renamed += 1
    assert renamed == len(names) - len(set(names))
    now = {p["id"]: p["name"] for p in await w.shop_list("products")}
    assert [now[p["id"]] for p in shop_products] == names  # the suffix never reached the shop
    writes = (w.tx_writes(), w.shop_writes())
    second = await w.sync()
    assert second.in_sync and second.total().writes == 0 and (w.tx_writes(), w.shop_writes()) == writes

    a, b = shop_products[0], next(p for p in shop_products if p["name"] != shop_products[0]["name"])
    await w.shop_call("PATCH", f"/products/{a['id']}", {"name": b["name"]})
    third = await w.sync()
    assert third.in_sync, third
    tid = w.store.tripletex_id_for("product", a["id"])
    assert tid is not None
    assert (await w.admin.products.get(tid, fields="name")).name == f"{b['name']} ({a['sku']})"
    assert (await w.shop_call("GET", f"/products/{a['id']}"))["name"] == b["name"]
    writes = (w.tx_writes(), w.shop_writes())
    assert (await w.sync()).total().writes == 0 and (w.tx_writes(), w.shop_writes()) == writes
    current = await w.admin.products.get(tid)
    await w.admin.products.update(Product(id=tid, version=current.version, name="Nytt navn i regnskapet"))
    assert (await w.sync()).of("product", "webshop").updated == 1  # a real Tripletex rename still flows
    assert (await w.shop_call("GET", f"/products/{a['id']}"))["name"] == "Nytt navn i regnskapet"
