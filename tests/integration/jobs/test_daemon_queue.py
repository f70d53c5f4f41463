"""``shopsync run --queue`` in this process: the daemon serves the webhooks and defers jobs, a worker
runs them; an unregistered tenant or a SQLite queue is refused before anything starts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx2
import pytest

from shopsync.config import ShopsyncConfig, parse_config
from shopsync.daemon import Daemon, DaemonInfo
from shopsync.jobs import QueueURLError, open_tenant_queue
from shopsync.simulators.serve import free_port
from shopsync.tenants import SecretBox, TenantPaused, TenantRegistry, TenantStatus, UnknownTenant
from tests.acceptance.sides import clients
from tests.fixtures.webshop import WebshopFactory, WebshopHandle
from tests.integration.conftest import SimFactory, SimHandle

from .fleet import NEVER, TenantSims, all_converged, eventually, worker

pytestmark = pytest.mark.e2e

SHOP_SECRET = "webshop-webhook-secret-for-jobs"


def daemon_config(folder: Path, tripletex: SimHandle, shop: WebshopHandle, state: str) -> ShopsyncConfig:
    """A daemon config for tenant ``shop-a`` with webhooks from the shop; polls an hour apart."""
    text = f"""
webshop:
  url: {json.dumps(shop.url)}
  token: {json.dumps(shop.token)}
  webhook_secret: {json.dumps(SHOP_SECRET)}
  api: {{pacing: {{requests_per_second: 1000}}}}
tripletex:
  url: {json.dumps(tripletex.api_url)}
  consumer_token: sim-consumer
  employee_token: sim-employee
state: {json.dumps(state)}
tenant: shop-a
server:
  host: 127.0.0.1
  port: {free_port()}
daemon: {{poll_seconds: 3600, full_reconcile_seconds: 3600}}
"""
    return parse_config(text, path=folder / "shop-a.yaml", environ={})


async def test_webhooks_become_jobs_that_a_worker_runs(
    tmp_path: Path,
    database: str,
    registry: TenantRegistry,
    box: SecretBox,
    tripletex_sim_factory: SimFactory,
    webshop_sim_factory: WebshopFactory,
) -> None:
    """The daemon's start-up pass is a job; a shop edit's webhook becomes a ``process_work`` job
    whose worker writes it to Tripletex; the daemon itself runs no engine call."""
    tripletex = tripletex_sim_factory(seed=7, customers=4, products=2, orders=0)
    shop = webshop_sim_factory(seed=8, customers=4, products=2, orders=1)
    config = daemon_config(tmp_path, tripletex, shop, database)
    registry.add("shop-a", config, box)
    sims = [TenantSims("shop-a", tripletex, shop, config)]
    ready: asyncio.Queue[DaemonInfo] = asyncio.Queue()
    async with (
        worker(database, box, poll_cron=NEVER) as runtime,
        open_tenant_queue(database, tenant="shop-a", state_url=database) as queue,
    ):
        daemon = Daemon(config, handle_signals=False, queue=queue, on_ready=ready.put_nowait)
        task = asyncio.create_task(daemon.run())
        try:
            await asyncio.wait_for(ready.get(), timeout=30)
            assert await eventually(lambda: all_converged(sims, {"shop-a"}), within=30)
            assert runtime.stats.jobs["poll"] >= 1 and daemon.worker is None

            async with httpx2.AsyncClient(headers=shop.headers, timeout=10) as http:
                listed = (await http.get(shop.api_url + "/customers?limit=100")).json()["items"]
                company = next(c for c in listed if c["type"] == "company")
                reply = await http.patch(
                    f"{shop.api_url}/customers/{company['id']}", json={"company_name": "Kø og Jobb AS"}
                )
                reply.raise_for_status()

            async def renamed() -> bool:
                async with clients(tripletex.api_url, shop.url) as (tx, _shop):
                    names = [c.name async for c in tx.customers.iterate(fields="name", is_inactive=False)]
                return "Kø og Jobb AS" in names

            assert await eventually(renamed, within=20)
            assert daemon.forwarder is not None and daemon.forwarder.forwarded >= 1
            assert runtime.stats.jobs["process_work"] >= 1
        finally:
            daemon.request_stop()
            await asyncio.wait_for(task, timeout=30)


async def test_the_queue_refuses_tenants_the_workers_would_not_sync(
    database: str, registry: TenantRegistry, box: SecretBox, tmp_path: Path
) -> None:
    """Unknown and paused tenants, and a queue that is not PostgreSQL, are clear errors."""
    with pytest.raises(UnknownTenant, match="'nobody'"):
        async with open_tenant_queue(database, tenant="nobody", state_url=database):
            pass
    with pytest.raises(QueueURLError, match="must be PostgreSQL"):
        async with open_tenant_queue(str(tmp_path / "q.sqlite"), tenant="nobody", state_url=database):
            pass
    config = parse_config(
        "webshop: {url: 'http://127.0.0.1:9', token: x}\ntripletex: {consumer_token: a, employee_token: b}\n",
        path=tmp_path / "c.yaml",
        environ={},
    )
    registry.add("resting", config, box)
    registry.set_status("resting", TenantStatus.PAUSED)
    with pytest.raises(TenantPaused):
        async with open_tenant_queue(database, tenant="resting", state_url=database):
            pass
