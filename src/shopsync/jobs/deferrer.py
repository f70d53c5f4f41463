"""``JobDeferrer``: puts one tenant's units of work on the queue as procrastinate jobs.

Used by the daemon in queue mode (webhooks, its schedules, the status page's buttons), by the
periodic fan-outs and by a ``process_work`` job that leaves work for a follow-up. Every engine job
gets the tenant's ``lock``; ``process_work``, ``poll`` and ``reconcile`` also get a ``queueing_lock``
per tenant, so a job of that kind that is already waiting absorbs the new request (``None`` is then
returned instead of a job id). Decisions (``resolve_*``, ``replay``) are never collapsed: each one
says something different.
"""

from __future__ import annotations

from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued

from .app import PRIORITY, TASK
from .locks import queueing_lock, tenant_lock

__all__ = ["JobDeferrer"]


class JobDeferrer:
    """Defers shopsync jobs on an opened procrastinate ``App`` (see ``app.build_app``)."""

    def __init__(self, app: procrastinate.App) -> None:
        self._app = app

    async def _defer(self, kind: str, tenant: str, *, collapse: bool, **kwargs: Any) -> int | None:
        deferrer = self._app.configure_task(
            TASK[kind],
            allow_unknown=False,
            lock=tenant_lock(tenant),
            queueing_lock=queueing_lock(kind, tenant) if collapse else None,
            priority=PRIORITY[kind],
        )
        try:
            return await deferrer.defer_async(tenant=tenant, **kwargs)
        except AlreadyEnqueued:
            return None

    async def process_work(self, tenant: str) -> int | None:
        """Sync the tenant's queued work (webhook deliveries); None if such a job already waits."""
        return await self._defer("process_work", tenant, collapse=True)

    async def poll(self, tenant: str) -> int | None:
        """A normal pass of the tenant; None if one already waits."""
        return await self._defer("poll", tenant, collapse=True)

    async def reconcile(self, tenant: str) -> int | None:
        """A full reconcile of the tenant; None if one already waits."""
        return await self._defer("reconcile", tenant, collapse=True)

    async def replay(self, tenant: str, dead_letter_ids: list[int] | None) -> int | None:
        """Replay dead letters of the tenant (every open one when None)."""
        return await self._defer("replay", tenant, collapse=False, dead_letter_ids=dead_letter_ids)

    async def resolve_conflict(self, tenant: str, conflict_id: int, winner: str) -> int | None:
        """Keep ``winner``'s value for the conflict."""
        return await self._defer(
            "resolve_conflict", tenant, collapse=False, conflict_id=conflict_id, winner=winner
        )

    async def resolve_review(
        self, tenant: str, review_id: int, action: str, candidate: str | None
    ) -> int | None:
        """Settle a review item."""
        return await self._defer(
            "resolve_review", tenant, collapse=False, review_id=review_id, action=action, candidate=candidate
        )
