"""``QueueWorker``: turns "work was queued" into an engine call at once.

The webhook receivers store each delivery as pending work in the state store, note when it arrived
(``WebhookReceipts``) and call ``notify`` (``SyncActions.notify_work``). The worker wakes up, runs
``engine.process_queue`` under the engine lock and repeats while the engine still finds due work. It
also wakes up every ``idle_seconds`` by itself, for work that was deferred (a record waiting for its
customer) and becomes due later.

Latency for the metrics runs from a record's webhook receipt to the end of the queue run that synced
it: inside the locked call the worker reads the due items just before the engine does (the engine
reads the same rows at the start of ``process_queue``), and afterwards takes their receipts.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

import structlog

from .errors import one_line
from .ports import EnginePort, MetricsPort
from .runner import EngineRunner, ShuttingDown

if TYPE_CHECKING:
    from shopsync.engine.summary import PassSummary
    from shopsync.state import WorkItem

__all__ = ["QueueWorker", "Receipts"]

log = structlog.get_logger("shopsync.daemon")

#: Queue runs in a row before the worker lets scheduled passes have the lock again.
MAX_RUNS_PER_WAKE = 20


class Receipts(Protocol):
    """When each record's webhook arrived (``shopsync.server.receipts.WebhookReceipts``)."""

    def take(self, entity: str, side: str, record_id: str | int) -> float | None:
        """The receipt time (``time.monotonic``) of the record's first untaken webhook, forgetting it."""
        ...


class QueueWorker:
    """Runs ``process_queue`` whenever work is notified (and every ``idle_seconds`` regardless).

    ``peek(limit)`` returns the due items as the engine will see them (``store.due_work``); with
    ``receipts`` it lets the worker measure webhook → write latency per record.
    """

    def __init__(
        self,
        engine: EnginePort,
        runner: EngineRunner,
        metrics: MetricsPort,
        *,
        receipts: Receipts | None = None,
        peek: Callable[[int], Sequence[WorkItem]] | None = None,
        batch: int = 500,
        idle_seconds: float = 5.0,
        error_backoff: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._runner = runner
        self._metrics = metrics
        self._receipts = receipts
        self._peek = peek
        self._batch = batch
        self._idle = idle_seconds
        self._backoff = error_backoff
        self._clock = clock
        self._wake = asyncio.Event()
        #: Queue runs that found work.
        self.runs = 0

    def notify(self) -> None:
        """Work was queued: process it now (safe to call from request handlers on the same loop)."""
        self._wake.set()

    async def run(self) -> None:
        """Serve notifications until cancelled or shut down."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle)
            self._wake.clear()
            try:
                await self.drain()
            except ShuttingDown:
                return
            except Exception as exc:
                # A system is down (the engine raised after its retries): the work stays queued.
                log.error("daemon.queue_failed", error=one_line(exc))
                await asyncio.sleep(self._backoff)
                self._wake.set()

    async def drain(self) -> int:
        """Run queue passes until nothing is due (at most ``MAX_RUNS_PER_WAKE``); how many found work."""
        found = 0
        for _ in range(MAX_RUNS_PER_WAKE):
            summary = await self._runner.call("process_queue", self._process)
            if summary is None:
                return found
            found += 1
            self.runs += 1
        # More is due than a few runs could take: come back after the others had their turn.
        self._wake.set()
        return found

    async def _process(self) -> PassSummary | None:
        # No await between this read and the engine's own read of the due rows.
        items = self._peek(self._batch) if self._peek is not None and self._receipts is not None else ()
        summary = await self._engine.process_queue(limit=self._batch)
        if summary is not None and self._receipts is not None:
            ended = self._clock()
            for item in items:
                received = self._receipts.take(item.entity, item.side, item.record_id)
                if received is not None:
                    self._metrics.observe_webhook_latency(max(0.0, ended - received))
        return summary
