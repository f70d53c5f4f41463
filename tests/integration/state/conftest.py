"""State-store fixtures: every test that takes ``store`` runs once on SQLite and once on PostgreSQL.

``state_url`` is a fresh database at the newest schema (a temporary SQLite file, or a clone of the
PostgreSQL template); ``store`` is a ``StateStore`` on it for tenant "default" with a ``clock`` the
test can move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import URL

from shopsync.state import StateStore
from shopsync.state.urls import state_url as to_url


class FakeClock:
    """A clock that stands still until a test moves it (UTC, timezone-aware)."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        """Move forward by ``timedelta(**delta)``; the new time."""
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> URL:
    """A fresh state database URL, for each of the two supported databases."""
    if request.param == "sqlite":
        return to_url(tmp_path_factory.mktemp("state") / "state.db")
    url: URL = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def clock() -> FakeClock:
    """The store's clock, at 2026-05-01 10:00 UTC until moved."""
    return FakeClock(dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def store(state_url: URL, clock: FakeClock) -> Iterator[StateStore]:
    """A store for tenant "default" on a fresh database."""
    with StateStore.open(state_url, clock=clock) as opened:
        yield opened
