"""Initial schema: links, snapshots, cursors, seen versions, journal, conflicts, dead letters, reviews,
pending work, events and passes.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Frozen on purpose: it spells out the types instead of importing ``tables.py``, so later changes to the
metadata need a new revision (the migration test fails until there is one).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_SIDES = "('webshop', 'tripletex')"
_OPEN = sa.text("status = 'open'")
_IN_FLIGHT = sa.text("state IN ('pending', 'ambiguous')")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(JSONB(), "postgresql")


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant", sa.Text(), server_default="default", nullable=False)


def _id() -> sa.Column[int]:
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
    )


def _text(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _check(table: str, column: str, values: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN {values}", name=op.f(f"ck_{table}_{column}"))


def _open_unique(table: str, columns: list[str], where: sa.TextClause = _OPEN) -> None:
    name = "uq_journal_in_flight" if table == "journal" else f"uq_{table}_open"
    op.create_index(name, table, columns, unique=True, sqlite_where=where, postgresql_where=where)


def upgrade() -> None:
    """Create every table of the state store."""
    op.create_table(
        "links",
        _tenant(),
        _text("entity"),
        _text("webshop_id"),
        sa.Column("tripletex_id", sa.BigInteger(), nullable=False),
        _text("parent_webshop_id", nullable=True),
        _time("created_at"),
        sa.PrimaryKeyConstraint("tenant", "entity", "webshop_id", name=op.f("pk_links")),
        sa.UniqueConstraint(
            "tenant", "entity", "tripletex_id", name=op.f("uq_links_tenant_entity_tripletex_id")
        ),
    )
    op.create_index(
        op.f("ix_links_tenant_entity_parent_webshop_id"), "links", ["tenant", "entity", "parent_webshop_id"]
    )

    op.create_table(
        "snapshots",
        _tenant(),
        _text("entity"),
        _text("webshop_id"),
        sa.Column("values", _json(), nullable=False),
        _text("values_hash"),
        _text("webshop_version", nullable=True),
        sa.Column("tripletex_version", sa.BigInteger(), nullable=True),
        _time("synced_at"),
        sa.PrimaryKeyConstraint("tenant", "entity", "webshop_id", name=op.f("pk_snapshots")),
    )

    op.create_table(
        "cursors",
        _tenant(),
        _text("side"),
        _text("entity"),
        _text("value"),
        _time("updated_at"),
        _check("cursors", "side", _SIDES),
        sa.PrimaryKeyConstraint("tenant", "side", "entity", name=op.f("pk_cursors")),
    )

    op.create_table(
        "seen_versions",
        _tenant(),
        _text("entity"),
        sa.Column("tripletex_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        _time("seen_at"),
        sa.PrimaryKeyConstraint("tenant", "entity", "tripletex_id", name=op.f("pk_seen_versions")),
    )

    op.create_table(
        "journal",
        _id(),
        _tenant(),
        _text("entity"),
        _text("target_side"),
        _text("op"),
        _text("source_side"),
        _text("source_id"),
        sa.Column("natural_key", _json(), nullable=True),
        _text("idempotency_key", nullable=True),
        sa.Column("payload", _json(), nullable=True),
        _text("state"),
        _text("result_id", nullable=True),
        _text("error", nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _check("journal", "target_side", _SIDES),
        _check("journal", "source_side", _SIDES),
        _check("journal", "op", "('create', 'update', 'delete', 'deactivate')"),
        _check("journal", "state", "('pending', 'done', 'ambiguous', 'failed')"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal")),
        sa.UniqueConstraint("tenant", "idempotency_key", name=op.f("uq_journal_tenant_idempotency_key")),
    )
    op.create_index(op.f("ix_journal_tenant_state"), "journal", ["tenant", "state"])
    _open_unique("journal", ["tenant", "entity", "target_side", "source_side", "source_id"], _IN_FLIGHT)

    op.create_table(
        "conflicts",
        _id(),
        _tenant(),
        _text("entity"),
        _text("webshop_id"),
        sa.Column("tripletex_id", sa.BigInteger(), nullable=False),
        _text("field"),
        sa.Column("base", _json(), nullable=True),
        sa.Column("webshop_value", _json(), nullable=True),
        sa.Column("tripletex_value", _json(), nullable=True),
        _text("policy"),
        _text("winner", nullable=True),
        _text("status"),
        _time("created_at"),
        _time("resolved_at", nullable=True),
        _check("conflicts", "winner", _SIDES),
        _check("conflicts", "status", "('open', 'resolved')"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts")),
    )
    op.create_index(op.f("ix_conflicts_tenant_status"), "conflicts", ["tenant", "status"])
    op.create_index(
        op.f("ix_conflicts_tenant_entity_webshop_id"), "conflicts", ["tenant", "entity", "webshop_id"]
    )
    _open_unique("conflicts", ["tenant", "entity", "webshop_id", "field"])

    op.create_table(
        "dead_letters",
        _id(),
        _tenant(),
        _text("entity"),
        _text("side"),
        _text("record_id"),
        _text("reason"),
        _text("field", nullable=True),
        sa.Column("payload", _json(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _text("status"),
        _time("created_at"),
        _time("last_attempt_at"),
        _check("dead_letters", "side", _SIDES),
        _check("dead_letters", "status", "('open', 'replayed', 'discarded')"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_index(op.f("ix_dead_letters_tenant_status"), "dead_letters", ["tenant", "status"])
    _open_unique("dead_letters", ["tenant", "entity", "side", "record_id"])

    op.create_table(
        "review_items",
        _id(),
        _tenant(),
        _text("entity"),
        _text("side"),
        _text("record_id"),
        sa.Column("candidates", _json(), nullable=False),
        _text("status"),
        _time("created_at"),
        _time("resolved_at", nullable=True),
        _check("review_items", "side", _SIDES),
        _check("review_items", "status", "('open', 'linked', 'created', 'dismissed')"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
    )
    op.create_index(op.f("ix_review_items_tenant_status"), "review_items", ["tenant", "status"])
    _open_unique("review_items", ["tenant", "entity", "side", "record_id"])

    op.create_table(
        "pending_work",
        _tenant(),
        _text("entity"),
        _text("side"),
        _text("record_id"),
        _text("reason"),
        _time("not_before"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        _time("enqueued_at"),
        _check("pending_work", "side", _SIDES),
        sa.PrimaryKeyConstraint("tenant", "entity", "side", "record_id", name=op.f("pk_pending_work")),
    )
    op.create_index(op.f("ix_pending_work_tenant_not_before"), "pending_work", ["tenant", "not_before"])

    op.create_table(
        "events",
        _id(),
        _tenant(),
        _text("entity"),
        _text("webshop_id", nullable=True),
        sa.Column("tripletex_id", sa.BigInteger(), nullable=True),
        _text("side", nullable=True),
        _text("action"),
        sa.Column("detail", _json(), nullable=True),
        _time("at"),
        _check("events", "side", _SIDES),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(
        op.f("ix_events_tenant_entity_webshop_id_at"), "events", ["tenant", "entity", "webshop_id", "at"]
    )
    op.create_index(
        op.f("ix_events_tenant_entity_tripletex_id_at"), "events", ["tenant", "entity", "tripletex_id", "at"]
    )
    op.create_index(op.f("ix_events_tenant_at"), "events", ["tenant", "at"])

    op.create_table(
        "passes",
        _id(),
        _tenant(),
        _text("kind"),
        _text("status"),
        _time("started_at"),
        _time("finished_at", nullable=True),
        sa.Column("summary", _json(), nullable=True),
        _check("passes", "kind", "('sync', 'reconcile')"),
        _check("passes", "status", "('running', 'succeeded', 'partial', 'failed', 'interrupted')"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passes")),
    )
    op.create_index(op.f("ix_passes_tenant_kind_started_at"), "passes", ["tenant", "kind", "started_at"])


def downgrade() -> None:
    """Drop every table of the state store (dependents first)."""
    for table in (
        "passes",
        "events",
        "pending_work",
        "review_items",
        "dead_letters",
        "conflicts",
        "journal",
        "seen_versions",
        "cursors",
        "snapshots",
        "links",
    ):
        op.drop_table(table)
