"""A fleet of tenants for the job tests: a simulator pair per tenant, configs, registration, checks.

``start_fleet`` starts, per tenant, a small seeded Tripletex simulator (with a tight rate limit when
asked) and a small seeded reference shop, in threads of this process; ``register`` seals their
configs into the registry; ``converged`` reads both systems of a tenant through their APIs (never
the state store) and says whether they agree — no duplicate, nothing missing, no lost edit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from shopsync.config import ShopsyncConfig, parse_config
from shopsync.jobs import JobSettings, Runtime, run_worker
from shopsync.tenants import RateLimit, SecretBox, TenantRegistry
from tests.acceptance.sides import Check, check_sides, clients, read_sides
from tests.fixtures.webshop import WebshopFactory, WebshopHandle
from tests.integration.conftest import SimFactory, SimHandle

#: Settings for workers under test: every tick within a second or two, a dead worker noticed in 3 s.
FAST_JOBS: dict[str, str] = {
    "SHOPSYNC_JOBS_POLL_CRON": "* * * * * */2",
    "SHOPSYNC_JOBS_RECOVER_CRON": "* * * * * */1",
    "SHOPSYNC_JOBS_HEARTBEAT_SECONDS": "0.5",
    "SHOPSYNC_JOBS_STALLED_SECONDS": "3",
    "SHOPSYNC_JOBS_RETRY_WAIT_SECONDS": "0.5",
    "SHOPSYNC_JOBS_BUSY_RETRY_SECONDS": "0.3",
    "SHOPSYNC_JOBS_FETCH_POLLING_SECONDS": "0.5",
    "SHOPSYNC_JOBS_SHUTDOWN_GRACE_SECONDS": "10",
    "SHOPSYNC_JOBS_KEEP_SUCCEEDED_JOBS": "true",
}


@dataclass(frozen=True)
class TenantSims:
    """One tenant's systems and its config (secrets included, as ``tenants add`` reads them)."""

    name: str
    tripletex: SimHandle
    shop: WebshopHandle
    config: ShopsyncConfig

    def tripletex_stats(self) -> dict[str, Any]:
        """The Tripletex simulator's ``/_sim/stats``."""
        response = httpx2.get(self.tripletex.url + "/_sim/stats", timeout=10)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data


def tenant_config(
    folder: Path, name: str, tripletex: SimHandle, shop: WebshopHandle, state: str
) -> ShopsyncConfig:
    """The config of a shop synced by workers (webshop → Tripletex orders, both ways for the rest)."""
    text = f"""
webshop:
  url: {json.dumps(shop.url)}
  token: {json.dumps(shop.token)}
  api: {{pacing: {{requests_per_second: 1000}}}}
tripletex:
  url: {json.dumps(tripletex.api_url)}
  consumer_token: sim-consumer
  employee_token: sim-employee
state: {json.dumps(state)}
tenant: {json.dumps(name)}
"""
    return parse_config(text, path=folder / f"{name}.yaml", environ={})


def start_fleet(
    count: int,
    folder: Path,
    state: str,
    tripletex_sim_factory: SimFactory,
    webshop_sim_factory: WebshopFactory,
    *,
    rate_limit: int | None = None,
    rate_period: float = 1.0,
    latency_ms: int = 0,
    size: int = 4,
) -> list[TenantSims]:
    """``count`` tenants ``t00``, ``t01`` … with their own simulator pair and ``size`` customers a side."""
    fleet = []
    for index in range(count):
        extra: dict[str, Any] = {"rate_limit": rate_limit, "rate_period": rate_period} if rate_limit else {}
        tripletex = tripletex_sim_factory(
            seed=100 + index, customers=size, products=2, orders=0, latency_ms=latency_ms, **extra
        )
        shop = webshop_sim_factory(
            seed=200 + index, customers=size, products=2, orders=2, latency_ms=latency_ms
        )
        name = f"t{index:02d}"
        fleet.append(TenantSims(name, tripletex, shop, tenant_config(folder, name, tripletex, shop, state)))
    return fleet


def register(
    registry: TenantRegistry, fleet: list[TenantSims], box: SecretBox, rate: RateLimit | None = None
) -> None:
    """Register every tenant of the fleet (active)."""
    for tenant in fleet:
        registry.add(tenant.name, tenant.config, box, rate_limit=rate)


async def check(tenant: TenantSims) -> Check:
    """Compare the tenant's two systems through their APIs."""
    async with clients(tenant.tripletex.api_url, tenant.shop.url) as (tx, shop):
        return check_sides(await read_sides(tx, shop))


async def eventually(
    probe: Callable[[], Awaitable[bool]], *, within: float = 60.0, interval: float = 0.3
) -> bool:
    """Await ``probe()`` until it is true (True) or ``within`` seconds passed (False)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await probe():
            return True
        await asyncio.sleep(interval)
    return False


async def all_converged(fleet: list[TenantSims], pending: set[str]) -> bool:
    """True once every tenant in ``pending`` has converged (converged ones are removed from it)."""
    results = await asyncio.gather(*(check(t) for t in fleet if t.name in pending))
    for tenant, result in zip([t for t in fleet if t.name in pending], results, strict=True):
        if result.ok and result.records_checked > 0:
            pending.discard(tenant.name)
    return not pending


def fast_settings(**overrides: str) -> JobSettings:
    """``FAST_JOBS`` as settings, with ``overrides`` (field names)."""
    values = {k.removeprefix("SHOPSYNC_JOBS_").lower(): v for k, v in FAST_JOBS.items()} | overrides
    return JobSettings.model_validate(values)


#: A poll schedule that never comes round in a test (1 January, midnight).
NEVER = "0 0 1 1 *"


@contextlib.asynccontextmanager
async def worker(
    database: str, box: SecretBox, concurrency: int = 2, **settings: str
) -> AsyncIterator[Runtime]:
    """A worker running in this event loop until the block ends (``settings`` override FAST_JOBS)."""
    ready: asyncio.Queue[Runtime] = asyncio.Queue()
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_worker(
            database,
            box=box,
            concurrency=concurrency,
            settings=fast_settings(**settings),
            handle_signals=False,
            on_ready=ready.put_nowait,
            stop=stop,
        )
    )
    try:
        yield await asyncio.wait_for(ready.get(), timeout=30)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
