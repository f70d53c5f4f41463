"""``shopsync worker``: a procrastinate worker with what shopsync's tasks need (``Runtime``).

Start-up: the state database is migrated (it holds the registry and the tenants' state), the queue
gets procrastinate's schema if it has none, then the worker registers itself, writes a heartbeat
every ``heartbeat_seconds`` and runs up to ``concurrency`` jobs at once — of different tenants, as
the tenant locks and leases allow. Every worker also runs the periodic deferrer (fan-outs, stall
recovery); the database defers each tick once.

Database connections per worker process (see docs/scaling.md), ``n`` = ``concurrency``: the queue pool
(2 to ``n`` + 2: LISTEN, heartbeat and fetches share it with the jobs' own deferrals), the state pool
(``n`` + 2, up to ``2n`` + 2 at peaks: each running job holds its lease connection and borrows one for
its store operations) and the rate limiter's pool (1 to ``n`` + 1): ``4n`` + 5 at most (21 for n = 4).

Shutdown (SIGTERM/SIGINT, or ``stop``): no new job is fetched, every open engine is asked to stop
at its next safe point, and the running jobs get ``shutdown_grace_seconds`` to return before they
are cancelled; an interrupted job is retried by another worker (``JobInterrupted``). A worker that
dies without all that (``kill -9``, a lost machine) stops its heartbeat; after ``stalled_seconds``
``recover_stalled`` hands its jobs back to the queue, and its lease went with its connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import procrastinate
import psycopg_pool
import structlog

from shopsync.engine.summary import PassSummary
from shopsync.tenants import SecretBox, Tenant, TenantRegistry

from .app import build_app
from .connection import conninfo, postgres_url
from .deferrer import JobDeferrer
from .engines import TenantEngines
from .ratelimit import SharedRateLimiter
from .schema import ensure_schema
from .settings import JobSettings
from .tasks import RUNTIME_KEY

__all__ = ["Runtime", "WorkerStats", "open_runtime", "run_worker"]

log = structlog.get_logger("shopsync.jobs")


@dataclass
class WorkerStats:
    """What this worker process did (jobs per kind and the writes they made), for logs and benches."""

    jobs: Counter[str] = field(default_factory=Counter)
    writes: int = 0

    def record(self, kind: str, summaries: Sequence[PassSummary]) -> None:
        """Count one finished engine job."""
        self.jobs[kind] += 1
        self.writes += sum(s.total("tripletex").writes + s.total("webshop").writes for s in summaries)


@dataclass
class Runtime:
    """Everything a task uses: the registry, the tenants' engines, the deferrer, the settings."""

    registry: TenantRegistry
    engines: TenantEngines
    deferrer: JobDeferrer
    settings: JobSettings
    stats: WorkerStats = field(default_factory=WorkerStats)


@contextlib.asynccontextmanager
async def open_runtime(
    app: procrastinate.App,
    state_url: str,
    box: SecretBox,
    settings: JobSettings,
    *,
    concurrency: int,
) -> AsyncIterator[Runtime]:
    """The runtime on an opened ``app`` and the state database at ``state_url`` (migrated here)."""
    registry = TenantRegistry.open(state_url, pool_size=concurrency + 2, max_overflow=concurrency)
    pool = psycopg_pool.AsyncConnectionPool(
        conninfo(state_url), min_size=1, max_size=concurrency + 1, open=False, name="shopsync-ratelimit"
    )
    limiters: dict[str, SharedRateLimiter] = {}

    def limiter_for(tenant: Tenant) -> Callable[[], Awaitable[None]] | None:
        if tenant.rate_limit is None:
            return None
        current = limiters.get(tenant.name)
        if current is None or current.limit != tenant.rate_limit:
            current = limiters[tenant.name] = SharedRateLimiter(pool, tenant.name, tenant.rate_limit)
        return current

    engines = TenantEngines(registry, box, limiter=limiter_for, max_open=settings.max_open_engines)
    try:
        tenants = registry.check_key(box)
        log.info("jobs.worker_starting", active_tenants=tenants, concurrency=concurrency)
        await pool.open(wait=True, timeout=30)
        yield Runtime(registry=registry, engines=engines, deferrer=JobDeferrer(app), settings=settings)
    finally:
        await engines.aclose()
        await pool.close()
        registry.close()


async def run_worker(
    queue_url: str,
    *,
    state_url: str | None = None,
    box: SecretBox,
    concurrency: int = 4,
    settings: JobSettings | None = None,
    name: str | None = None,
    handle_signals: bool = True,
    on_ready: Callable[[Runtime], None] | None = None,
    stop: asyncio.Event | None = None,
) -> WorkerStats:
    """Run a worker until SIGTERM/SIGINT (``handle_signals``) or ``stop`` is set; what it did.

    ``state_url`` is the database with the registry and the tenants' state (default: the queue's).
    Raises ``QueueURLError`` for a non-PostgreSQL location before connecting anywhere.
    """
    settings = settings or JobSettings()
    state = state_url or queue_url
    postgres_url(state), postgres_url(queue_url)  # both must be PostgreSQL: fail before connecting
    app = build_app(queue_url, settings, pool_min=2, pool_max=concurrency + 2)
    async with app.open_async():
        await ensure_schema(app)
        async with open_runtime(app, state, box, settings, concurrency=concurrency) as runtime:
            if on_ready is not None:
                on_ready(runtime)
            await _work(app, runtime, settings, concurrency, name, handle_signals, stop)
            log.info("jobs.worker_stopped", jobs=dict(runtime.stats.jobs), writes=runtime.stats.writes)
            return runtime.stats


async def _work(
    app: procrastinate.App,
    runtime: Runtime,
    settings: JobSettings,
    concurrency: int,
    name: str | None,
    handle_signals: bool,
    stop: asyncio.Event | None,
) -> None:
    worker = asyncio.create_task(
        app.run_worker_async(
            queues=[settings.queue],
            name=name or "shopsync-worker",
            concurrency=concurrency,
            additional_context={RUNTIME_KEY: runtime},
            install_signal_handlers=False,
            update_heartbeat_interval=settings.heartbeat_seconds,
            stalled_worker_timeout=settings.stalled_seconds,
            shutdown_graceful_timeout=settings.shutdown_grace_seconds,
            delete_jobs="never" if settings.keep_succeeded_jobs else "successful",
            fetch_job_polling_interval=settings.fetch_polling_seconds,
        ),
        name="procrastinate-worker",
    )

    def request_stop() -> None:
        if not worker.done():
            log.info("jobs.worker_stopping")
            runtime.engines.request_stop()
            worker.cancel()  # procrastinate then stops fetching and waits for the running jobs

    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT) if handle_signals else ()
    for sig in signals:
        loop.add_signal_handler(sig, request_stop)
    watcher = asyncio.create_task(stop.wait()) if stop is not None else None
    if watcher is not None:
        watcher.add_done_callback(lambda _: request_stop())
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        if watcher is not None:
            watcher.cancel()
