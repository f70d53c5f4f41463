"""Many shops, many workers: shopsync's engine work as procrastinate jobs on PostgreSQL.

Quick start::

    # register shops (shopsync.tenants), then run workers anywhere:
    #   shopsync tenants add shop-17 --config shop-17.yaml --state postgresql://…
    #   shopsync worker --queue postgresql://… --concurrency 4
    #   shopsync run --config shop-17.yaml --queue postgresql://…   # webhooks → jobs
    from shopsync.jobs import JobSettings, run_worker
    from shopsync.tenants import SecretBox

    await run_worker("postgresql://…", box=SecretBox.from_env(), concurrency=4)

The tasks make the same engine calls as the in-process daemon (``tasks``); a tenant's jobs share a
procrastinate ``lock`` and a PostgreSQL lease, so they never overlap, while different tenants run in
parallel; periodic fan-outs poll and reconcile every active tenant; the jobs of a killed worker are
found by their stale heartbeat and retried (``recover_stalled``), which the engine's intent journal
makes harmless; each tenant's Tripletex rate limit is a sliding window in PostgreSQL shared by every
process (``ratelimit``). One module per job: ``settings``, ``connection``, ``locks``, ``errors``,
``retry``, ``app`` (the procrastinate app and its tasks), ``tasks``, ``deferrer``, ``engines``,
``lease``, ``ratelimit``, ``schema``, ``runtime`` (the worker), ``queue`` (the daemon's side).
"""

from .app import TASK, build_app
from .deferrer import JobDeferrer
from .engines import TenantEngines
from .errors import JobInterrupted, JobsError, QueueURLError, TenantBusy
from .lease import TenantLeases
from .queue import TenantQueue, open_tenant_queue
from .ratelimit import SharedRateLimiter
from .runtime import Runtime, WorkerStats, open_runtime, run_worker
from .schema import ensure_schema
from .settings import JobSettings

__all__ = [
    "TASK",
    "JobDeferrer",
    "JobInterrupted",
    "JobSettings",
    "JobsError",
    "QueueURLError",
    "Runtime",
    "SharedRateLimiter",
    "TenantBusy",
    "TenantEngines",
    "TenantLeases",
    "TenantQueue",
    "WorkerStats",
    "build_app",
    "ensure_schema",
    "open_runtime",
    "open_tenant_queue",
    "run_worker",
]
