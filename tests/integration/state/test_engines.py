"""Engine settings on a real PostgreSQL: psycopg 3, no server-side prepared statements, UTC timestamps."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import URL

from shopsync.state import StateStore
from shopsync.state.urls import create_state_engine


def test_postgres_connections_never_prepare_statements(postgres_url: URL) -> None:
    """psycopg's auto-prepare is off, so PostgreSQL never reuses a generic plan made before a bulk load."""
    engine = create_state_engine(postgres_url)
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert engine.dialect.driver == "psycopg"
            assert getattr(raw, "prepare_threshold", "missing") is None
    finally:
        engine.dispose()


def test_timestamps_come_back_in_utc_whatever_zone_went_in(state_url: URL) -> None:
    """A timezone-aware time in any zone is stored as the same instant and read back in UTC."""
    oslo = dt.timezone(dt.timedelta(hours=2))
    with StateStore.open(state_url, clock=lambda: dt.datetime(2026, 5, 1, 12, 0, tzinfo=oslo)) as store:
        store.enqueue("order", "webshop", "o-1", "webhook")
        [item] = store.queued_work()
    assert item.enqueued_at == dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    assert item.enqueued_at.tzinfo == dt.UTC


def test_naive_times_are_refused(state_url: URL) -> None:
    """A naive clock is a bug (which zone?), so the store refuses it instead of guessing."""
    with (
        StateStore.open(state_url, clock=lambda: dt.datetime(2026, 5, 1, 12, 0)) as store,
        pytest.raises(ValueError, match="timezone-aware"),
    ):
        store.enqueue("order", "webshop", "o-1", "webhook")
