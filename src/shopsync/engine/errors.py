"""The engine's own errors, as one small tree rooted in ``EngineError``.

```
EngineError
└── SyncStepFailed     a pass stopped: which step, entity and record key, with the cause chained
```

Per-record failures (validation, mapping errors, conflicts, locked records) never raise: they become
dead letters, conflicts or waiting work and the pass goes on. ``SyncStepFailed`` is raised only when
a pass cannot continue at all (a system unreachable after the client's retries, the database gone):
the cause is chained (``raise … from exc``) so the CLI can classify it as a connection problem.
"""

from __future__ import annotations

__all__ = ["EngineError", "SyncStepFailed"]


class EngineError(Exception):
    """The sync engine failed."""


class SyncStepFailed(EngineError):
    """A step of a sync pass failed and the pass stopped; ``__cause__`` is the underlying error."""

    def __init__(self, step: str, entity: str, key: str | None = None) -> None:
        self.step = step
        self.entity = entity
        self.key = key
        where = f"{entity} {key}" if key else entity
        super().__init__(f"sync step {step!r} failed for {where}")
