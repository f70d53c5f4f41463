"""The server app in-process (httpx2 ASGITransport, no socket) on a temporary SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from shopsync.server import Metrics, WebhookReceipts, create_app
from shopsync.state import StateStore

from .support import MovableClock, RecordingActions, make_config

BASE = "http://testserver"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    """A fresh SQLite state store."""
    with StateStore.open(tmp_path / "state.db") as opened:
        yield opened


@pytest.fixture
def actions(store: StateStore) -> RecordingActions:
    """Recording actions that also settle the item in the store, as the daemon would."""
    return RecordingActions(store)


@pytest.fixture
def clock() -> MovableClock:
    """The app's clock (wall time until moved)."""
    return MovableClock()


@pytest.fixture
def metrics() -> Metrics:
    """The app's metrics."""
    return Metrics()


@pytest.fixture
def receipts() -> WebhookReceipts:
    """Where the app records webhook receipt times."""
    return WebhookReceipts()


AppFactory = Callable[..., FastAPI]


@pytest.fixture
def app_factory(
    store: StateStore,
    actions: RecordingActions,
    metrics: Metrics,
    clock: MovableClock,
    receipts: WebhookReceipts,
) -> AppFactory:
    """Build the app; keyword arguments override config keys of the ``server`` section."""

    def build(**server: Any) -> FastAPI:
        return create_app(
            config=make_config(**server),
            store=store,
            actions=actions,
            metrics=metrics,
            clock=clock,
            receipts=receipts,
        )

    return build


@pytest.fixture
def app(app_factory: AppFactory) -> FastAPI:
    """The app with every secret configured."""
    return app_factory()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx2.AsyncClient]:
    """An unauthenticated in-process client (no redirects followed)."""
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE) as c:
        yield c
