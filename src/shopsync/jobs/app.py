"""``build_app``: the procrastinate ``App`` of shopsync — its connector and every task, named and
configured in one place, so the processes that defer jobs and those that run them always agree.

Task names are stable strings (``shopsync.poll`` …), never module paths, so moving code never strands
queued jobs. Each engine task carries the retry policy (``retry.JobRetry``); its lock and queueing
lock are set per tenant when it is deferred (``deferrer``). The periodic tasks (fan-outs, stall
recovery) take their crons from ``JobSettings``; every worker runs procrastinate's periodic
deferrer, and the database makes sure each tick is deferred once whatever the number of workers.
"""

from __future__ import annotations

from typing import Any

import procrastinate

from . import tasks
from .connection import conninfo
from .locks import queueing_lock
from .retry import JobRetry
from .settings import JobSettings

__all__ = ["ENGINE_TASKS", "PRIORITY", "TASK", "build_app"]

#: Task name per kind.
TASK: dict[str, str] = {
    "process_work": "shopsync.process_work",
    "poll": "shopsync.poll",
    "reconcile": "shopsync.reconcile",
    "replay": "shopsync.replay",
    "resolve_conflict": "shopsync.resolve_conflict",
    "resolve_review": "shopsync.resolve_review",
    "fan_out_polls": "shopsync.fan_out_polls",
    "fan_out_reconciles": "shopsync.fan_out_reconciles",
    "recover_stalled": "shopsync.recover_stalled",
}
#: The kinds that run an engine call for one tenant (they share the tenant's lock).
ENGINE_TASKS = ("process_work", "poll", "reconcile", "replay", "resolve_conflict", "resolve_review")
#: Among one tenant's waiting jobs the highest priority runs first: a person's decision, then
#: webhook work (latency matters), then polls, then the long reconcile.
PRIORITY: dict[str, int] = {
    "resolve_conflict": 30,
    "resolve_review": 30,
    "replay": 30,
    "process_work": 20,
    "poll": 10,
    "reconcile": 0,
}


def build_app(
    queue_url: str, settings: JobSettings | None = None, *, pool_min: int = 1, pool_max: int = 4
) -> procrastinate.App:
    """The app on the PostgreSQL queue at ``queue_url`` (not opened yet: ``async with
    app.open_async()``); ``pool_min``/``pool_max`` size its connection pool."""
    settings = settings or JobSettings()
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(queue_url), min_size=pool_min, max_size=max(pool_min, pool_max)
    )
    app = procrastinate.App(connector=connector, periodic_defaults={"max_delay": 60})
    retry = JobRetry(settings)
    queue = settings.queue
    for kind in ENGINE_TASKS:
        app.task(name=TASK[kind], pass_context=True, retry=retry, queue=queue, priority=PRIORITY[kind])(
            getattr(tasks, kind)
        )
    periodic: list[tuple[str, str]] = [
        ("fan_out_polls", settings.poll_cron),
        ("fan_out_reconciles", settings.reconcile_cron),
        ("recover_stalled", settings.recover_cron),
    ]
    for kind, cron in periodic:
        # A tick still waiting when the next comes round is enough: the queueing lock drops the new one.
        options: dict[str, Any] = {"queueing_lock": queueing_lock(kind), "queue": queue}
        task = app.task(name=TASK[kind], pass_context=True, queue=queue, priority=40)(getattr(tasks, kind))
        app.periodic(cron=cron, periodic_id=kind, **options)(task)
    return app
