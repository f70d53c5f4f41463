"""A pass reads the webshop feed in windows (``EngineOptions.feed_window``), each synced and committed
before the next is read, so its memory does not grow with the shop. Here pages of 4 and windows of 5
records make every pass span several windows of the small seeded data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from shopsync.connectors.webshop import WebshopAPIConfig, WebshopConnector
from shopsync.engine import EngineOptions, ProgressEvent, SyncEngine
from shopsync.tripletex import Customer

from .conftest import FAST_SHOP, World, Worlds
from .test_faults import assert_one_partner_each
from .test_orders import WIDE, unique_product_names

SHOP = {"customers": 14, "products": 8, "orders": 6}
TRIPLETEX = {"seed": 3, "customers": 4, "products": 3, "orders": 0}
#: Several windows per entity, and create batches that do not line up with them.
SMALL = {**WIDE, "feed_window": 5, "batch_size": 3}


@asynccontextmanager
async def windowed(w: World, **options: object) -> AsyncIterator[SyncEngine]:
    """An engine on ``w`` whose connector reads the feed in pages of 4 records."""
    config = WebshopAPIConfig.model_validate(
        {"base_url": w.shop.url, "auth": {"token": w.shop.token}, **FAST_SHOP, "pagination": {"page_size": 4}}
    )
    async with WebshopConnector(config) as connector:
        yield SyncEngine(
            store=w.store,
            tripletex=w.client,
            webshop=connector,
            mapping=w.mapping,
            options=EngineOptions(**(SMALL | options)),  # type: ignore[arg-type]
        )


async def loaded(world: Worlds, **shop: int) -> World:
    w = await world(shop=SHOP | shop, tripletex=TRIPLETEX, options=SMALL)
    await unique_product_names(w)
    return w


async def test_an_initial_load_in_windows_links_everything_once_then_idles(world: Worlds) -> None:
    """Every record of both sides ends with exactly one partner; the next pass writes nothing."""
    w = await loaded(world)
    async with windowed(w) as engine:
        first = await engine.run_pass()
        assert first.in_sync, first
        assert first.of("customer", "tripletex").created == SHOP["customers"]
        await assert_one_partner_each(w)
        assert w.store.cursor("webshop", "order") is not None
        before = (w.tx_writes(), w.shop_writes())
        idle = await engine.run_pass()
        assert idle.in_sync and idle.total().writes == 0
        assert (w.tx_writes(), w.shop_writes()) == before


async def test_a_stop_after_a_window_keeps_its_commit(world: Worlds) -> None:
    """A pass stopped after its first customer window committed: that window's feed position is stored
    (the next pass does not read it again) and the next pass finishes without a duplicate."""
    w = await loaded(world)
    async with windowed(w) as engine:
        commits = 0

        def stop_after_first_commit(event: ProgressEvent) -> None:
            nonlocal commits
            if event.entity == "customer" and event.stage == "commit":
                commits += 1
                if commits == 1:
                    engine.request_stop()

        stopped = await engine.run_pass(progress=stop_after_first_commit)
        assert stopped.interrupted
        assert w.store.cursor("webshop", "customer") is not None
        created = stopped.of("customer", "tripletex").created
        assert 0 < created < SHOP["customers"]
        engine.clear_stop()
        final = await engine.run_pass()
        assert final.in_sync, final
        assert final.of("customer", "tripletex").created == SHOP["customers"] - created
        await assert_one_partner_each(w)


async def test_edits_on_both_sides_across_windows_meet_once(world: Worlds) -> None:
    """A Tripletex edit is merged with its shop record's edit in that record's window (the last one):
    both edits of different fields are kept, nothing is written twice, the next pass is idle."""
    w = await loaded(world)
    async with windowed(w) as engine:
        assert (await engine.run_pass()).in_sync
        shop = await w.shop_list("customers")
        last = shop[-1]
        tid = w.store.tripletex_id_for("customer", last["id"])
        assert tid is not None
        address = {**last["billing_address"], "city": "Vardø"}
        for record in shop[:10]:  # other edits first in the feed: the edited pair is in a later window
            await w.shop_call("PATCH", f"/customers/{record['id']}", {"phone": "+4722334455"})
        await w.shop_call("PATCH", f"/customers/{last['id']}", {"billing_address": address})
        current = await w.admin.customers.get(tid)
        await w.admin.customers.update(Customer(id=tid, version=current.version, email="ny@example.no"))
        summary = await engine.run_pass()
        assert summary.in_sync, summary
        assert summary.of("customer", "webshop").updated == 1
        merged = await w.admin.customers.get(tid, fields="email,postalAddress(city)")
        assert merged.email == "ny@example.no"
        assert merged.postalAddress is not None and merged.postalAddress.city == "Vardø"
        assert (await w.shop_call("GET", f"/customers/{last['id']}"))["email"] == "ny@example.no"
        before = (w.tx_writes(), w.shop_writes())
        assert (await engine.run_pass()).total().writes == 0
        assert (w.tx_writes(), w.shop_writes()) == before


async def test_the_breaker_counts_the_deletes_of_every_window(world: Worlds) -> None:
    """Deletes are applied once per pass: deleting a third of the customers trips the breaker although
    no single window of the feed holds that many."""
    w = await loaded(world, orders=0)  # customers with orders cannot be deleted
    async with windowed(w) as engine:
        assert (await engine.run_pass()).in_sync
        for record in (await w.shop_list("customers"))[:6]:
            await w.shop_call("DELETE", f"/customers/{record['id']}")
        before = w.tx_writes()
        summary = await engine.run_pass()
        assert "customer" in summary.breaker and summary.exit_code == 1
        assert w.tx_writes() == before
        allowed = await engine.run_pass(allow_mass_delete=True)
        assert allowed.of("customer", "tripletex").deactivated == 6
