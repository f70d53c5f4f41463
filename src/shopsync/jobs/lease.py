"""``TenantLeases``: a PostgreSQL advisory lock held by a tenant's running engine call.

procrastinate's ``lock`` already runs a tenant's jobs one at a time. But stall recovery hands a job
back to the queue when its worker's heartbeat is late, and a late heartbeat can also mean a live
worker whose event loop was blocked: then the retry would run beside the first run. The lease rules
that out: the job holds ``pg_try_advisory_lock(key)`` on a connection of its own for the whole engine
call, and a second run finds it taken (``TenantBusy``, retried shortly). A worker killed with
``kill -9`` loses its connection, and PostgreSQL drops the lock with it, so a dead worker never
blocks its tenant. On SQLite (single-process tests) the lease is a no-op.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import structlog

from .errors import TenantBusy
from .locks import advisory_key

__all__ = ["TenantLeases"]

log = structlog.get_logger("shopsync.jobs")


class TenantLeases:
    """Hands out tenant leases on connections of ``engine`` (one connection per held lease)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    @contextmanager
    def hold(self, tenant: str) -> Iterator[None]:
        """Hold ``tenant``'s lease for the block; ``TenantBusy`` at once if another session has it."""
        if self._engine.dialect.name != "postgresql":
            yield
            return
        key = advisory_key(tenant)
        conn = self._engine.connect()
        try:
            taken = conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar_one()
            conn.commit()  # a session-level lock outlives the transaction
            if not taken:
                raise TenantBusy(tenant)
            try:
                yield
            finally:
                try:
                    conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
                    conn.commit()
                except Exception:
                    # Never hand a connection that may still hold the lock back to the pool.
                    log.warning("jobs.lease_release_failed", tenant=tenant)
                    conn.invalidate()
        finally:
            conn.close()
