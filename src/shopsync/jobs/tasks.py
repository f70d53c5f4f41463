"""The task bodies: each opens the tenant's engine and makes the same engine call as the daemon.

| task | engine call (as in ``shopsync run``) |
|---|---|
| ``process_work`` | ``process_queue()`` until nothing is due (webhook deliveries; the daemon's worker) |
| ``poll`` | ``run_pass()`` (the poll schedule) |
| ``reconcile`` | ``run_pass(full=True)`` (the full-reconcile schedule) |
| ``replay`` | ``replay(ids)`` (status page, ``shopsync replay``) |
| ``resolve_conflict`` / ``resolve_review`` | the same-named decisions, applied at once |
| ``fan_out_polls`` | periodic: a ``poll`` per active tenant, a ``process_work`` where work is due |
| ``fan_out_reconciles`` | periodic: a ``reconcile`` per active tenant |
| ``recover_stalled`` | periodic: the jobs of workers whose heartbeat stopped go back to the queue |

What a task needs (the registry, the open engines, the deferrer, the settings) comes from the
worker's ``Runtime`` in ``context.additional_context["shopsync"]``. An unknown or paused tenant's job
is skipped (logged, not retried); a pass cut short by a shutdown raises ``JobInterrupted`` so another
worker runs the rest; other failures are retried by ``retry.JobRetry``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import structlog
from procrastinate import JobContext
from procrastinate.exceptions import ConnectorException, UniqueViolation
from procrastinate.jobs import Job, Status
from procrastinate.manager import JobManager

from shopsync.engine.summary import PassSummary
from shopsync.tenants import TenantPaused, UnknownTenant

from .errors import JobInterrupted

if TYPE_CHECKING:
    from shopsync.engine import SyncEngine

    from .runtime import Runtime

__all__ = [
    "RUNTIME_KEY",
    "fan_out_polls",
    "fan_out_reconciles",
    "poll",
    "process_work",
    "reconcile",
    "recover_stalled",
    "replay",
    "resolve_conflict",
    "resolve_review",
]

log = structlog.get_logger("shopsync.jobs")

#: Where the worker puts its ``Runtime`` in the job context.
RUNTIME_KEY = "shopsync"


def _runtime(context: JobContext) -> Runtime:
    runtime: Runtime = context.additional_context[RUNTIME_KEY]
    return runtime


async def _engine_job(
    context: JobContext, tenant: str, kind: str, call: Callable[[SyncEngine], Awaitable[Any]]
) -> None:
    runtime = _runtime(context)
    job_id = context.job.id
    started = time.monotonic()
    try:
        # Every log line of the engine call names its tenant and job (one worker serves many).
        with structlog.contextvars.bound_contextvars(tenant=tenant, job=job_id):
            async with runtime.engines.use(tenant) as engine:
                result = await call(engine)
    except (UnknownTenant, TenantPaused) as exc:
        log.info("jobs.skipped", job=job_id, kind=kind, tenant=tenant, reason=str(exc))
        return
    summaries = [r for r in (result if isinstance(result, list) else [result]) if isinstance(r, PassSummary)]
    runtime.stats.record(kind, summaries)
    if any(s.interrupted for s in summaries):
        raise JobInterrupted(tenant, kind)
    log.info(
        "jobs.done",
        job=job_id,
        kind=kind,
        tenant=tenant,
        seconds=round(time.monotonic() - started, 3),
        writes=sum(s.total("tripletex").writes + s.total("webshop").writes for s in summaries),
    )


async def process_work(context: JobContext, tenant: str) -> None:
    """Sync the tenant's due queued records; leave a follow-up job if more is due than one job takes."""
    runtime = _runtime(context)
    settings = runtime.settings
    more = False

    async def drain(engine: SyncEngine) -> list[PassSummary]:
        nonlocal more
        done: list[PassSummary] = []
        for _ in range(settings.max_queue_runs):
            summary = await engine.process_queue(limit=settings.queue_batch)
            if summary is None:
                return done
            done.append(summary)
            if summary.interrupted:
                return done
        more = True
        return done

    await _engine_job(context, tenant, "process_work", drain)
    if more:
        await runtime.deferrer.process_work(tenant)


