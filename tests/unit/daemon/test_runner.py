"""``EngineRunner``: one engine call at a time, never cancelled by its caller, drained on shutdown."""

from __future__ import annotations

import asyncio

import pytest

from shopsync.daemon import EngineRunner, ShuttingDown

from .fakes import FakeEngine, RecordingMetrics


async def test_calls_never_overlap_and_summaries_reach_the_metrics() -> None:
    """Passes, queue runs and decisions started together run one after another."""
    engine, metrics = FakeEngine(queue=5), RecordingMetrics()
    runner = EngineRunner(metrics)
    await asyncio.gather(
        runner.call("pass", lambda: engine.run_pass()),
        runner.call("queue", lambda: engine.process_queue()),
        runner.call("conflict", lambda: engine.resolve_conflict(1, "webshop")),
        runner.call("full", lambda: engine.run_pass(full=True)),
    )
    assert engine.most_at_once == 1
    assert sorted(engine.calls) == sorted(["pass", "queue", "conflict 1 webshop", "full"])
    assert len(metrics.summaries) == 3  # the decision returns no summary


async def test_a_cancelled_caller_leaves_the_engine_call_running() -> None:
    """Cancelling the awaiting task (a scheduler being stopped) does not cut the engine call short."""
    gate = asyncio.Event()
    engine = FakeEngine(gate=gate)
    runner = EngineRunner(RecordingMetrics())
    caller = asyncio.create_task(runner.call("pass", lambda: engine.run_pass()))
    await asyncio.sleep(0.01)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert runner.running == "pass"
    gate.set()
    assert await runner.drain(5) is True
    assert runner.running is None


async def test_after_stop_new_and_waiting_calls_are_refused() -> None:
    """Once shutdown begins, a call waiting for the lock and any new call raise ShuttingDown."""
    gate = asyncio.Event()
    engine = FakeEngine(gate=gate)
    runner = EngineRunner(RecordingMetrics())
    first = asyncio.create_task(runner.call("pass", lambda: engine.run_pass()))
    waiting = asyncio.create_task(runner.call("queue", lambda: engine.process_queue()))
    await asyncio.sleep(0.01)
    runner.stop_accepting()
    with pytest.raises(ShuttingDown):
        await runner.call("late", lambda: engine.run_pass())
    gate.set()
    await first
    with pytest.raises(ShuttingDown):
        await waiting
    assert engine.calls == ["pass"]


async def test_drain_cancels_a_call_that_overruns_the_grace() -> None:
    """A call still running after the grace period is cancelled; drain says so."""
    engine = FakeEngine(gate=asyncio.Event())  # never opened
    runner = EngineRunner(RecordingMetrics())
    task = asyncio.create_task(runner.call("pass", lambda: engine.run_pass()))
    await asyncio.sleep(0.01)
    assert await runner.drain(0.05) is False
    with pytest.raises(asyncio.CancelledError):
        await task
    assert engine.running == 0


async def test_abort_ends_the_grace_early() -> None:
    """A second stop request (abort) cancels the running call without waiting for the grace."""
    engine = FakeEngine(gate=asyncio.Event())
    runner = EngineRunner(RecordingMetrics())
    task = asyncio.create_task(runner.call("pass", lambda: engine.run_pass()))
    await asyncio.sleep(0.01)
    abort = asyncio.Event()
    abort.set()
    assert await runner.drain(3600, abort=abort) is False
    assert task.cancelled() or task.done()
