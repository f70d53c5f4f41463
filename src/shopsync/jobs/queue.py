"""``TenantQueue``: the daemon's engine work as jobs (``shopsync run --queue``).

It implements the daemon's ``WorkQueue`` port for the daemon's one tenant: a webhook's "work was
queued", the poll and reconcile schedules and the status page's decisions become deferred jobs that
any ``shopsync worker`` runs. ``open_tenant_queue`` checks first that the tenant is registered (the
workers read its config from the registry) and that the queue has procrastinate's schema.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from shopsync.tenants import TenantPaused, TenantRegistry

from .app import build_app
from .connection import postgres_url
from .deferrer import JobDeferrer
from .schema import ensure_schema
from .settings import JobSettings

__all__ = ["TenantQueue", "open_tenant_queue"]


class TenantQueue:
    """Defers one tenant's engine work (see the module docstring)."""

    def __init__(self, deferrer: JobDeferrer, tenant: str) -> None:
        self._jobs = deferrer
        self.tenant = tenant

    def __repr__(self) -> str:
        return f"TenantQueue(tenant={self.tenant!r})"

    async def process_work(self) -> None:
        """Queued webhook work: a job that processes it (or the one already waiting)."""
        await self._jobs.process_work(self.tenant)

    async def poll(self) -> None:
        """A normal pass, as a job."""
        await self._jobs.poll(self.tenant)

    async def reconcile(self) -> None:
        """A full reconcile, as a job."""
        await self._jobs.reconcile(self.tenant)

    async def resolve_conflict(self, conflict_id: int, winner: str) -> None:
        """Keep ``winner``'s value for the conflict, as a job."""
        await self._jobs.resolve_conflict(self.tenant, conflict_id, winner)

    async def resolve_review(self, review_id: int, action: str, candidate: str | None) -> None:
        """Settle a review item, as a job."""
        await self._jobs.resolve_review(self.tenant, review_id, action, candidate)

    async def replay(self, dead_letter_ids: list[int] | None) -> None:
        """Replay dead letters, as a job."""
        await self._jobs.replay(self.tenant, dead_letter_ids)


@contextlib.asynccontextmanager
async def open_tenant_queue(
    queue_url: str, *, tenant: str, state_url: str, settings: JobSettings | None = None
) -> AsyncIterator[TenantQueue]:
    """The queue for ``tenant``, whose registry is in ``state_url``; ``UnknownTenant``/``TenantPaused``
    when the workers would not sync it, ``QueueURLError`` for a non-PostgreSQL location."""
    postgres_url(queue_url), postgres_url(state_url)
    with TenantRegistry.open(state_url) as registry:
        if not registry.get(tenant).active:
            raise TenantPaused(tenant)
    app = build_app(queue_url, settings)
    async with app.open_async():
        await ensure_schema(app)
        yield TenantQueue(JobDeferrer(app), tenant)
