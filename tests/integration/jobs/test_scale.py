"""3 worker processes, 20 tenants, each with its own simulator pair and a tight Tripletex rate limit;
one worker is killed with ``kill -9`` in the middle of a job.

Checked through the systems' own APIs: every tenant converges with no duplicate and nothing
missing, no Tripletex simulator ever answered 429, the killed job was handed back and finished by
another worker, no tenant was worked on by two jobs at once while different tenants were, and no
write is left unresolved in any tenant's journal.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from shopsync.state import StateStore
from shopsync.tenants import RateLimit, SecretBox, TenantRegistry
from tests.fixtures.webshop import WebshopFactory
from tests.integration.conftest import SimFactory

from .fleet import TenantSims, all_converged, check, eventually, register, start_fleet
from .workers import WorkerProcess, rows, start_workers

pytestmark = pytest.mark.e2e

TENANTS, WORKERS, CONCURRENCY = 20, 3, 4
#: The simulated accounts allow 12 requests a second; the workers share 10 of them per tenant.
SIM_LIMIT, SHARED = 12, RateLimit(10, 1.0)


async def _kill_mid_job(database: str, fleet: list[TenantSims], workers: list[WorkerProcess]) -> int:
    """Wait for a job that runs while its tenant is being written to, then kill its worker; its id."""
    by_name = {t.name: t for t in fleet}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        doing = rows(
            database,
            "SELECT id, worker_id, args->>'tenant' AS tenant FROM procrastinate_jobs "
            "WHERE status = 'doing' AND task_name = 'shopsync.poll' AND worker_id IS NOT NULL",
        )
        for job in doing:
            victim = next((w for w in workers if w.worker_id == job.worker_id), None)
            if victim is not None and by_name[job.tenant].tripletex_stats()["writes"] > 0:
                victim.kill()
                return int(job.id)
        await asyncio.sleep(0.05)
    raise AssertionError("no job was caught writing")


def _overlaps(database: str) -> tuple[int, int]:
    """(runs of one tenant that overlapped, most runs of different tenants that overlapped)."""
    spans = rows(
        database,
        """
        SELECT j.lock, e.at AS started,
               (SELECT min(n.at) FROM procrastinate_events n WHERE n.job_id = e.job_id AND n.at > e.at
                  AND n.type IN ('succeeded', 'failed', 'deferred_for_retry', 'aborted')) AS ended
        FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id
        WHERE e.type = 'started' AND j.lock IS NOT NULL ORDER BY e.at
        """,
    )
    same = 0
    parallel = 0
    for index, span in enumerate(spans):
        if span.ended is None:
            continue
        running = [s for s in spans[:index] if s.ended is not None and s.ended > span.started]
        same += sum(1 for s in running if s.lock == span.lock)
        parallel = max(parallel, len({s.lock for s in running} | {span.lock}))
    return same, parallel


async def test_three_workers_twenty_tenants_and_a_kill(
    tmp_path: Path,
    database: str,
    registry: TenantRegistry,
    box: SecretBox,
    secret_key: str,
    tripletex_sim_factory: SimFactory,
    webshop_sim_factory: WebshopFactory,
) -> None:
    """Everything converges, without a duplicate or a 429, although a worker died mid-job."""
    fleet = start_fleet(
        TENANTS,
        tmp_path,
        database,
        tripletex_sim_factory,
        webshop_sim_factory,
        rate_limit=SIM_LIMIT,
        rate_period=1.0,
        latency_ms=5,
    )
    register(registry, fleet, box, SHARED)
    workers = start_workers(WORKERS, database, secret_key, tmp_path, concurrency=CONCURRENCY)
    try:
        killed = await _kill_mid_job(database, fleet, workers)
        pending = {t.name for t in fleet}
        converged = await eventually(lambda: all_converged(fleet, pending), within=90, interval=1.0)
        logs = {w.log.name: w.log.read_text()[-3000:] for w in workers if pending}
        assert converged, f"not converged: {sorted(pending)}; {logs}"
    finally:
        codes = [w.stop() for w in workers if w.proc.poll() is None]
    assert codes == [0] * (WORKERS - 1)

    for tenant in fleet:
        result = await check(tenant)
        assert result.ok, f"{tenant.name}: {result.describe()}"
        assert tenant.tripletex_stats()["rateLimited"] == 0, tenant.name
        assert StateStore.from_engine(registry.engine, tenant.name).open_intents() == []

    retried = rows(database, "SELECT status, attempts FROM procrastinate_jobs WHERE id = :id", id=killed)
    # Killed (no count), handed back (+1), then finished by another worker (+1).
    assert [r.status for r in retried] == ["succeeded"]
    assert retried[0].attempts >= 2
    same, parallel = _overlaps(database)
    assert same == 0
    assert parallel > 1
