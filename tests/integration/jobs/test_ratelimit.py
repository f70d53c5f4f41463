"""The shared Tripletex rate limit: several processes' clients on one account never draw a 429."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx2
import psycopg_pool
import pytest
from pydantic import SecretStr

from shopsync.jobs import SharedRateLimiter
from shopsync.jobs.connection import conninfo
from shopsync.tenants import RateLimit, TenantRegistry
from shopsync.tripletex import TripletexClient, TripletexSettings
from tests.integration.conftest import SimFactory, SimHandle

pytestmark = pytest.mark.e2e

#: The simulated account's allowance, and the share given to the shared limiter (the session
#: logins count too; a little headroom covers the time between a grant and the request's arrival).
SIM_LIMIT, PERIOD = 10, 0.5
SHARED = RateLimit(8, PERIOD)
CLIENTS, TASKS, CALLS = 3, 4, 4


def sim_stats(sim: SimHandle) -> dict[str, Any]:
    """The simulator's ``/_sim/stats``: requests answered, 429s."""
    data: dict[str, Any] = httpx2.get(sim.url + "/_sim/stats", timeout=10).json()
    return data


@contextlib.asynccontextmanager
async def pool(database: str) -> AsyncIterator[psycopg_pool.AsyncConnectionPool]:
    """A small psycopg pool, as one worker process has."""
    opened = psycopg_pool.AsyncConnectionPool(conninfo(database), min_size=1, max_size=TASKS, open=False)
    await opened.open(wait=True)
    try:
        yield opened
    finally:
        await opened.close()


async def hammer(sim: SimHandle, limiter: Callable[[], Awaitable[None]] | None, calls: int = CALLS) -> None:
    """One client (one "process") reading customers from ``TASKS`` tasks at once."""
    settings = TripletexSettings(
        base_url=sim.api_url,
        consumer_token=SecretStr("sim-consumer"),
        employee_token=SecretStr("sim-employee"),
        rate_limit_safety_margin=0,
    )
    async with TripletexClient(settings, limiter=limiter) as tx:

        async def run() -> None:
            for _ in range(calls):
                await tx.customers.list(fields="id", count=1)

        await asyncio.gather(*(run() for _ in range(TASKS)))


async def test_clients_sharing_the_limit_never_exceed_it(
    database: str, registry: TenantRegistry, tripletex_sim_factory: SimFactory
) -> None:
    """Three clients, each with its own connection pool (as three workers), four tasks each: every
    request is answered without a 429, and the window made them wait."""
    sim = tripletex_sim_factory(
        seed=1, customers=3, products=0, orders=0, rate_limit=SIM_LIMIT, rate_period=PERIOD
    )
    async with contextlib.AsyncExitStack() as stack:
        pools = [await stack.enter_async_context(pool(database)) for _ in range(CLIENTS)]
        limiters = [SharedRateLimiter(p, "shop-a", SHARED) for p in pools]
        await asyncio.gather(*(hammer(sim, limiter) for limiter in limiters))
    stats = sim_stats(sim)
    assert stats["rateLimited"] == 0
    assert stats["total"] == CLIENTS * (TASKS * CALLS + 1)  # every call and each client's login
    assert sum(limiter.granted for limiter in limiters) == stats["total"]
    assert sum(limiter.waited for limiter in limiters) > 0


async def test_without_the_shared_limit_the_same_load_draws_429s(tripletex_sim_factory: SimFactory) -> None:
    """The control: the clients' own pacing cannot see each other, so their first bursts overrun."""
    sim = tripletex_sim_factory(
        seed=1, customers=3, products=0, orders=0, rate_limit=SIM_LIMIT, rate_period=PERIOD
    )
    await asyncio.gather(*(hammer(sim, None, calls=1) for _ in range(CLIENTS)))
    stats = sim_stats(sim)
    assert stats["rateLimited"] > 0


async def test_the_window_is_per_tenant(database: str, registry: TenantRegistry) -> None:
    """A tenant at its limit waits; another tenant on the same database is granted at once."""
    async with pool(database) as shared:
        busy = SharedRateLimiter(shared, "shop-a", RateLimit(2, 30.0))
        other = SharedRateLimiter(shared, "shop-b", RateLimit(2, 30.0))
        await busy()
        await busy()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(busy(), timeout=0.3)
        await asyncio.wait_for(other(), timeout=5)
        assert (busy.granted, other.granted) == (2, 1)
