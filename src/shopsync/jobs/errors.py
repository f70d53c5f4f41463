"""The job layer's errors, and which of them a retry can help.

```
JobsError
├── QueueURLError     the --queue location is not a PostgreSQL URL
├── TenantBusy        another process holds the tenant's lease (retried shortly)
└── JobInterrupted    the worker is stopping and the engine stopped at a safe point (retried)
```

Tenant problems (unknown, paused, a wrong secret key) are ``shopsync.tenants`` errors; engine
decisions that cannot be taken are the engine's ``UnknownItem``/``AlreadySettled``/``InvalidDecision``.
None of those is retried (see ``retry``).
"""

from __future__ import annotations

__all__ = ["JobInterrupted", "JobsError", "QueueURLError", "TenantBusy"]


class JobsError(Exception):
    """The job layer failed."""


class QueueURLError(JobsError, ValueError):
    """The queue must be a PostgreSQL database: postgresql://user:password@host:port/database."""


class TenantBusy(JobsError):
    """Another process runs an engine call for this tenant (it holds the tenant's lease)."""

    def __init__(self, tenant: str) -> None:
        self.tenant = tenant
        super().__init__(f"tenant {tenant!r} is busy in another process")


class JobInterrupted(JobsError):
    """The worker is shutting down: the engine ended its call at a safe point, the rest is retried."""

    def __init__(self, tenant: str, kind: str) -> None:
        self.tenant = tenant
        self.kind = kind
        super().__init__(f"{kind} of tenant {tenant!r} was interrupted by a shutdown")
