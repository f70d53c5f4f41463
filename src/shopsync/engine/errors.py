"""The engine's own errors, as one small tree rooted in ``EngineError``.

```
EngineError
├── SyncStepFailed     a pass stopped: which step, entity and record key, with the cause chained
├── UnknownItem        no conflict, review item or dead letter with that id (for this tenant)
├── AlreadySettled     the conflict, review item or dead letter was already decided
└── InvalidDecision    a decision that does not fit the item (a winner or candidate it does not have)
```

Per-record failures (validation, mapping errors, conflicts, locked records) never raise: they become
dead letters, conflicts or waiting work and the pass goes on. ``SyncStepFailed`` is raised only when
a pass cannot continue at all (a system unreachable after the client's retries, the database gone):
the cause is chained (``raise … from exc``) so the CLI can classify it as a connection problem. The
other three are raised by the decision methods (``resolve_conflict``, ``resolve_review``, ``replay``)
before anything is written, so the CLI can show them as a plain message.
"""

from __future__ import annotations

__all__ = ["AlreadySettled", "EngineError", "InvalidDecision", "SyncStepFailed", "UnknownItem"]


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


class UnknownItem(EngineError, LookupError):
    """No conflict, review item or dead letter has this id (for this tenant)."""

    def __init__(self, kind: str, item_id: int) -> None:
        self.kind = kind
        self.item_id = item_id
        super().__init__(f"there is no {kind} with id {item_id}")


class AlreadySettled(EngineError):
    """The item was already decided (a resolved conflict, a closed review, a replayed dead letter)."""

    def __init__(self, kind: str, item_id: int, status: str) -> None:
        self.kind = kind
        self.item_id = item_id
        self.status = status
        super().__init__(f"{kind} {item_id} is already {status}")


class InvalidDecision(EngineError, ValueError):
    """A decision the item cannot take (an unknown winner, action or candidate); nothing was changed."""
