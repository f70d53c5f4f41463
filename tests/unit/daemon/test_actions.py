"""``EngineActions``: the status page's buttons run as engine calls under the lock."""

from __future__ import annotations

import asyncio

from shopsync.daemon import EngineRunner
from shopsync.daemon.actions import EngineActions
from shopsync.daemon.worker import QueueWorker
from shopsync.server.actions import SyncActions

from .fakes import FakeEngine, RecordingMetrics


async def test_actions_reach_the_engine_one_at_a_time() -> None:
    """Decisions and replays become engine calls; they never overlap a running pass."""
    engine, metrics = FakeEngine(), RecordingMetrics()
    runner = EngineRunner(metrics)
    worker = QueueWorker(engine, runner, metrics)
    actions = EngineActions(engine, runner, worker)
    assert isinstance(actions, SyncActions)
    await asyncio.gather(
        runner.call("pass", lambda: engine.run_pass()),
        actions.resolve_conflict(3, "tripletex"),
        actions.resolve_review(4, "link", "108"),
        actions.replay_dead_letters([5, 6]),
        actions.replay_dead_letters(None),
    )
    assert engine.most_at_once == 1
    assert set(engine.calls) == {
        "pass",
        "conflict 3 tripletex",
        "review 4 link 108",
        "replay [5, 6]",
        "replay all",
    }


def test_notify_work_wakes_the_worker() -> None:
    """notify_work only sets the worker's wake-up event (it must not block a request)."""
    engine, metrics = FakeEngine(), RecordingMetrics()
    runner = EngineRunner(metrics)
    worker = QueueWorker(engine, runner, metrics)
    EngineActions(engine, runner, worker).notify_work()
    assert worker._wake.is_set()
