"""What the daemon needs from the engine and the metrics, as protocols.

The daemon drives ``shopsync.engine.SyncEngine`` and feeds ``shopsync.server.metrics.Metrics``; naming
only the methods it calls keeps its modules testable with small fakes and makes the dependency
explicit (mypy checks the real classes against these where they are wired together).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from shopsync.engine.summary import PassSummary

__all__ = ["EnginePort", "MetricsPort", "WorkQueue"]


class EnginePort(Protocol):
    """The engine calls the daemon makes (each one under the daemon's engine lock)."""

    async def run_pass(self, *, allow_mass_delete: bool = False, full: bool = False) -> PassSummary:
        """One two-way pass; ``full`` compares every record (the periodic reconcile)."""
        ...

    async def process_queue(self, limit: int = 500) -> PassSummary | None:
        """Sync the queued records that are due; None when nothing was due."""
        ...

    async def resolve_conflict(self, conflict_id: int, winner: str, *, apply: bool = True) -> Any:
        """Settle a field conflict for ``winner`` and write the winning value."""
        ...

    async def resolve_review(
        self, review_id: int, action: str, candidate: str | int | None = None, *, apply: bool = True
    ) -> Any:
        """Settle a review item: ``link`` to ``candidate``, ``create`` a new record, or ``dismiss``."""
        ...

    async def replay(self, dead_letter_ids: Sequence[int] | None = None) -> PassSummary:
        """Sync dead-lettered records again (every open one when ``dead_letter_ids`` is None)."""
        ...


class MetricsPort(Protocol):
    """The Prometheus metrics the daemon feeds (``shopsync.server.metrics.Metrics``)."""

    def observe_summary(self, summary: PassSummary) -> None:
        """Count what a pass or a queue run did."""
        ...

    def observe_api_call(self, side: str, status: int) -> None:
        """Count one HTTP call to ``side`` (``webshop``/``tripletex``) by its status (0: no answer)."""
        ...

    def set_rate_limit(self, side: str, remaining: int | None, limit: int | None) -> None:
        """The rate-limit headroom ``side`` last reported."""
        ...

    def observe_webhook_latency(self, seconds: float) -> None:
        """Time from a webhook's arrival to the end of the engine call that synced it."""
        ...


class WorkQueue(Protocol):
    """Where ``shopsync run --queue`` sends its engine work instead of running it: each call defers
    a job for the daemon's tenant that a worker runs (``shopsync.jobs.TenantQueue``)."""

    async def process_work(self) -> None:
        """Webhook work was queued in the state store: a job that syncs it."""
        ...

    async def poll(self) -> None:
        """A normal two-way pass."""
        ...

    async def reconcile(self) -> None:
        """A full reconcile."""
        ...

    async def resolve_conflict(self, conflict_id: int, winner: str) -> None:
        """Keep ``winner``'s value for the conflict."""
        ...

    async def resolve_review(self, review_id: int, action: str, candidate: str | None) -> None:
        """Settle a review item."""
        ...

    async def replay(self, dead_letter_ids: list[int] | None) -> None:
        """Sync dead letters again (every open one when None)."""
        ...
