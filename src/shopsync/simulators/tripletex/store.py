"""SQLite storage of the simulated company's objects (in memory unless a file is given).

Tables, indexes and planner statistics are ``schema``'s. A change log keeps the ``changes`` list of
each object. One connection, guarded by a lock (uvicorn's loop thread and test threads may both
touch it).

Inside a transaction, inserts are buffered and written with one ``executemany`` per statement
before the next statement of any kind runs (and at commit): a batch create of 100 customers makes
600 rows, and a call per row cost it nearly a millisecond. Every statement still sees every earlier
write, and a failed insert still rolls the whole transaction back.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shopsync.simulators.tripletex.schema import TABLES, col, create_schema

__all__ = ["ID_BASES", "TABLES", "Store", "col", "source"]

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

# One encoder for the process: ``json.dumps`` with options builds a new one on every call.
_encode = json.JSONEncoder(ensure_ascii=False).encode
_INSERT_CHANGE = "INSERT INTO change_log (kind, obj_id, ts, change_type, employee_id) VALUES (?, ?, ?, ?, ?)"


def source(kind: str, index: str | None = None) -> str:
    """The FROM text for ``kind``, held to ``index`` when given (``INDEXED BY``)."""
    return f"{TABLES[kind]} INDEXED BY {index}" if index else TABLES[kind]


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
        create_schema(self._conn)
        self._next_ids = self._load_sequences()
        self._in_tx = False
        #: Inserts of the open transaction not yet written: statement -> rows, in order.
        self._pending: dict[str, list[tuple[Any, ...]]] = {}

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """The connection, locked, with the buffered inserts written first."""
        with self._lock:
            if self._pending:
                self._flush()
            yield self._conn

    def _flush(self) -> None:
        pending, self._pending = self._pending, {}
        for sql, rows in pending.items():
            self._conn.executemany(sql, rows)

    def _insert(self, sql: str, row: tuple[Any, ...]) -> None:
        """Insert one row now, or at the next statement when inside a transaction."""
        with self._lock:
            if self._in_tx:
                self._pending.setdefault(sql, []).append(row)
            else:
                self._conn.execute(sql, row)

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
        with self._db() as conn:
            for table in TABLES.values():
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM change_log")
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
                self._flush()
            except BaseException:
                self._pending = {}
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
        with self._db() as conn:
            row = conn.execute(f"SELECT MAX({expr}) FROM {TABLES[kind]}").fetchone()
            return row[0]

    # --- single objects -------------------------------------------------------------------------

    def get(self, kind: str, obj_id: int) -> dict[str, Any] | None:
        """The stored doc of one object, or None."""
        with self._db() as conn:
            row = conn.execute(f"SELECT doc FROM {TABLES[kind]} WHERE id = ?", (obj_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def get_many(self, kind: str, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Stored docs of several objects by id (missing ids are left out)."""
        if not ids:
            return {}
        with self._db() as conn:
            rows = conn.execute(
                f"SELECT id, doc FROM {TABLES[kind]} WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),),
            ).fetchall()
        return {int(r[0]): json.loads(r[1]) for r in rows}

    def exists(self, kind: str, obj_id: int) -> bool:
        """Whether an object with this id exists."""
        with self._db() as conn:
            row = conn.execute(f"SELECT 1 FROM {TABLES[kind]} WHERE id = ?", (obj_id,)).fetchone()
        return row is not None

    def insert(self, kind: str, doc: dict[str, Any], changed_at: str) -> None:
        """Store a new object (``doc`` carries its ``id`` and ``version``)."""
        self._insert(
            f"INSERT INTO {TABLES[kind]} (id, version, changed_at, doc) VALUES (?, ?, ?, ?)",
            (doc["id"], doc["version"], changed_at, _encode(doc)),
        )

    def insert_many(self, kind: str, docs: Iterable[dict[str, Any]], changed_at: str) -> None:
        """Bulk insert (seeding)."""
        with self._db() as conn:
            conn.executemany(
                f"INSERT INTO {TABLES[kind]} (id, version, changed_at, doc) VALUES (?, ?, ?, ?)",
                ((d["id"], d["version"], changed_at, _encode(d)) for d in docs),
            )

    def update(self, kind: str, doc: dict[str, Any], changed_at: str) -> None:
        """Replace a stored object."""
        with self._db() as conn:
            conn.execute(
                f"UPDATE {TABLES[kind]} SET version = ?, changed_at = ?, doc = ? WHERE id = ?",
                (doc["version"], changed_at, _encode(doc), doc["id"]),
            )

    def delete(self, kind: str, obj_id: int) -> None:
        """Remove an object and its change log."""
        with self._db() as conn:
            conn.execute(f"DELETE FROM {TABLES[kind]} WHERE id = ?", (obj_id,))
            conn.execute("DELETE FROM change_log WHERE kind = ? AND obj_id = ?", (kind, obj_id))

    # --- change log -----------------------------------------------------------------------------

    def add_change(self, kind: str, obj_id: int, change_type: str, employee_id: int, ts: str) -> None:
        """Record one CREATE / UPDATE for the object's ``changes`` list."""
        self._insert(_INSERT_CHANGE, (kind, obj_id, ts, change_type, employee_id))

    def add_changes(self, kind: str, rows: Iterable[tuple[int, str, str, int]]) -> None:
        """Bulk version of :meth:`add_change`: rows of (obj_id, change_type, ts, employee_id)."""
        with self._db() as conn:
            conn.executemany(
                "INSERT INTO change_log (kind, obj_id, change_type, ts, employee_id) VALUES (?, ?, ?, ?, ?)",
                ((kind, *r) for r in rows),
            )

    def changes(self, kind: str, obj_id: int) -> list[tuple[int, str, str]]:
        """(employee_id, timestamp, change_type) of every change, oldest first."""
        with self._db() as conn:
            rows = conn.execute(
                "SELECT employee_id, ts, change_type FROM change_log WHERE kind = ? AND obj_id = ?"
                " ORDER BY rowid",
                (kind, obj_id),
            ).fetchall()
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    # --- queries --------------------------------------------------------------------------------

    def count(self, kind: str, where: str, params: Sequence[Any], *, index: str | None = None) -> int:
        """Number of rows matching ``where`` (an SQL condition over ``col()`` expressions)."""
        with self._db() as conn:
            row = conn.execute(f"SELECT COUNT(*) FROM {source(kind, index)} WHERE {where}", params).fetchone()
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
        props: Sequence[str] | None = None,
        index: str | None = None,
    ) -> list[dict[str, Any]]:
        """One page of matching objects: whole docs, or with ``props`` only ``id``, ``version`` and those."""
        what = "doc" if props is None else ", ".join(["id", "version", *(col(p) for p in props)])
        sql = f"SELECT {what} FROM {source(kind, index)} WHERE {where} ORDER BY {order_by} LIMIT ? OFFSET ?"
        with self._db() as conn:
            rows = conn.execute(sql, (*params, limit, offset)).fetchall()
        if props is None:
            return [json.loads(r[0]) for r in rows]
        names = ("id", "version", *props)
        return [dict(zip(names, r, strict=True)) for r in rows]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """First column of the first row of a read-only query."""
        with self._db() as conn:
            row = conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement (inside the caller's transaction)."""
        with self._db() as conn:
            conn.execute(sql, params)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of a read-only query."""
        with self._db() as conn:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]
