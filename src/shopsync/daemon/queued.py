"""The daemon's side of ``shopsync run --queue``: webhooks and buttons become jobs, not engine calls.

``WorkForwarder`` stands in for ``QueueWorker``: ``notify`` (a webhook stored its work) wakes it, and
it defers one job for all the work that arrived meanwhile — a burst of webhooks costs one deferral,
and the job's queueing lock absorbs it into a job that is still waiting. ``QueuedActions`` is the
status page's ``SyncActions``: each decision is deferred as a job that runs under the tenant's lock,
so it never overlaps a pass (the page checked beforehand that the item exists and is open).
"""

from __future__ import annotations

import asyncio

import structlog

from .errors import one_line
from .ports import WorkQueue

__all__ = ["QueuedActions", "WorkForwarder"]

log = structlog.get_logger("shopsync.daemon")


class WorkForwarder:
    """Defers a ``process_work`` job whenever work is notified (see the module docstring)."""

    def __init__(self, queue: WorkQueue, *, error_backoff: float = 2.0) -> None:
        self._queue = queue
        self._backoff = error_backoff
        self._wake = asyncio.Event()
        #: Jobs deferred (or absorbed by a waiting one).
        self.forwarded = 0

    def notify(self) -> None:
        """Work was queued: defer a job for it soon (safe from request handlers on the same loop)."""
        self._wake.set()

    async def run(self) -> None:
        """Forward notifications until cancelled; a failed deferral is retried after a back-off
        (the work itself is safe in the state store, and the workers' periodic poll finds it too)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._queue.process_work()
                self.forwarded += 1
            except Exception as exc:
                log.error("daemon.defer_failed", job="process_work", error=one_line(exc))
                await asyncio.sleep(self._backoff)
                self._wake.set()


class QueuedActions:
    """Implements ``shopsync.server.actions.SyncActions`` by deferring jobs."""

    def __init__(self, queue: WorkQueue, forwarder: WorkForwarder) -> None:
        self._queue = queue
        self._forwarder = forwarder

    async def resolve_conflict(self, conflict_id: int, winner: str) -> None:
        """Keep ``winner``'s value for the conflict (a job writes it)."""
        await self._queue.resolve_conflict(conflict_id, winner)

    async def resolve_review(self, review_id: int, action: str, candidate: str | None) -> None:
        """Settle a review item (a job applies it)."""
        await self._queue.resolve_review(review_id, action, candidate)

    async def replay_dead_letters(self, dead_letter_ids: list[int] | None) -> None:
        """Sync these dead letters again (a job does)."""
        await self._queue.replay(dead_letter_ids)

    def notify_work(self) -> None:
        """Webhook work was queued: have a job process it."""
        self._forwarder.notify()
