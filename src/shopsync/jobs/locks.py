"""Names of the procrastinate locks, and the PostgreSQL advisory-lock key of a tenant.

* ``lock`` — every engine job of a tenant carries ``tenant_lock(tenant)``: procrastinate runs the
  jobs sharing a lock one at a time, in priority then creation order, so two jobs of one tenant (and
  so of one record) never run at once, while jobs of different tenants run side by side. The engine's
  unit of work is the whole tenant (a pass walks every entity, the journal and the cursors are the
  tenant's), so this is the finest lock that is safe.
* ``queueing_lock`` — at most one *waiting* job per kind and tenant: a burst of webhooks or a poll
  that comes round while the last one still waits collapses into the job already queued (which will
  see all of it when it runs).
* ``advisory_key`` — the key of the tenant's lease (``lease``): a second line of defence held by the
  running job itself, so a job handed back by stall recovery while its first run is in fact still
  alive waits instead of running beside it.
"""

from __future__ import annotations

import hashlib

__all__ = ["advisory_key", "queueing_lock", "tenant_lock"]

_PREFIX = "shopsync"


def tenant_lock(tenant: str) -> str:
    """The procrastinate ``lock`` shared by every engine job of ``tenant``."""
    return f"{_PREFIX}:tenant:{tenant}"


def queueing_lock(kind: str, tenant: str | None = None) -> str:
    """The ``queueing_lock`` of a job kind (per tenant, or installation-wide for fan-outs)."""
    return f"{_PREFIX}:{kind}" + (f":{tenant}" if tenant is not None else "")


def advisory_key(tenant: str) -> int:
    """A signed 64-bit key for ``pg_advisory_lock``, stable across processes and machines."""
    digest = hashlib.sha256(f"{_PREFIX}:tenant:{tenant}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
