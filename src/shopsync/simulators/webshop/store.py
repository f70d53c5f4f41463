"""SQLite storage of the reference webshop (in memory unless a file is given).

Each resource has one table ``(id, updated_us, version, deleted, lookup, ref, doc)``: ``doc`` is the
record exactly as the API returns it (JSON), ``updated_us`` its ``updated_at`` in microseconds since
the epoch, ``lookup`` the value the list filter matches (SKU, lower-cased e-mail, order number) and
``ref`` the customer of an order. A deleted record stays as a tombstone row (``deleted=1``, no doc),
so the change feed can report it. The index on ``(updated_us, id)`` serves keyset pagination; SKUs and
order numbers are unique among live rows by a partial unique index. One connection, guarded by a lock
(uvicorn's loop thread and test threads may both touch it).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ID_BASES", "RESOURCES", "FeedRow", "Store", "StoredRow"]

#: The record resources, in the order the admin page shows them.
RESOURCES = ("customers", "products", "orders")

#: First id of each sequence: distinct ranges so a client that mixes up resources fails loudly.
ID_BASES: dict[str, int] = {
    "customers": 1001,
    "products": 2001,
    "orders": 3001,
    "order_lines": 1,
    "order_number": 100001,
    "webhooks": 1,
}

#: Resources whose ``lookup`` value is unique among live records.
_UNIQUE_LOOKUP = ("products", "orders")


@dataclass(frozen=True, slots=True)
class StoredRow:
    """One row: a live record (``doc`` set) or a tombstone (``deleted``, ``doc`` None)."""

    id: int
    updated_us: int
    version: int
    deleted: bool
    doc: dict[str, Any] | None


FeedRow = StoredRow


def _dumps(doc: dict[str, Any]) -> str:
    # ensure_ascii: lone surrogates from odd JSON input are stored escaped instead of failing
    return json.dumps(doc, ensure_ascii=True, separators=(",", ":"))


class Store:
    """The shop's database: record tables, id sequences, idempotency keys and webhook subscriptions."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None
        )
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._in_tx = False
        self._create_schema()

    def _create_schema(self) -> None:
        c = self._conn
        for table in RESOURCES:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, updated_us INTEGER NOT NULL,"
                " version INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, lookup TEXT, ref INTEGER,"
                " doc TEXT)"
            )
            c.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_feed ON {table}(updated_us, id)")
            unique = "UNIQUE " if table in _UNIQUE_LOOKUP else ""
            c.execute(
                f"CREATE {unique}INDEX IF NOT EXISTS ix_{table}_lookup ON {table}(lookup) WHERE deleted = 0"
            )
        c.execute("CREATE INDEX IF NOT EXISTS ix_orders_ref ON orders(ref) WHERE deleted = 0")
        c.execute("CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, next INTEGER NOT NULL)")
        c.execute(
            "CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,"
            " status INTEGER NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL,"
            " created_us INTEGER NOT NULL)"
        )
        c.execute(
            "CREATE TABLE IF NOT EXISTS webhooks (id INTEGER PRIMARY KEY, url TEXT NOT NULL,"
            " secret TEXT NOT NULL, events TEXT NOT NULL, created_us INTEGER NOT NULL)"
        )

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def clear(self) -> None:
        """Delete every record, tombstone, key and subscription, and restart the id sequences."""
        with self._lock:
            for table in (*RESOURCES, "sequences", "idempotency", "webhooks"):
                self._conn.execute(f"DELETE FROM {table}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic write: all of it is committed, or none of it (nested calls join the outer one)."""
        with self._lock:
            if self._in_tx:
                yield
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._in_tx = False

    # --- sequences ------------------------------------------------------------------------------

    def next_ids(self, name: str, count: int = 1) -> int:
        """Reserve ``count`` consecutive values of a sequence; returns the first."""
        with self.transaction():
            row = self._conn.execute("SELECT next FROM sequences WHERE name = ?", (name,)).fetchone()
            first = int(row[0]) if row else ID_BASES[name]
            self._conn.execute(
                "INSERT INTO sequences (name, next) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET next = ?",
                (name, first + count, first + count),
            )
        return first

    def max_updated_us(self) -> int:
        """Latest ``updated_at`` of any row (so a restarted shop's clock never goes back)."""
        with self._lock:
            values = [
                self._conn.execute(f"SELECT MAX(updated_us) FROM {table}").fetchone()[0]
                for table in RESOURCES
            ]
        return max((int(v) for v in values if v is not None), default=0)

    # --- records --------------------------------------------------------------------------------

    def get(self, resource: str, record_id: int) -> StoredRow | None:
        """The row of one record (live or tombstone), or None."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT id, updated_us, version, deleted, doc FROM {resource} WHERE id = ?", (record_id,)
            ).fetchone()
        return _row(row) if row else None

    def live_docs(self, resource: str, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Docs of the live records among ``ids``."""
        wanted = json.dumps(sorted(set(ids)))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT id, doc FROM {resource}"
                " WHERE deleted = 0 AND id IN (SELECT value FROM json_each(?))",
                (wanted,),
            ).fetchall()
        return {int(r[0]): json.loads(r[1]) for r in rows}

    def upsert(
        self, resource: str, doc: dict[str, Any], updated_us: int, lookup: str | None, ref: int | None = None
    ) -> None:
        """Store a live record (``doc`` carries its ``id`` and ``version``), replacing any earlier row."""
        with self._lock:
            self._conn.execute(
                f"INSERT INTO {resource} (id, updated_us, version, deleted, lookup, ref, doc)"
                " VALUES (?, ?, ?, 0, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET updated_us = excluded.updated_us,"
                " version = excluded.version, deleted = 0, lookup = excluded.lookup, ref = excluded.ref,"
                " doc = excluded.doc",
                (int(doc["id"]), updated_us, doc["version"], lookup, ref, _dumps(doc)),
            )

    def insert_many(
        self, resource: str, rows: Iterable[tuple[dict[str, Any], int, str | None, int | None]]
    ) -> None:
        """Bulk insert of (doc, updated_us, lookup, ref) rows (seeding)."""
        with self._lock:
            self._conn.executemany(
                f"INSERT INTO {resource} (id, updated_us, version, deleted, lookup, ref, doc)"
                " VALUES (?, ?, ?, 0, ?, ?, ?)",
                ((int(d["id"]), us, d["version"], lk, ref, _dumps(d)) for d, us, lk, ref in rows),
            )

    def tombstone(self, resource: str, record_id: int, updated_us: int) -> None:
        """Turn a live record into a tombstone deleted at ``updated_us``."""
        with self._lock:
            self._conn.execute(
                f"UPDATE {resource} SET deleted = 1, updated_us = ?, version = version + 1, lookup = NULL,"
                " ref = NULL, doc = NULL WHERE id = ?",
                (updated_us, record_id),
            )

    def find_lookup(self, resource: str, lookup: str) -> list[int]:
        """Ids of live records whose lookup value equals ``lookup``."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT id FROM {resource} WHERE deleted = 0 AND lookup = ? ORDER BY id", (lookup,)
            ).fetchall()
        return [int(r[0]) for r in rows]

    def count_refs(self, resource: str, ref: int) -> int:
        """Live records of ``resource`` that point at ``ref`` (orders of a customer)."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT COUNT(*) FROM {resource} WHERE deleted = 0 AND ref = ?", (ref,)
            ).fetchone()
        return int(row[0])

    def feed(
        self, resource: str, after: tuple[int, int], limit: int, lookup: str | None = None
    ) -> list[StoredRow]:
        """Rows strictly after position ``after`` = (updated_us, id) in (updated_us, id) order.

        Keyset pagination on the ``(updated_us, id)`` index: the range condition on ``updated_us`` lets
        SQLite seek, the second condition skips the rows at the boundary timestamp already returned.
        With ``lookup`` only live records with that lookup value are returned.
        """
        since_us, after_id = after
        params: list[Any] = [since_us, since_us, after_id, limit]
        if lookup is not None:
            params.insert(0, lookup)
        with self._lock:
            rows = self._conn.execute(_feed_sql(resource, lookup is not None), params).fetchall()
        return [_row(r) for r in rows]

    def explain_feed(self, resource: str) -> str:
        """SQLite's query plan of the feed page query (to prove it seeks on the index)."""
        sql = "EXPLAIN QUERY PLAN " + _feed_sql(resource, False)
        with self._lock:
            plan = self._conn.execute(sql, (0, 0, 0, 1)).fetchall()
        return "; ".join(str(row[-1]) for row in plan)

    def count(self, resource: str, *, live: bool = True) -> int:
        """Number of live records (or of tombstones with ``live=False``)."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT COUNT(*) FROM {resource} WHERE deleted = ?", (0 if live else 1,)
            ).fetchone()
        return int(row[0])

    def search(self, resource: str, text: str, limit: int, offset: int = 0) -> list[dict[str, Any]]:
        """Live records whose JSON contains ``text`` (case-insensitive), newest change first (admin page)."""
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._lock:
            rows = self._conn.execute(
                f"SELECT doc FROM {resource} WHERE deleted = 0 AND (? = '' OR doc LIKE ? ESCAPE '\\')"
                " ORDER BY updated_us DESC, id DESC LIMIT ? OFFSET ?",
                (text, like, limit, offset),
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    # --- idempotency keys ------------------------------------------------------------------------

    def idempotency_get(self, key: str) -> tuple[str, int, dict[str, str], bytes] | None:
        """(fingerprint, status, headers, body) remembered for ``key``, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT fingerprint, status, headers, body FROM idempotency WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        return str(row[0]), int(row[1]), json.loads(row[2]), bytes(row[3])

    def idempotency_put(
        self, key: str, fingerprint: str, status: int, headers: dict[str, str], body: bytes, now_us: int
    ) -> None:
        """Remember the answer given to ``key``."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO idempotency (key, fingerprint, status, headers, body, created_us)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, fingerprint, status, json.dumps(headers), body, now_us),
            )

    def idempotency_purge(self, older_than_us: int) -> None:
        """Forget keys created before ``older_than_us``."""
        with self._lock:
            self._conn.execute("DELETE FROM idempotency WHERE created_us < ?", (older_than_us,))

    # --- webhook subscriptions -------------------------------------------------------------------

    def webhook_add(self, url: str, secret: str, events: list[str], created_us: int) -> int:
        """Store a subscription; returns its id."""
        webhook_id = self.next_ids("webhooks")
        with self._lock:
            self._conn.execute(
                "INSERT INTO webhooks (id, url, secret, events, created_us) VALUES (?, ?, ?, ?, ?)",
                (webhook_id, url, secret, json.dumps(events), created_us),
            )
        return webhook_id

    def webhooks(self) -> list[tuple[int, str, str, list[str], int]]:
        """Every subscription as (id, url, secret, events, created_us), oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, url, secret, events, created_us FROM webhooks ORDER BY id"
            ).fetchall()
        return [(int(r[0]), str(r[1]), str(r[2]), json.loads(r[3]), int(r[4])) for r in rows]

    def webhook_delete(self, webhook_id: int) -> bool:
        """Remove a subscription; False if there was none."""
        with self._lock:
            cur = self._conn.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))
        return cur.rowcount > 0


def _feed_sql(resource: str, with_lookup: bool) -> str:
    columns = f"SELECT id, updated_us, version, deleted, doc FROM {resource}"
    if with_lookup:
        where = " WHERE deleted = 0 AND lookup = ? AND updated_us >= ? AND (updated_us > ? OR id > ?)"
    else:
        where = f" INDEXED BY ix_{resource}_feed WHERE updated_us >= ? AND (updated_us > ? OR id > ?)"
    return columns + where + " ORDER BY updated_us, id LIMIT ?"


def _row(row: tuple[Any, ...]) -> StoredRow:
    doc = json.loads(row[4]) if row[4] is not None else None
    return StoredRow(
        id=int(row[0]), updated_us=int(row[1]), version=int(row[2]), deleted=bool(row[3]), doc=doc
    )
