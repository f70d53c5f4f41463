"""The sync state: links, snapshots, cursors, the intent journal, conflicts, dead letters, the timeline.

Quick start::

    from shopsync.state import StateStore

    store = StateStore.open("state.db")                    # or "postgresql://user@host/db"; tenant="default"
    with store.transaction() as conn:                      # link + snapshot + cursor: all or nothing
        store.link("customer", "c-17", 4711, conn=conn)
        store.save_snapshot("customer", "c-17", view, tripletex_version=3, conn=conn)
        store.advance_cursor("webshop", "customer", "2026-05-01T10:00:00Z|c-17", conn=conn)
    store.tripletex_id_for("customer", "c-17")             # 4711
    intent = store.journal_intent("customer", target="tripletex", op="create",
                                  source_side="webshop", source_id="c-18", natural_key={"email": "a@b.no"})
    store.journal_done(intent, result_id=4712)
    print(store.status_summary().to_dict())
    store.close()

SQLAlchemy 2 Core on SQLite (WAL, the default) or PostgreSQL (psycopg 3). ``StateStore.open`` creates
or migrates the schema with the Alembic revisions shipped in ``shopsync/state/migrations`` — no
``alembic.ini`` involved. To run Alembic by hand (history, current, a new revision)::

    from alembic import command
    from shopsync.state.migrate import alembic_config
    command.history(alembic_config("sqlite:///state.db"))
    command.upgrade(alembic_config("postgresql://user@host/db"), "head")

Snapshot values are stored as JSON with Decimals as decimal strings; ``values_hash`` of a fresh view
equals the stored hash exactly when nothing changed (echo suppression).
"""

from shopsync.state._json import values_hash
from shopsync.state.errors import (
    IntentInFlight,
    InvalidTransition,
    LinkConflict,
    NotLinked,
    StateError,
    StateURLError,
    UnknownRecord,
)
from shopsync.state.records import (
    OPEN_INTENT_STATES,
    ConflictStatus,
    Cursor,
    DeadLetter,
    DeadLetterStatus,
    Entity,
    EntityStatus,
    Event,
    EventAction,
    EventInput,
    FieldConflict,
    Intent,
    IntentInput,
    IntentOp,
    IntentState,
    Link,
    Pass,
    PassKind,
    PassStatus,
    ReviewItem,
    ReviewStatus,
    Side,
    Snapshot,
    SnapshotInput,
    StatusSummary,
    WorkItem,
)
from shopsync.state.store import StateStore
from shopsync.state.tables import DEFAULT_TENANT
from shopsync.state.urls import create_state_engine, display_url, state_url

__all__ = [
    "DEFAULT_TENANT",
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
    "IntentInFlight",
    "IntentInput",
    "IntentOp",
    "IntentState",
    "InvalidTransition",
    "Link",
    "LinkConflict",
    "NotLinked",
    "Pass",
    "PassKind",
    "PassStatus",
    "ReviewItem",
    "ReviewStatus",
    "Side",
    "Snapshot",
    "SnapshotInput",
    "StateError",
    "StateStore",
    "StateURLError",
    "StatusSummary",
    "UnknownRecord",
    "WorkItem",
    "create_state_engine",
    "display_url",
    "state_url",
    "values_hash",
]
