"""SIGTERM during a long first pass: the daemon asks the engine to stop at a safe point, so the pass
ends early (recorded as interrupted) instead of running on for the whole grace period; after a restart
every record is linked exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import httpx2
import pytest
from structlog.testing import capture_logs

from shopsync.daemon import Daemon
from shopsync.engine.summary import PassSummary
from shopsync.state import PassStatus, StateStore
from shopsync.tripletex import TripletexClient, TripletexSettings
from tests.fixtures.webshop import WebshopFactory, WebshopHandle
from tests.integration.conftest import SimFactory, SimHandle

from .conftest import build_config
from .test_service import eventually

pytestmark = pytest.mark.e2e

#: Longer than any test may run: a daemon that returns did so because the engine stopped, not the grace.
GRACE = 3600
IDLE = {"poll_seconds": 3600, "full_reconcile_seconds": 3600, "shutdown_grace_seconds": GRACE}


async def shop_ids(shop: WebshopHandle, resource: str) -> list[str]:
    """Every live record id of a shop resource."""
    ids: list[str] = []
    cursor: str | None = None
    async with httpx2.AsyncClient(base_url=shop.api_url, headers=shop.headers, timeout=10) as http:
        while True:
            page = (
                await http.get(
                    f"/{resource}", params={"limit": 500, **({"cursor": cursor} if cursor else {})}
                )
            ).json()
            ids += [item["id"] for item in page["items"] if not item.get("deleted")]
            cursor = page.get("next_cursor")
            if not cursor:
                return ids


async def tripletex_counts(sim: SimHandle) -> dict[str, int]:
    """How many customers (active or not), products and orders the simulator holds."""
    settings = TripletexSettings(
        base_url=sim.api_url, consumer_token="sim-consumer", employee_token="sim-employee"
    )
    window: dict[str, Any] = {"order_date_from": "2020-01-01", "order_date_to": "2030-01-01"}
    async with TripletexClient(settings) as tx:
        customers = 0
        for inactive in (False, True):
            customers += len([c async for c in tx.customers.iterate(fields="id", is_inactive=inactive)])
        return {
            "customer": customers,
            "product": len([p async for p in tx.products.iterate(fields="id")]),
            "order": len([o async for o in tx.orders.iterate(fields="id", **window)]),
        }


async def test_sigterm_stops_a_busy_first_pass_early_and_a_restart_completes_it(
    tmp_path: Path, tripletex_sim_factory: SimFactory, webshop_sim_factory: WebshopFactory
) -> None:
    tripletex = tripletex_sim_factory(seed=5, customers=30, products=10, orders=0, latency_ms=10)
    shop = webshop_sim_factory(seed=6, customers=40, products=10, orders=10, latency_ms=5)
    config = build_config(tmp_path, tripletex, shop, **IDLE).model_copy(update={"batch_size": 5})
    ready = asyncio.Event()
    daemon = Daemon(config, on_ready=lambda info: ready.set())
    with capture_logs() as logs:
        task = asyncio.create_task(daemon.run())
        await asyncio.wait_for(ready.wait(), timeout=30)
        with StateStore.open(config.state, config.tenant) as watcher:
            await eventually(lambda: watcher.count_links() > 0)  # the first batch is stored
        os.kill(os.getpid(), signal.SIGTERM)  # the daemon's own handler (handle_signals=True)
        await asyncio.wait_for(task, timeout=60)  # far below the grace: only a cooperative stop fits

    events = [e["event"] for e in logs]
    assert "daemon.signal" in events and "engine.pass_stopped" in events
    assert "daemon.engine_call_cancelled" not in events
    assert [e["clean"] for e in logs if e["event"] == "daemon.stopped"] == [True]
    with StateStore.open(config.state, config.tenant) as store:
        passes = store.recent_passes()
        assert [p.status for p in passes] == [PassStatus.INTERRUPTED]
        assert store.open_intents() == []
        assert store.count_links("order") == 0  # stopped long before the orders

    # Restart: the next start's pass does the rest; nothing is duplicated, nothing left out.
    done: asyncio.Queue[PassSummary | None] = asyncio.Queue()
    again = Daemon(config, handle_signals=False, on_first_pass=done.put_nowait)
    task = asyncio.create_task(again.run())
    try:
        summary = await asyncio.wait_for(done.get(), timeout=90)
        assert summary is not None and not summary.interrupted
    finally:
        again.request_stop()
        await asyncio.wait_for(task, timeout=60)
    counts = await tripletex_counts(tripletex)
    with StateStore.open(config.state, config.tenant) as store:
        assert store.open_intents() == []
        for entity, resource in (("customer", "customers"), ("product", "products"), ("order", "orders")):
            records = await shop_ids(shop, resource)
            partners = [store.tripletex_id_for(entity, i) for i in records]
            assert None not in partners, entity
            assert len(set(partners)) == len(records) == store.count_links(entity) == counts[entity], entity
