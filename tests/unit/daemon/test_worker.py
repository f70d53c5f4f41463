"""``QueueWorker``: notified work is processed at once, until nothing is due; latency per record."""

from __future__ import annotations

import asyncio
import datetime as dt

from structlog.testing import capture_logs

from shopsync.daemon import EngineRunner
from shopsync.daemon.worker import MAX_RUNS_PER_WAKE, QueueWorker
from shopsync.server.receipts import WebhookReceipts
from shopsync.state import WorkItem

from .fakes import FakeEngine, RecordingMetrics


def item(record_id: str) -> WorkItem:
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    return WorkItem("customer", "webshop", record_id, "webhook", now, 0, 1, now)


async def test_a_notification_runs_the_queue_until_nothing_is_due() -> None:
    """One wake-up runs process_queue until it returns None."""
    engine, metrics = FakeEngine(queue=3), RecordingMetrics()
    worker = QueueWorker(engine, EngineRunner(metrics), metrics, idle_seconds=3600)
    task = asyncio.create_task(worker.run())
    worker.notify()
    for _ in range(200):
        if engine.calls.count("queue") == 4:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    assert engine.calls == ["queue"] * 4
    assert worker.runs == 3 and len(metrics.summaries) == 3


async def test_latency_runs_from_the_receipt_to_the_end_of_the_run() -> None:
    """Each due record with a webhook receipt is measured once, from its receipt."""
    now = [100.0]
    engine, metrics = FakeEngine(queue=1), RecordingMetrics()
    receipts = WebhookReceipts(clock=lambda: now[0])
    receipts.record("customer", "webshop", "7", at=99.5)
    receipts.record("customer", "webshop", "8", at=99.0)
    worker = QueueWorker(
        engine,
        EngineRunner(metrics),
        metrics,
        receipts=receipts,
        peek=lambda limit: [item("7"), item("8"), item("9")],
        clock=lambda: now[0],
    )
    assert await worker.drain() == 1
    assert sorted(metrics.latencies) == [0.5, 1.0]
    assert len(receipts) == 0


async def test_many_runs_in_a_row_yield_the_lock_and_wake_again() -> None:
    """More due work than MAX_RUNS_PER_WAKE runs: the worker stops after that many and re-arms."""
    engine, metrics = FakeEngine(queue=MAX_RUNS_PER_WAKE + 5), RecordingMetrics()
    worker = QueueWorker(engine, EngineRunner(metrics), metrics)
    assert await worker.drain() == MAX_RUNS_PER_WAKE
    assert worker._wake.is_set()


async def test_a_failing_run_is_retried_after_a_pause() -> None:
    """An engine error (a system down) is logged, and the queue is tried again after the backoff."""
    engine, metrics = FakeEngine(queue=1, fail_queue=1), RecordingMetrics()
    worker = QueueWorker(engine, EngineRunner(metrics), metrics, idle_seconds=3600, error_backoff=0.01)
    with capture_logs() as logs:
        task = asyncio.create_task(worker.run())
        worker.notify()
        for _ in range(200):
            if worker.runs == 1:
                break
            await asyncio.sleep(0.01)
        task.cancel()
    assert worker.runs == 1
    assert [e["error"] for e in logs if e["event"] == "daemon.queue_failed"] == [
        "ConnectionError: webshop unreachable"
    ]


async def test_the_worker_ends_when_the_runner_stops() -> None:
    """After shutdown began, a wake-up ends the worker instead of starting engine work."""
    engine, metrics = FakeEngine(queue=1), RecordingMetrics()
    runner = EngineRunner(metrics)
    worker = QueueWorker(engine, runner, metrics, idle_seconds=3600)
    runner.stop_accepting()
    worker.notify()
    await asyncio.wait_for(worker.run(), timeout=5)
    assert engine.calls == []
