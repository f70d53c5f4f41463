"""Fixtures for client ↔ simulator tests over real sockets.

``connect(sim, **settings)`` opens a ``TripletexClient`` on the simulator's ``/v2`` (closed after the
test); ``admin(sim, method, path, json)`` drives the simulator's ``/_sim`` API. stamina runs in testing
mode (no backoff sleeps); the client's pacer still waits out 429 periods for real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx2
import pytest
import stamina

from shopsync.tripletex import TripletexClient, TripletexSettings
from tests.integration.conftest import SimHandle

Connect = Callable[..., TripletexClient]


def settings_for(sim: SimHandle, **overrides: Any) -> TripletexSettings:
    """Client settings for ``sim`` with its default tokens."""
    values: dict[str, Any] = {
        "base_url": sim.api_url,
        "consumer_token": "sim-consumer",
        "employee_token": "sim-employee",
        "retry_wait_initial": 0.0,
        "retry_wait_max": 0.0,
    }
    values.update(overrides)
    return TripletexSettings(**values)


def admin(sim: SimHandle, method: str, path: str, json: Any = None) -> Any:
    """Call the simulator's admin API (``/_sim/...``) and return its JSON."""
    with httpx2.Client(base_url=sim.url, timeout=10) as http:
        response = http.request(method, path, json=json)
        response.raise_for_status()
        return response.json()


@pytest.fixture(autouse=True)
def _stamina_testing() -> Iterator[None]:
    """No backoff sleeps in stamina; the policy's own budgets bound the attempts."""
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Open clients on simulators; all are closed when the test ends."""
    clients: list[TripletexClient] = []

    def open_client(sim: SimHandle, **overrides: Any) -> TripletexClient:
        client = TripletexClient(settings_for(sim, **overrides))
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        await client.aclose()
