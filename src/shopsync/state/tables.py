"""Every table of the state store, as SQLAlchemy Core metadata (the schema Alembic migrates to).

Every table carries ``tenant`` and it leads every primary key, unique constraint and index, so one
database can hold many shops and every query a store makes is an index range within its tenant.
Tables with a surrogate ``id`` are the exception for the primary key only: SQLite can only
autoincrement a single-column ``INTEGER PRIMARY KEY``; their lookups still filter on the tenant.

"At most one open X per record" rules (dead letters, reviews, conflicts, in-flight intents) are
partial unique indexes, which both SQLite and PostgreSQL support and upserts can target.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from shopsync.state.records import (
    ConflictStatus,
    DeadLetterStatus,
    IntentOp,
    IntentState,
    PassKind,
    PassStatus,
    ReviewStatus,
    Side,
)

__all__ = [
    "DEFAULT_TENANT",
    "IN_FLIGHT_WHERE",
    "JSON_TYPE",
    "OPEN_WHERE",
    "UTCDateTime",
    "conflicts",
    "cursors",
    "dead_letters",
    "events",
    "journal",
    "links",
    "metadata",
    "passes",
    "pending_work",
    "review_items",
    "seen_versions",
    "snapshots",
    "tenants",
    "tripletex_rate_windows",
    "webhook_deliveries",
]

#: The tenant of a single-shop installation.
DEFAULT_TENANT = "default"

#: Deterministic constraint names, identical on SQLite and PostgreSQL (Alembic diffs rely on them).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

#: JSON everywhere, JSONB on PostgreSQL (indexable, compact, no duplicate keys).
JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")
#: Surrogate ids: 64-bit on PostgreSQL; SQLite's rowid alias must be spelled INTEGER.
ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: The predicate of the "one open row per record" partial unique indexes.
OPEN_WHERE = sa.text("status = 'open'")
#: The predicate of the "one unresolved write per record and target" journal index.
IN_FLIGHT_WHERE = sa.text("state IN ('pending', 'ambiguous')")


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on both databases (SQLite stores naive UTC text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the state store only takes timezone-aware times")
        value = value.astimezone(dt.UTC)
        # SQLite compares timestamps as text, so every stored value must be in the same zone and form.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant", sa.Text, nullable=False, server_default=DEFAULT_TENANT)


def _id() -> sa.Column[int]:
    return sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True)


def _one_of(column: str, values: Any) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=column)


def _open_unique(table: str, *columns: str) -> sa.Index:
    return sa.Index(
        f"uq_{table}_open",
        *columns,
        unique=True,
        sqlite_where=OPEN_WHERE,
        postgresql_where=OPEN_WHERE,
    )


links = sa.Table(
    "links",
    metadata,
    _tenant(),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("webshop_id", sa.Text, nullable=False),
    sa.Column("tripletex_id", sa.BigInteger, nullable=False),
    # For order lines: the order's webshop id (unlinking the order unlinks its lines).
    sa.Column("parent_webshop_id", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("tenant", "entity", "webshop_id"),
    sa.UniqueConstraint("tenant", "entity", "tripletex_id"),
    sa.Index(None, "tenant", "entity", "parent_webshop_id"),
)

snapshots = sa.Table(
    "snapshots",
    metadata,
    _tenant(),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("webshop_id", sa.Text, nullable=False),
    sa.Column("values", JSON_TYPE, nullable=False),
    sa.Column("values_hash", sa.Text, nullable=False),
    sa.Column("webshop_version", sa.Text, nullable=True),
    sa.Column("tripletex_version", sa.BigInteger, nullable=True),
    sa.Column("synced_at", UTCDateTime, nullable=False),
    # No foreign key to links, on purpose: PostgreSQL plans its per-row check once per session, and a
    # plan made before the links table has statistics scans it for every snapshot of an initial load
    # (~0.5 ms per row at 10k links, growing with the table). The store keeps the rule instead: a
    # snapshot is saved only for a linked pair, unlink removes it, and a new link clears a stale one.
    sa.PrimaryKeyConstraint("tenant", "entity", "webshop_id"),
)

cursors = sa.Table(
    "cursors",
    metadata,
    _tenant(),
    sa.Column("side", sa.Text, nullable=False),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("tenant", "side", "entity"),
    _one_of("side", Side),
)

# Kept apart from snapshots: version scans also cover Tripletex records that are not linked (yet),
# and a scan's "seen" version is not the version both sides last agreed on.
seen_versions = sa.Table(
    "seen_versions",
    metadata,
    _tenant(),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("tripletex_id", sa.BigInteger, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("seen_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("tenant", "entity", "tripletex_id"),
)

journal = sa.Table(
    "journal",
    metadata,
    _id(),
    _tenant(),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("target_side", sa.Text, nullable=False),
    sa.Column("op", sa.Text, nullable=False),
    sa.Column("source_side", sa.Text, nullable=False),
    sa.Column("source_id", sa.Text, nullable=False),
    sa.Column("natural_key", JSON_TYPE, nullable=True),
    sa.Column("idempotency_key", sa.Text, nullable=True),
    sa.Column("payload", JSON_TYPE, nullable=True),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("result_id", sa.Text, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    _one_of("target_side", Side),
    _one_of("source_side", Side),
    _one_of("op", IntentOp),
    _one_of("state", IntentState),
    sa.UniqueConstraint("tenant", "idempotency_key"),
    sa.Index(None, "tenant", "state"),
    # One unresolved write per record and target: a second one would be the duplicate we guard against.
    sa.Index(
        "uq_journal_in_flight",
        "tenant",
        "entity",
        "target_side",
        "source_side",
        "source_id",
        unique=True,
        sqlite_where=IN_FLIGHT_WHERE,
        postgresql_where=IN_FLIGHT_WHERE,
    ),
)

conflicts = sa.Table(
    "conflicts",
    metadata,
    _id(),
    _tenant(),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("webshop_id", sa.Text, nullable=False),
    sa.Column("tripletex_id", sa.BigInteger, nullable=False),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("base", JSON_TYPE, nullable=True),
    sa.Column("webshop_value", JSON_TYPE, nullable=True),
    sa.Column("tripletex_value", JSON_TYPE, nullable=True),
    sa.Column("policy", sa.Text, nullable=False),
    sa.Column("winner", sa.Text, nullable=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("resolved_at", UTCDateTime, nullable=True),
    _one_of("winner", Side),
    _one_of("status", ConflictStatus),
    sa.Index(None, "tenant", "status"),
    sa.Index(None, "tenant", "entity", "webshop_id"),
    _open_unique("conflicts", "tenant", "entity", "webshop_id", "field"),
)

dead_letters = sa.Table(
    "dead_letters",
    metadata,
    _id(),
    _tenant(),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("side", sa.Text, nullable=False),
    sa.Column("record_id", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("field", sa.Text, nullable=True),
    sa.Column("payload", JSON_TYPE, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_attempt_at", UTCDateTime, nullable=False),
    _one_of("side", Side),
    _one_of("status", DeadLetterStatus),
    sa.Index(None, "tenant", "status"),
    _open_unique("dead_letters", "tenant", "entity", "side", "record_id"),
)

review_items = sa.Table(
    "review_items",
    metadata,
    _id(),
    _tenant(),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("side", sa.Text, nullable=False),
    sa.Column("record_id", sa.Text, nullable=False),
    sa.Column("candidates", JSON_TYPE, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("resolved_at", UTCDateTime, nullable=True),
    _one_of("side", Side),
    _one_of("status", ReviewStatus),
    sa.Index(None, "tenant", "status"),
    _open_unique("review_items", "tenant", "entity", "side", "record_id"),
)

pending_work = sa.Table(
    "pending_work",
    metadata,
    _tenant(),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("side", sa.Text, nullable=False),
    sa.Column("record_id", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("not_before", UTCDateTime, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("enqueued_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("tenant", "entity", "side", "record_id"),
    _one_of("side", Side),
    sa.Index(None, "tenant", "not_before"),
)

events = sa.Table(
    "events",
    metadata,
    _id(),
    _tenant(),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("webshop_id", sa.Text, nullable=True),
    sa.Column("tripletex_id", sa.BigInteger, nullable=True),
    sa.Column("side", sa.Text, nullable=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("detail", JSON_TYPE, nullable=True),
    sa.Column("at", UTCDateTime, nullable=False),
    _one_of("side", Side),
    sa.Index(None, "tenant", "entity", "webshop_id", "at"),
    sa.Index(None, "tenant", "entity", "tripletex_id", "at"),
    sa.Index(None, "tenant", "at"),
)

passes = sa.Table(
    "passes",
    metadata,
    _id(),
    _tenant(),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime, nullable=True),
    sa.Column("summary", JSON_TYPE, nullable=True),
    _one_of("kind", PassKind),
    _one_of("status", PassStatus),
    sa.Index(None, "tenant", "kind", "started_at"),
)

# Webhook deliveries already accepted (webshop ``Webhook-Id``, Tripletex ``idempotency-key``): a
# redelivery, or a replay of a captured one, is answered without being processed again, also after a
# restart. Rows older than the senders' retry window are pruned.
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    _tenant(),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("delivery_id", sa.Text, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("tenant", "source", "delivery_id"),
    _one_of("source", Side),
    sa.Index(None, "tenant", "received_at"),
)

# The shops of a multi-tenant installation (``shopsync tenants``, ``shopsync.tenants``). Each shop's
# whole config, secrets included, is sealed with SHOPSYNC_SECRET_KEY (Fernet); only what ``tenants
# list`` shows is kept in clear. Unlike the tables above this one is read across tenants, by the
# registry, never by a tenant's ``StateStore``.
tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("tenant", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("webshop_url", sa.Text, nullable=False),
    sa.Column("tripletex_url", sa.Text, nullable=False),
    sa.Column("sealed_config", sa.Text, nullable=False),
    # The Tripletex allowance shared by every worker: ``rate_limit`` requests per ``rate_period`` s.
    sa.Column("rate_limit", sa.Integer, nullable=True),
    sa.Column("rate_period", sa.Float, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("tenant"),
    sa.CheckConstraint("status IN ('active', 'paused')", name="status"),
    sa.CheckConstraint("rate_limit IS NULL OR (rate_limit > 0 AND rate_period > 0)", name="rate"),
)

# A sliding window per tenant: the times (epoch seconds, the database's clock) of the Tripletex
# requests granted in the last ``rate_period`` (``shopsync.jobs.ratelimit``).
tripletex_rate_windows = sa.Table(
    "tripletex_rate_windows",
    metadata,
    sa.Column("tenant", sa.Text, nullable=False),
    sa.Column("grants", JSON_TYPE, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("tenant"),
)
