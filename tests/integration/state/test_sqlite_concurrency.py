"""SQLite under concurrent use: WAL, foreign keys and a busy timeout; writers queue instead of failing."""

from __future__ import annotations

import pathlib
import threading
from collections.abc import Callable, Iterator

import pytest

from shopsync.state import StateStore
from shopsync.state.urls import BUSY_TIMEOUT_MS


@pytest.fixture
def db_path(tmp_path: pathlib.Path) -> pathlib.Path:
    """A state file that the tests open with several stores (each its own engine and connections)."""
    path = tmp_path / "state.db"
    StateStore.open(path).close()
    return path


@pytest.fixture
def open_store(db_path: pathlib.Path) -> Iterator[Callable[[], StateStore]]:
    """Open more stores on ``db_path``; all are closed at the end."""
    opened: list[StateStore] = []

    def make() -> StateStore:
        opened.append(StateStore.open(db_path))
        return opened[-1]

    yield make
    for store in opened:
        store.close()


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(open_store: Callable[[], StateStore]) -> None:
    """Every connection has WAL on, foreign keys enforced and the busy timeout set."""
    store = open_store()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS


def test_reads_do_not_wait_for_an_open_write_transaction(open_store: Callable[[], StateStore]) -> None:
    """While one store holds a write transaction, another reads at once and sees only committed rows."""
    writer, reader = open_store(), open_store()
    writer.link("customer", "c-0", 100)
    with writer.transaction() as conn:
        writer.link("customer", "c-1", 101, conn=conn)
        assert reader.tripletex_id_for("customer", "c-1") is None
        assert reader.count_links() == 1
        assert reader.status_summary().entities["customer"].links == 1
    assert reader.tripletex_id_for("customer", "c-1") == 101


def test_concurrent_short_writes_never_hit_database_is_locked(open_store: Callable[[], StateStore]) -> None:
    """Four threads doing read-then-write transactions on their own stores all succeed."""
    threads, per_thread = 4, 60
    stores = [open_store() for _ in range(threads)]
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        store = stores[n]
        try:
            start.wait()
            for i in range(per_thread):
                webshop_id = f"c-{n}-{i}"
                # Read first, then write, in one transaction: the pattern that fails with "database is
                # locked" under SQLite's deferred transactions when another writer commits in between.
                with store.transaction() as conn:
                    assert store.tripletex_id_for("customer", webshop_id, conn=conn) is None
                    store.link("customer", webshop_id, n * 1000 + i, conn=conn)
                    store.save_snapshot("customer", webshop_id, {"i": i}, conn=conn)
                    store.advance_cursor("webshop", "customer", webshop_id, conn=conn)
                store.log_event("customer", "linked", webshop_id=webshop_id)
                store.status_summary()
        except BaseException as exc:  # collected: an assertion in a thread would otherwise vanish
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    check = stores[0]
    assert check.count_links("customer") == threads * per_thread
    assert len(
        check.snapshots_many("customer", [f"c-{n}-{i}" for n in range(threads) for i in range(per_thread)])
    ) == (threads * per_thread)
    assert len(check.recent_events(10_000)) == threads * per_thread
