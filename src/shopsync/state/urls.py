"""State URLs: where the state database lives, and an engine configured for it.

Accepted forms:

* a filesystem path (``state.db``, ``~/shopsync/state.db``) or ``sqlite:///path`` → SQLite, the default;
* ``sqlite://`` or ``sqlite:///:memory:`` → an in-memory SQLite database (one connection; tests only);
* ``postgresql://user:pw@host/db`` (also ``postgres://`` and ``postgresql+psycopg://``) → PostgreSQL
  through psycopg 3.

SQLite connections get WAL (readers never block the writer), foreign keys, and a busy timeout, and
SQLAlchemy emits ``BEGIN IMMEDIATE`` for write transactions: a deferred transaction that reads and
then writes can fail at once with "database is locked" when another writer got in between, whereas
an immediate one waits its turn for up to the busy timeout.
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import StaticPool

from shopsync.state import _json
from shopsync.state.errors import StateURLError

__all__ = ["BUSY_TIMEOUT_MS", "create_state_engine", "display_url", "state_url"]

#: How long a SQLite writer waits for another writer's transaction before giving up.
BUSY_TIMEOUT_MS = 30_000

_SQLITE = "sqlite+pysqlite"
_POSTGRES = "postgresql+psycopg"
_ALIASES = {
    "sqlite": _SQLITE,
    "sqlite+pysqlite": _SQLITE,
    "postgresql": _POSTGRES,
    "postgres": _POSTGRES,
    "postgresql+psycopg": _POSTGRES,
}


def state_url(state: str | os.PathLike[str] | URL) -> URL:
    """The SQLAlchemy URL for a state location (path or URL); StateURLError for anything else."""
    if isinstance(state, URL):
        url = state
    elif isinstance(state, os.PathLike) or "://" not in state:
        text = os.fspath(state)
        if not text.strip():
            raise StateURLError("the state location is empty")
        path = pathlib.Path(text).expanduser()
        return URL.create(_SQLITE, database=str(path))
    else:
        try:
            url = sa.make_url(state)
        except sa.exc.ArgumentError as exc:
            raise StateURLError(f"cannot parse the state URL: {exc}") from None
    driver = _ALIASES.get(url.drivername)
    if driver is None:
        raise StateURLError(
            f"unsupported state database {url.drivername!r}: use a file path, sqlite:///path or postgresql://…"
        )
    url = url.set(drivername=driver)
    if driver == _SQLITE and url.database and url.database != ":memory:":
        url = url.set(database=str(pathlib.Path(url.database).expanduser()))
    return url


def display_url(url: URL) -> str:
    """The URL with its password masked, for logs and ``status``."""
    return url.render_as_string(hide_password=True)


def _is_memory(url: URL) -> bool:
    return url.drivername == _SQLITE and url.database in (None, "", ":memory:")


def create_state_engine(state: str | os.PathLike[str] | URL, **kwargs: Any) -> Engine:
    """An engine for the state database, with the JSON codec and (on SQLite) the pragmas set."""
    url = state_url(state)
    options: dict[str, Any] = {"json_serializer": _json.dumps, "json_deserializer": _json.loads}
    if url.drivername == _POSTGRES:
        options["pool_pre_ping"] = True
        # No server-side prepared statements: psycopg prepares a query after 5 runs, and PostgreSQL may
        # then keep a generic plan made before a bulk load (e.g. an IN list scanned row by row),
        # which made 500-id lookups ~50x slower on a freshly filled table.
        options["connect_args"] = {"prepare_threshold": None}
        return sa.create_engine(url, **options | kwargs)
    if _is_memory(url):
        # One shared connection: each new connection to :memory: would be a different empty database.
        options |= {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        pathlib.Path(url.database or "").parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, **options | kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        # Reads ask for DEFERRED (they never block); everything else takes the write lock up front.
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")
