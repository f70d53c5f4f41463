"""``TenantEngines``: a worker's open ``SyncEngine`` per tenant, built from the registry.

A job asks ``use(tenant)``: the registry row is read (unknown → ``UnknownTenant``, paused →
``TenantPaused``), the tenant's lease is taken (``TenantBusy`` when another process has it), and the
engine is handed out — the one kept open from an earlier job, unless the tenant's config changed
since (``updated_at``), then a fresh one. Keeping engines open keeps the Tripletex session and both
connection pools between jobs; at most ``max_open`` are kept, the least recently used idle one is
closed first.

Every engine is wired like ``engine.factory.build_engine`` — the same ``SyncEngine``, state store,
Tripletex client, webshop connector and mapping — except that the state stores share the worker's
one SQLAlchemy engine (``StateStore.from_engine``; closing a tenant's store would close it for all,
so it is never closed here) and the Tripletex client takes the tenant's shared rate limiter.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

import structlog

from shopsync.connectors.webshop import WebshopConnector
from shopsync.engine import SyncEngine
from shopsync.mapping import load_mapping
from shopsync.state import StateStore
from shopsync.tenants import SecretBox, Tenant, TenantPaused, TenantRegistry
from shopsync.tripletex import TripletexClient

from .lease import TenantLeases

__all__ = ["LimiterFactory", "TenantEngines"]

log = structlog.get_logger("shopsync.jobs")

#: The limiter for a tenant's Tripletex requests (None: the client's own pacing only).
LimiterFactory = Callable[[Tenant], Callable[[], Awaitable[None]] | None]


@dataclass
class _Open:
    version: dt.datetime
    engine: SyncEngine
    stack: AsyncExitStack
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0
    last_used: float = field(default_factory=time.monotonic)


class TenantEngines:
    """Opens, reuses and closes the engines of the tenants this worker runs jobs for."""

    def __init__(
        self,
        registry: TenantRegistry,
        box: SecretBox,
        *,
        limiter: LimiterFactory,
        leases: TenantLeases | None = None,
        max_open: int = 64,
    ) -> None:
        self._registry = registry
        self._box = box
        self._limiter = limiter
        self._leases = leases or TenantLeases(registry.engine)
        self._max_open = max_open
        self._open: dict[str, _Open] = {}
        self._stopping = False

    @property
    def open_count(self) -> int:
        """Engines open right now."""
        return len(self._open)

    @asynccontextmanager
    async def use(self, name: str) -> AsyncIterator[SyncEngine]:
        """The tenant's engine for one job, under the tenant's lease (see the module docstring)."""
        tenant = self._registry.get(name)
        if not tenant.active:
            raise TenantPaused(name)
        with self._leases.hold(name):
            entry = await self._entry(tenant)
            entry.users += 1
            try:
                async with entry.lock:
                    yield entry.engine
            finally:
                entry.users -= 1
                entry.last_used = time.monotonic()

    async def _entry(self, tenant: Tenant) -> _Open:
        entry = self._open.get(tenant.name)
        if entry is not None and entry.version == tenant.updated_at:
            return entry
        if entry is not None and entry.users == 0:
            log.info("jobs.engine_reopened", tenant=tenant.name, reason="config changed")
            await self._close(tenant.name)
        elif entry is not None:
            return entry  # still in use here; the next job picks up the new config
        await self._make_room()
        entry = await self._build(tenant)
        self._open[tenant.name] = entry
        return entry

    async def _build(self, tenant: Tenant) -> _Open:
        config = self._registry.config(tenant, self._box)
        stack = AsyncExitStack()
        try:
            tripletex = await stack.enter_async_context(
                TripletexClient(config.tripletex_settings(), limiter=self._limiter(tenant))
            )
            webshop = await stack.enter_async_context(WebshopConnector(config.webshop_api()))
            engine = SyncEngine(
                config,
                store=StateStore.from_engine(self._registry.engine, tenant.name),
                tripletex=tripletex,
                webshop=webshop,
                mapping=load_mapping(config.mapping),
            )
        except BaseException:
            await stack.aclose()
            raise
        if self._stopping:
            engine.request_stop()
        log.info("jobs.engine_opened", tenant=tenant.name, open=len(self._open) + 1)
        return _Open(version=tenant.updated_at, engine=engine, stack=stack)

    async def _make_room(self) -> None:
        while len(self._open) >= self._max_open:
            idle = [(e.last_used, name) for name, e in self._open.items() if e.users == 0]
            if not idle:
                return  # every one is in use: go over the limit for now
            await self._close(min(idle)[1])

    async def _close(self, name: str) -> None:
        entry = self._open.pop(name)
        try:
            await entry.stack.aclose()
        except Exception as exc:
            log.warning("jobs.engine_close_failed", tenant=name, error=type(exc).__name__)

    def request_stop(self) -> None:
        """Ask every engine's running call (and any started later) to end at its next safe point."""
        self._stopping = True
        for entry in self._open.values():
            entry.engine.request_stop()

    async def aclose(self) -> None:
        """Close every engine's API clients."""
        for name in list(self._open):
            await self._close(name)
