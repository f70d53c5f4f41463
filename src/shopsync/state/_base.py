"""What every part of the state store shares: the engine, the tenant, the clock, transactions.

Each public operation takes an optional ``conn``: given, it runs inside that transaction (the caller
commits); left out, it runs in its own short transaction. Reads begin DEFERRED on SQLite so they never
wait for a writer; writes begin IMMEDIATE (see ``urls``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

__all__ = ["CHUNK", "Clock", "StoreBase", "chunks", "utc_now"]

#: Rows per statement for bulk operations and IN lists (well under SQLite's variable limit).
CHUNK = 500

Clock = Callable[[], dt.datetime]

T = TypeVar("T")


def utc_now() -> dt.datetime:
    """The current time in UTC (the default clock)."""
    return dt.datetime.now(dt.UTC)


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class StoreBase:
    """The engine, tenant and clock, plus transaction helpers the operation mixins build on."""

    def __init__(self, engine: Engine, tenant: str, clock: Clock = utc_now) -> None:
        if not tenant:
            raise ValueError("the tenant must be a non-empty string")
        self._engine = engine
        self._tenant = tenant
        self._clock = clock

    @property
    def tenant(self) -> str:
        """The tenant this store reads and writes; it never sees another tenant's rows."""
        return self._tenant

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tooling; the engine code should use the store's operations)."""
        return self._engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def _now(self) -> dt.datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        return now.astimezone(dt.UTC)

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One write transaction: commits when the block ends, rolls back if it raises.

        Pass the connection as ``conn=`` to group operations, e.g. a link, its snapshot and the
        cursor that covers it, so the cursor never gets ahead of what is stored.
        """
        with self._engine.begin() as connection:
            yield connection

    @contextmanager
    def _write(self, conn: sa.Connection | None) -> Iterator[sa.Connection]:
        if conn is not None:
            yield conn
            return
        with self._engine.begin() as connection:
            yield connection

    @contextmanager
    def _atomic(self, conn: sa.Connection | None) -> Iterator[sa.Connection]:
        """Like ``_write``, but inside a caller's transaction a savepoint keeps a failing bulk
        operation all-or-nothing even if the caller catches the error and commits."""
        if conn is None:
            with self._engine.begin() as connection:
                yield connection
            return
        with conn.begin_nested():
            yield conn

    @contextmanager
    def _read(self, conn: sa.Connection | None) -> Iterator[sa.Connection]:
        if conn is not None:
            yield conn
            return
        with (
            self._engine.connect().execution_options(sqlite_begin="DEFERRED") as connection,
            connection.begin(),
        ):
            yield connection

    def _insert(self, table: sa.Table) -> Any:
        """The dialect's INSERT, which knows ``ON CONFLICT`` (both spell it the same way)."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def _mine(self, table: sa.Table) -> sa.ColumnElement[bool]:
        return table.c.tenant == self._tenant

    @staticmethod
    def _one_of(column: sa.ColumnElement[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
        return column.in_([str(v) for v in values])