async def poll(context: JobContext, tenant: str) -> None:
    """A normal two-way pass of the tenant (what the daemon's poll runs)."""
    await _engine_job(context, tenant, "poll", lambda engine: engine.run_pass())


async def reconcile(context: JobContext, tenant: str) -> None:
    """A full reconcile of the tenant (every record compared)."""
    await _engine_job(context, tenant, "reconcile", lambda engine: engine.run_pass(full=True))


async def replay(context: JobContext, tenant: str, dead_letter_ids: list[int] | None = None) -> None:
    """Sync the tenant's dead letters again (every open one when ``dead_letter_ids`` is None)."""
    await _engine_job(context, tenant, "replay", lambda engine: engine.replay(dead_letter_ids))


async def resolve_conflict(context: JobContext, tenant: str, conflict_id: int, winner: str) -> None:
    """Keep ``winner``'s value for the conflict and write it to the other side."""
    await _engine_job(
        context, tenant, "resolve_conflict", lambda engine: engine.resolve_conflict(conflict_id, winner)
    )


async def resolve_review(
    context: JobContext, tenant: str, review_id: int, action: str, candidate: str | None = None
) -> None:
    """Settle a review item (``link`` to ``candidate``, ``create`` or ``dismiss``) and apply it."""
    await _engine_job(
        context,
        tenant,
        "resolve_review",
        lambda engine: engine.resolve_review(review_id, action, candidate),
    )


async def fan_out_polls(context: JobContext, timestamp: int) -> None:
    """Periodic: a ``poll`` for every active tenant, and a ``process_work`` for those whose queued
    work became due (records waiting out a back-off); duplicates collapse on their queueing locks."""
    runtime = _runtime(context)
    names = runtime.registry.active_names()
    polled = [name for name in names if await runtime.deferrer.poll(name) is not None]
    due = runtime.registry.tenants_with_due_work(names)
    for name in due:
        await runtime.deferrer.process_work(name)
    log.info("jobs.fan_out", kind="poll", tenants=len(names), deferred=len(polled), due_work=len(due))


async def fan_out_reconciles(context: JobContext, timestamp: int) -> None:
    """Periodic: a full ``reconcile`` for every active tenant."""
    runtime = _runtime(context)
    names = runtime.registry.active_names()
    deferred = [name for name in names if await runtime.deferrer.reconcile(name) is not None]
    log.info("jobs.fan_out", kind="reconcile", tenants=len(names), deferred=len(deferred))


async def recover_stalled(context: JobContext, timestamp: int) -> None:
    """Periodic: put the running jobs of dead workers (heartbeat older than ``stalled_seconds``)
    back in the queue; the tenant lease and the engine's journal make the rerun safe."""
    runtime = _runtime(context)
    manager = context.app.job_manager
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=runtime.settings.stalled_seconds)
    for job in stalled:
        if job.id != context.job.id:
            await _hand_back(manager, job)


async def _hand_back(manager: JobManager, job: Job) -> None:
    """Retry a stalled job. A job of the same kind and tenant deferred after it (its queueing lock)
    is the same work: that newer one is cancelled so the stalled one can wait in its place."""
    assert job.id is not None
    for _ in range(3):
        try:
            await manager.retry_job(job)
        except UniqueViolation:
            for waiting in await manager.list_jobs_async(queueing_lock=job.queueing_lock, status="todo"):
                if waiting.id is not None and waiting.id != job.id:
                    await manager.cancel_job_by_id_async(waiting.id)
            continue
        except ConnectorException as exc:  # finished or handed back by someone else meanwhile
            log.info("jobs.recover_skipped", job=job.id, error=type(exc).__name__)
            return
        log.warning("jobs.recovered", job=job.id, task=job.task_name, lock=job.lock, attempts=job.attempts)
        return
    # Jobs keep arriving for the same lock: the newest waiting one does the work instead.
    await manager.finish_job_by_id_async(job.id, Status.ABORTED, delete_job=False)
    log.warning("jobs.recovered_superseded", job=job.id, task=job.task_name, lock=job.lock)
