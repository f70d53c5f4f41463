"""``webhook_deliveries`` on SQLite and PostgreSQL: remembered once, pruned by age, and its migration."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import URL

from shopsync.state import StateStore, migrate
from shopsync.state.urls import create_state_engine, state_url

T0 = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    """A fresh database at the newest schema, on each of the two databases."""
    if request.param == "sqlite":
        return state_url(tmp_path / "state.db")
    pg: URL = request.getfixturevalue("postgres_url")
    return pg


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    """An empty database, on each of the two databases."""
    if request.param == "sqlite":
        return state_url(tmp_path / "empty.db")
    pg: URL = request.getfixturevalue("empty_postgres_url")
    return pg


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(url: URL, clock: Clock) -> Iterator[StateStore]:
    with StateStore.open(url, clock=clock) as opened:
        yield opened


def test_a_delivery_is_new_once_per_source_and_tenant(store: StateStore) -> None:
    """The same id is new once; the same id from the other side, or for another tenant, is new too."""
    assert store.remember_delivery("webshop", "d-1") is True
    assert store.remember_delivery("webshop", "d-1") is False
    assert store.remember_delivery("tripletex", "d-1") is True
    assert store.for_tenant("other").remember_delivery("webshop", "d-1") is True
    with pytest.raises(ValueError):
        store.remember_delivery("webshop", "")
    with pytest.raises(ValueError):
        store.remember_delivery("woocommerce", "d-2")


def test_remembering_joins_the_callers_transaction(store: StateStore) -> None:
    """Rolled back with the work it came with: a crash between the two cannot lose the delivery."""
    with pytest.raises(RuntimeError), store.transaction() as conn:
        assert store.remember_delivery("webshop", "d-1", conn=conn)
        store.enqueue("customer", "webshop", "1001", "webhook", conn=conn)
        raise RuntimeError("crash before commit")
    assert store.queued_work() == []
    assert store.remember_delivery("webshop", "d-1") is True


def test_concurrent_receivers_agree_on_one_winner(store: StateStore) -> None:
    """Eight threads remember the same id at once: exactly one is told it is new."""
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def receive() -> None:
        barrier.wait()
        results.append(store.remember_delivery("tripletex", "same-key"))

    threads = [threading.Thread(target=receive) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False] * 7 + [True]


def test_old_deliveries_are_pruned(store: StateStore, clock: Clock) -> None:
    """Pruning forgets deliveries received before the cut-off, only this tenant's."""
    store.remember_delivery("webshop", "old")
    store.for_tenant("other").remember_delivery("webshop", "old")
    clock.now = T0 + dt.timedelta(days=3)
    store.remember_delivery("webshop", "new")
    assert store.prune_deliveries(T0 + dt.timedelta(days=1)) == 1
    assert store.remember_delivery("webshop", "old") is True
    assert store.remember_delivery("webshop", "new") is False
    assert store.for_tenant("other").remember_delivery("webshop", "old") is False


def test_migration_0002_upgrades_a_0001_database_and_downgrades(empty_url: URL) -> None:
    """A database at 0001 with data gains the table; downgrading to 0001 drops only that table."""
    engine = create_state_engine(empty_url)
    try:
        migrate.upgrade(engine, "0001")
        with StateStore.from_engine(engine) as old:
            old.link("customer", "c-1", 1)
        assert "webhook_deliveries" not in sa.inspect(engine).get_table_names()
        migrate.upgrade(engine, "0002")
        assert migrate.current_revision(engine) == "0002"
        store = StateStore.from_engine(engine)
        assert store.tripletex_id_for("customer", "c-1") == 1
        assert store.remember_delivery("webshop", "d-1") is True
        with engine.begin() as conn:
            command.downgrade(migrate.alembic_config(connection=conn), "0001")
        tables = set(sa.inspect(engine).get_table_names())
        assert "webhook_deliveries" not in tables and "links" in tables
        assert migrate.current_revision(engine) == "0001"
    finally:
        engine.dispose()
