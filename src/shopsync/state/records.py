"""What the state store stores and returns: status enums and one frozen record type per table row.

Enum members are stored as their string values. ``Entity`` lists the entities the engine syncs today;
the ``entity`` columns are plain text so that a new entity needs no migration.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

__all__ = [
    "OPEN_INTENT_STATES",
    "ConflictStatus",
    "Cursor",
    "DeadLetter",
    "DeadLetterStatus",
    "Entity",
    "EntityStatus",
    "Event",
    "EventAction",
    "EventInput",
    "FieldConflict",
    "Intent",
    "IntentInput",
    "IntentOp",
    "IntentState",
    "Link",
    "Pass",
    "PassKind",
    "PassStatus",
    "ReviewItem",
    "ReviewStatus",
    "Side",
    "Snapshot",
    "SnapshotInput",
    "StatusSummary",
    "WorkItem",
]


class Entity(enum.StrEnum):
    """The synced entities."""

    #: A webshop customer ↔ a Tripletex customer.
    CUSTOMER = "customer"
    #: A webshop product ↔ a Tripletex product (SKU ↔ product number).
    PRODUCT = "product"
    #: A webshop order ↔ a Tripletex order.
    ORDER = "order"
    #: One order line; its link's parent is the order's webshop id.
    ORDER_LINE = "order_line"


class Side(enum.StrEnum):
    """One of the two systems being synced."""

    #: The custom webshop.
    WEBSHOP = "webshop"
    #: Tripletex.
    TRIPLETEX = "tripletex"


class IntentOp(enum.StrEnum):
    """The kind of write an intent announces."""

    #: Create a record (the write that can duplicate if retried blindly).
    CREATE = "create"
    #: Update a linked record (carries a version, so a retry is safe).
    UPDATE = "update"
    #: Delete a record.
    DELETE = "delete"
    #: Mark a record inactive instead of deleting it.
    DEACTIVATE = "deactivate"


class IntentState(enum.StrEnum):
    """Where a journalled write stands."""

    #: Journalled, perhaps sent; the outcome is not known yet (after a crash: resolve before anything else).
    PENDING = "pending"
    #: Sent, answered; ``result_id`` holds the record written.
    DONE = "done"
    #: Sent, no usable answer (timeout, dropped connection, 5xx): resolve by natural key or replay.
    AMBIGUOUS = "ambiguous"
    #: Definitely not written (the other side refused it).
    FAILED = "failed"


#: Intent states that still need resolving.
OPEN_INTENT_STATES = (IntentState.PENDING, IntentState.AMBIGUOUS)


class ConflictStatus(enum.StrEnum):
    """Whether a field conflict still needs a decision."""

    #: Waiting for a person (or a locked record's edit that could not be applied).
    OPEN = "open"
    #: Decided, by policy or by hand; ``winner`` says which side's value was kept.
    RESOLVED = "resolved"


class DeadLetterStatus(enum.StrEnum):
    """Whether a dead-lettered record is still failing."""

    #: Failing; ``shopsync replay`` retries it.
    OPEN = "open"
    #: Retried (or synced again) successfully.
    REPLAYED = "replayed"
    #: Given up on by a person.
    DISCARDED = "discarded"


class ReviewStatus(enum.StrEnum):
    """The outcome of a matching review (a record with several possible counterparts)."""

    #: Nothing created, nothing linked yet.
    OPEN = "open"
    #: Linked to one of the candidates.
    LINKED = "linked"
    #: A new counterpart was created instead.
    CREATED = "created"
    #: Left alone on purpose.
    DISMISSED = "dismissed"


class PassKind(enum.StrEnum):
    """What a pass did."""

    #: An incremental two-way sync pass.
    SYNC = "sync"
    #: A full read of both sides (the safety net).
    RECONCILE = "reconcile"


class PassStatus(enum.StrEnum):
    """How a pass ended."""

    #: Started, not finished (if the process died, the next ``start_pass`` marks it interrupted).
    RUNNING = "running"
    #: Finished with both sides in sync.
    SUCCEEDED = "succeeded"
    #: Finished, but some records are dead-lettered or in conflict.
    PARTIAL = "partial"
    #: Stopped by an error (configuration, connection, mass-delete breaker).
    FAILED = "failed"
    #: The process died while the pass was running, or the pass stopped early on request.
    INTERRUPTED = "interrupted"


class EventAction(enum.StrEnum):
    """Common timeline actions (the column is free text; these are the names the engine uses)."""

    #: A counterpart was created on the event's ``side``.
    CREATED = "created"
    #: Fields were written on ``side``; ``detail`` names them with old and new values.
    UPDATED = "updated"
    #: The record was deactivated on ``side`` because its counterpart was deleted.
    DEACTIVATED = "deactivated"
    #: The record was deleted (seen as a tombstone or a confirmed delete webhook).
    DELETED = "deleted"
    #: Matched to an existing counterpart, or linked after its create.
    LINKED = "linked"
    #: The link was removed.
    UNLINKED = "unlinked"
    #: A field changed on both sides; ``detail`` holds the values and the decision.
    CONFLICT = "conflict"
    #: The record failed and was parked; ``detail`` holds the reason.
    DEAD_LETTER = "dead_letter"
    #: A dead-lettered record synced after all.
    REPLAYED = "replayed"
    #: Several candidates matched; the record waits on the review list.
    REVIEW = "review"
    #: The record waits for a dependency (e.g. its customer is not linked yet).
    WAITING = "waiting"
    #: Written under another name on ``side`` because that system already had the record's name.
    RENAMED = "renamed"


@dataclass(frozen=True, slots=True)
class Link:
    """A webshop record and its Tripletex counterpart."""

    entity: str
    webshop_id: str
    tripletex_id: int
    parent_webshop_id: str | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class IntentInput:
    """One intent to journal in bulk (``StateStore.journal_intents``); the fields of ``journal_intent``."""

    target: str
    op: str
    source_side: str
    source_id: str | int
    natural_key: dict[str, Any] | None = None
    idempotency_key: str | None = None
    payload: Any = None


@dataclass(frozen=True, slots=True)
class EventInput:
    """One event to log in bulk (``StateStore.log_events``); the fields of ``log_event``."""

    action: str
    webshop_id: str | None = None
    tripletex_id: int | None = None
    side: str | None = None
    detail: Any = None


@dataclass(frozen=True, slots=True)
class SnapshotInput:
    """One snapshot to save in bulk (``StateStore.save_snapshots``)."""

    webshop_id: str
    values: dict[str, Any]
    webshop_version: str | None = None
    tripletex_version: int | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The last values both sides agreed on, as stored JSON (Decimals are decimal strings)."""

    entity: str
    webshop_id: str
    values: dict[str, Any]
    values_hash: str
    webshop_version: str | None
    tripletex_version: int | None
    synced_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Cursor:
    """How far one side's change feed for one entity has been read."""

    side: str
    entity: str
    value: str
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Intent:
    """A journalled write: announced before it is sent, closed when its outcome is known."""

    id: int
    entity: str
    target: str
    op: str
    source_side: str
    source_id: str
    natural_key: dict[str, Any] | None
    idempotency_key: str | None
    payload: Any
    state: str
    result_id: str | None
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """A field changed on both sides to different values."""

    id: int
    entity: str
    webshop_id: str
    tripletex_id: int
    field: str
    base: Any
    webshop_value: Any
    tripletex_value: Any
    policy: str
    winner: str | None
    status: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record that failed to sync, with the reason from the API or the mapping."""

    id: int
    entity: str
    side: str
    record_id: str
    reason: str
    field: str | None
    payload: Any
    attempts: int
    status: str
    created_at: dt.datetime
    last_attempt_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A record with several matching candidates on the other side: nothing is done until decided."""

    id: int
    entity: str
    side: str
    record_id: str
    candidates: list[Any]
    status: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A record waiting to be synced (a webhook told us, or it waits for a dependency).

    ``generation`` grows with every ``enqueue`` of the same record, so finishing an older generation
    does not drop a notification that arrived meanwhile.
    """

    entity: str
    side: str
    record_id: str
    reason: str
    not_before: dt.datetime
    attempts: int
    generation: int
    enqueued_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a record's timeline."""

    id: int
    entity: str
    webshop_id: str | None
    tripletex_id: int | None
    side: str | None
    action: str
    detail: Any
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Pass:
    """One sync or reconcile pass."""

    id: int
    kind: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    summary: Any


@dataclass(frozen=True, slots=True)
class EntityStatus:
    """Counts for one entity, as ``shopsync status`` shows them."""

    links: int = 0
    pending: int = 0
    conflicts: int = 0
    dead_letters: int = 0
    reviews: int = 0


@dataclass(frozen=True, slots=True)
class StatusSummary:
    """Everything ``shopsync status`` prints for one tenant."""

    tenant: str
    entities: dict[str, EntityStatus]
    cursors: list[Cursor]
    open_intents: int
    last_pass: Pass | None
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (timestamps as ISO 8601, decimals as strings) for ``status --json``."""

        def iso(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value.isoformat()
            if isinstance(value, Decimal):  # JSON numbers in a pass summary load as Decimal
                return format(value, "f")
            if isinstance(value, dict):
                return {k: iso(v) for k, v in value.items()}
            if isinstance(value, list):
                return [iso(v) for v in value]
            return value

        return iso(asdict(self))  # type: ignore[no-any-return]
