"""SQLite storage of the simulated company's objects (in memory unless a file is given).

Each object kind has one table ``(id, version, changed_at, doc)``: ``doc`` is the object as JSON in
storage form (references as ids, numbers as decimal strings), ``changed_at`` a sortable UTC
timestamp for ``changedSince``. Filters use ``json_extract(doc, '$.prop')`` and every filter the API
offers has an index on exactly that expression, so lookups never scan a table. A change log keeps
the ``changes`` list of each object. One connection, guarded by a lock (uvicorn's loop thread and
test threads may both touch it).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["ID_BASES", "TABLES", "Store", "col"]

#: Table of each stored object kind.
TABLES: dict[str, str] = {
    "Customer": "customer",
    "Address": "address",
    "DeliveryAddress": "delivery_address",
    "Product": "product",
    "Order": "orders",
    "OrderLine": "order_line",
    "Subscription": "subscription",
}

#: First id of each kind: large and distinct like real ids, so a client mixing up kinds fails loudly.
ID_BASES: dict[str, int] = {
    "Customer": 108_000_001,
    "Address": 405_000_001,
    "Product": 84_000_001,
    "Order": 402_000_001,
    "OrderLine": 1_607_000_001,
    "Subscription": 5_001,
}
#: Postal, physical and delivery addresses share one id sequence, as in Tripletex.
_SEQUENCE = {"DeliveryAddress": "Address"}

#: Properties with an index, per table (the filters and sort keys the API offers).
_INDEXED: dict[str, tuple[str, ...]] = {
    "customer": (
        "organizationNumber",
        "email",
        "invoiceEmail",
        "customerNumber",
        "name",
        "isInactive",
        "phoneNumberMobile",
    ),
    "product": ("number", "name", "isInactive", "ean", "vatType"),
    "orders": ("orderDate", "customer", "number"),
    "order_line": ("order", "product"),
}


def col(prop: str) -> str:
    """SQL expression of a stored property; identical text to the index so SQLite uses it."""
    if prop in ("id", "version", "changed_at"):
        return prop
    return f"json_extract(doc, '$.{prop}')"


class Store:
    """The simulator's database: object rows, id sequences and the change log."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None
        )
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._create_schema()
        self._next_ids = self._load_sequences()
        self._in_tx = False

    def _create_schema(self) -> None:
        c = self._conn
        for table in TABLES.values():
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, version INTEGER NOT NULL,"
                " changed_at TEXT NOT NULL, doc TEXT NOT NULL)"
            )
            c.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_changed ON {table}(changed_at)")
            for prop in _INDEXED.get(table, ()):
                c.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_{prop} ON {table}({col(prop)})")
        c.execute(
            "CREATE TABLE IF NOT EXISTS change_log (kind TEXT NOT NULL, obj_id INTEGER NOT NULL,"
            " ts TEXT NOT NULL, change_type TEXT NOT NULL, employee_id INTEGER NOT NULL)"
        )
        c.execute("CREATE INDEX IF NOT EXISTS ix_change_log_obj ON change_log(kind, obj_id)")

    def _load_sequences(self) -> dict[str, int]:
        seq: dict[str, int] = {}
        for kind, base in ID_BASES.items():
            top = base - 1
            kinds = [k for k in TABLES if _SEQUENCE.get(k, k) == kind]
            for k in kinds:
                row = self._conn.execute(f"SELECT MAX(id) FROM {TABLES[k]}").fetchone()
                if row[0] is not None:
                    top = max(top, int(row[0]))
            seq[kind] = top + 1
        return seq

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def clear(self) -> None:
        """Delete every object and change, and restart the id sequences."""
        with self._lock:
            for table in TABLES.values():
                self._conn.execute(f"DELETE FROM {table}")
            self._conn.execute("DELETE FROM change_log")
            self._next_ids = self._load_sequences()

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

    def next_id(self, kind: str) -> int:
        """A fresh id for a new object of ``kind`` (ids of failed writes are skipped, as in a database)."""
        seq = _SEQUENCE.get(kind, kind)
        with self._lock:
            value = self._next_ids[seq]
            self._next_ids[seq] = value + 1
            return value

    def max_value(self, kind: str, prop: str, *, as_integer: bool = False) -> Any:
        """Largest value of a property; indexed (fast) unless ``as_integer`` casts text to numbers."""
        expr = f"CAST({col(prop)} AS INTEGER)" if as_integer else col(prop)
        with self._lock:
            row = self._conn.execute(f"SELECT MAX({expr}) FROM {TABLES[kind]}").fetchone()
            return row[0]

    # --- single objects -------------------------------------------------------------------------

    def get(self, kind: str, obj_id: int) -> dict[str, Any] | None:
        """The stored doc of one object, or None."""
        with self._lock:
            row = self._conn.execute(f"SELECT doc FROM {TABLES[kind]} WHERE id = ?", (obj_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def get_many(self, kind: str, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Stored docs of several objects by id (missing ids are left out)."""
        if not ids:
            return {}
        with self._lock:
            rows = self._conn.execute(
                f"SELECT id, doc FROM {TABLES[kind]} WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),),
            ).fetchall()
        return {int(r[0]): json.loads(r[1]) for r in rows}

    def exists(self, kind: str, obj_id: int) -> bool:
        """Whether an object with this id exists."""
        with self._lock:
            row = self._conn.execute(f"SELECT 1 FROM {TABLES[kind]} WHERE id = ?", (obj_id,)).fetchone()
        return row is not None

    def insert(self, kind: str, doc: dict[str, Any], changed_at: str) -> None:
        """Store a new object (``doc`` carries its ``id`` and ``version``)."""
        with self._lock:
            self._conn.execute(
                f"INSERT INTO {TABLES[kind]} (id, version, changed_at, doc) VALUES (?, ?, ?, ?)",
                (doc["id"], doc["version"], changed_at, json.dumps(doc, ensure_ascii=False)),
            )

    def insert_many(self, kind: str, docs: Iterable[dict[str, Any]], changed_at: str) -> None:
        """Bulk insert (seeding)."""
        with self._lock:
            self._conn.executemany(
                f"INSERT INTO {TABLES[kind]} (id, version, changed_at, doc) VALUES (?, ?, ?, ?)",
                ((d["id"], d["version"], changed_at, json.dumps(d, ensure_ascii=False)) for d in docs),
            )

    def update(self, kind: str, doc: dict[str, Any], changed_at: str) -> None:
        """Replace a stored object."""
        with self._lock:
            self._conn.execute(
                f"UPDATE {TABLES[kind]} SET version = ?, changed_at = ?, doc = ? WHERE id = ?",
                (doc["version"], changed_at, json.dumps(doc, ensure_ascii=False), doc["id"]),
            )

    def delete(self, kind: str, obj_id: int) -> None:
        """Remove an object and its change log."""
        with self._lock:
            self._conn.execute(f"DELETE FROM {TABLES[kind]} WHERE id = ?", (obj_id,))
            self._conn.execute("DELETE FROM change_log WHERE kind = ? AND obj_id = ?", (kind, obj_id))

    # --- change log -----------------------------------------------------------------------------

    def add_change(self, kind: str, obj_id: int, change_type: str, employee_id: int, ts: str) -> None:
        """Record one CREATE / UPDATE for the object's ``changes`` list."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO change_log (kind, obj_id, ts, change_type, employee_id) VALUES (?, ?, ?, ?, ?)",
                (kind, obj_id, ts, change_type, employee_id),
            )

    def add_changes(self, kind: str, rows: Iterable[tuple[int, str, str, int]]) -> None:
        """Bulk version of :meth:`add_change`: rows of (obj_id, change_type, ts, employee_id)."""
        with self._lock:
            self._conn.executemany(
                "INSERT INTO change_log (kind, obj_id, change_type, ts, employee_id) VALUES (?, ?, ?, ?, ?)",
                ((kind, *r) for r in rows),
            )

    def changes(self, kind: str, obj_id: int) -> list[tuple[int, str, str]]:
        """(employee_id, timestamp, change_type) of every change, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT employee_id, ts, change_type FROM change_log WHERE kind = ? AND obj_id = ?"
                " ORDER BY rowid",
                (kind, obj_id),
            ).fetchall()
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    # --- queries --------------------------------------------------------------------------------

    def count(self, kind: str, where: str, params: Sequence[Any]) -> int:
        """Number of rows matching ``where`` (an SQL condition over ``col()`` expressions)."""
        with self._lock:
            row = self._conn.execute(f"SELECT COUNT(*) FROM {TABLES[kind]} WHERE {where}", params).fetchone()
        return int(row[0])

    def select(
        self,
        kind: str,
        where: str,
        params: Sequence[Any],
        order_by: str,
        offset: int,
        limit: int,
        *,
        docs: bool = True,
    ) -> list[dict[str, Any]]:
        """One page of matching objects; with ``docs=False`` only ``{id, version}`` (cheap)."""
        what = "doc" if docs else "id, version"
        sql = f"SELECT {what} FROM {TABLES[kind]} WHERE {where} ORDER BY {order_by} LIMIT ? OFFSET ?"
        with self._lock:
            rows = self._conn.execute(sql, (*params, limit, offset)).fetchall()
        if docs:
            return [json.loads(r[0]) for r in rows]
        return [{"id": int(r[0]), "version": int(r[1])} for r in rows]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """First column of the first row of a read-only query."""
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement (inside the caller's transaction)."""
        with self._lock:
            self._conn.execute(sql, params)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of a read-only query."""
        with self._lock:
            return [tuple(r) for r in self._conn.execute(sql, params).fetchall()]
