"""A worker in this process against real simulators and PostgreSQL: tenants sync, webhook work
becomes jobs, paused tenants are skipped, decisions run as jobs."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from shopsync.jobs import JobDeferrer, run_worker
from shopsync.state import StateStore
from shopsync.tenants import SecretBox, SecretKeyError, TenantRegistry, TenantStatus, generate_key
from tests.acceptance.sides import clients
from tests.fixtures.webshop import WebshopFactory
from tests.integration.conftest import SimFactory

from .fleet import NEVER, all_converged, check, eventually, register, start_fleet, worker
from .workers import rows

pytestmark = pytest.mark.e2e


async def test_a_worker_syncs_every_active_tenant_and_skips_paused_ones(
    tmp_path: Path,
    database: str,
    registry: TenantRegistry,
    box: SecretBox,
    tripletex_sim_factory: SimFactory,
    webshop_sim_factory: WebshopFactory,
) -> None:
    """Two active tenants converge through the periodic polls alone; a paused one is never touched."""
    fleet = start_fleet(3, tmp_path, database, tripletex_sim_factory, webshop_sim_factory)
    register(registry, fleet, box)
    registry.set_status("t02", TenantStatus.PAUSED)
    async with worker(database, box) as runtime:
        pending = {"t00", "t01"}
        assert await eventually(lambda: all_converged(fleet, pending), within=40), pending
        assert runtime.stats.jobs["poll"] >= 2
    paused = fleet[2]
    assert paused.tripletex_stats()["writes"] == 0
    assert not (await check(paused)).ok  # never synced: the shop's records are not in Tripletex


async def test_webhook_work_runs_as_a_process_work_job(
    tmp_path: Path,
    database: str,
    registry: TenantRegistry,
    box: SecretBox,
    tripletex_sim_factory: SimFactory,
    webshop_sim_factory: WebshopFactory,
) -> None:
    """Work queued in the state store (as the webhook receiver leaves it) is synced by a
    ``process_work`` job; no periodic poll runs here."""
    fleet = start_fleet(1, tmp_path, database, tripletex_sim_factory, webshop_sim_factory)
    register(registry, fleet, box)
    tenant = fleet[0]
    async with worker(database, box, poll_cron=NEVER) as runtime:
        deferrer: JobDeferrer = runtime.deferrer
        assert await deferrer.poll("t00") is not None
        assert await eventually(lambda: all_converged(fleet, {"t00"}), within=30)

        async with httpx2.AsyncClient(headers=tenant.shop.headers, timeout=10) as http:
            listed = (await http.get(tenant.shop.api_url + "/customers?limit=100")).json()["items"]
            company = next(c for c in listed if c["type"] == "company")
            patch = {"company_name": "Jobbet AS"}
            assert (
                await http.patch(f"{tenant.shop.api_url}/customers/{company['id']}", json=patch)
            ).is_success
        store = StateStore.from_engine(registry.engine, "t00")
        store.enqueue("customer", "webshop", company["id"], "webhook webshop customer.updated")
        first = await deferrer.process_work("t00")
        assert first is not None
        assert await deferrer.process_work("t00") in (None, first + 1)  # collapsed while it waits

        async def renamed() -> bool:
            async with clients(tenant.tripletex.api_url, tenant.shop.url) as (tx, _shop):
                names = [c.name async for c in tx.customers.iterate(fields="id,name", is_inactive=False)]
            return "Jobbet AS" in names

        assert await eventually(renamed, within=20)
        assert runtime.stats.jobs["poll"] == 1
        assert runtime.stats.jobs["process_work"] >= 1
        assert store.due_work(10) == []


async def test_a_decision_that_cannot_be_taken_fails_once_and_is_not_retried(
    tmp_path: Path,
    database: str,
    registry: TenantRegistry,
    box: SecretBox,
    tripletex_sim_factory: SimFactory,
    webshop_sim_factory: WebshopFactory,
) -> None:
    """``resolve_conflict`` of an unknown conflict runs under the tenant's lock and fails for good."""
    fleet = start_fleet(1, tmp_path, database, tripletex_sim_factory, webshop_sim_factory)
    register(registry, fleet, box)
    async with worker(database, box, poll_cron=NEVER) as runtime:
        job = await runtime.deferrer.resolve_conflict("t00", 4242, "webshop")
        assert job is not None

        async def finished() -> bool:
            [row] = rows(database, "SELECT status FROM procrastinate_jobs WHERE id = :id", id=job)
            return row.status in ("failed", "succeeded")

        assert await eventually(finished, within=20)
    [done] = rows(database, "SELECT status, attempts, lock FROM procrastinate_jobs WHERE id = :id", id=job)
    assert (done.status, done.attempts, done.lock) == ("failed", 1, "shopsync:tenant:t00")


async def test_a_worker_with_the_wrong_key_refuses_to_start(
    tmp_path: Path,
    database: str,
    registry: TenantRegistry,
    box: SecretBox,
    tripletex_sim_factory: SimFactory,
    webshop_sim_factory: WebshopFactory,
) -> None:
    """Started with another key than the tenants were sealed with: a clear error before any job."""
    fleet = start_fleet(1, tmp_path, database, tripletex_sim_factory, webshop_sim_factory)
    register(registry, fleet, box)
    with pytest.raises(SecretKeyError, match="cannot decrypt tenant 't00'"):
        await run_worker(database, box=SecretBox([generate_key()]), handle_signals=False)
    assert fleet[0].tripletex_stats()["total"] == 0
