"""``EngineActions``: the server's ``SyncActions`` carried out by the daemon's engine.

A person's decision on the status page (keep one side of a conflict, settle a review, replay dead
letters) runs as an engine call under the engine lock, so it never overlaps a pass or webhook work on
the same records. ``notify_work`` only wakes the queue worker; it never blocks the request.
"""

from __future__ import annotations

from .ports import EnginePort
from .runner import EngineRunner
from .worker import QueueWorker

__all__ = ["EngineActions"]


class EngineActions:
    """Implements ``shopsync.server.actions.SyncActions`` with the engine, the runner and the worker."""

    def __init__(self, engine: EnginePort, runner: EngineRunner, worker: QueueWorker) -> None:
        self._engine = engine
        self._runner = runner
        self._worker = worker

    async def resolve_conflict(self, conflict_id: int, winner: str) -> None:
        """Keep ``winner``'s value for the conflict and write it to the other side."""
        await self._runner.call(
            "resolve_conflict", lambda: self._engine.resolve_conflict(conflict_id, winner)
        )

    async def resolve_review(self, review_id: int, action: str, candidate: str | None) -> None:
        """Settle a review item: ``link`` to ``candidate``, ``create`` or ``dismiss``."""
        await self._runner.call(
            "resolve_review", lambda: self._engine.resolve_review(review_id, action, candidate)
        )

    async def replay_dead_letters(self, dead_letter_ids: list[int] | None) -> None:
        """Sync these dead-lettered records again (every open one when None)."""
        await self._runner.call("replay", lambda: self._engine.replay(dead_letter_ids))

    def notify_work(self) -> None:
        """Webhook work was queued: let the worker take it now."""
        self._worker.notify()
