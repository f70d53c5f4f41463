"""Fixtures for the simulator's own end-to-end tests: HTTP clients logged in to a running simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx2
import pytest

from tests.integration.conftest import SimHandle

ClientFactory = Callable[[SimHandle], httpx2.Client]


def expiration() -> str:
    """A valid ``expirationDate``: the day after tomorrow."""
    return (datetime.now(ZoneInfo("Europe/Oslo")).date() + timedelta(days=2)).isoformat()


def login(handle: SimHandle) -> str:
    """Create a session with the handle's tokens and return the session token."""
    response = httpx2.put(
        handle.api_url + "/token/session/:create",
        params={
            "consumerToken": handle.config.consumer_token.get_secret_value(),
            "employeeToken": handle.config.employee_token.get_secret_value(),
            "expirationDate": expiration(),
        },
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["value"]["token"]
    return token


@pytest.fixture
def client_for() -> Iterator[ClientFactory]:
    """Make logged-in clients (Basic ``0:<token>``) for running simulators; closed at test end."""
    clients: list[httpx2.Client] = []

    def make(handle: SimHandle) -> httpx2.Client:
        client = httpx2.Client(base_url=handle.api_url, auth=("0", login(handle)), timeout=10)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def api(tripletex_sim: SimHandle, client_for: ClientFactory) -> httpx2.Client:
    """A logged-in client for the default (empty) simulator."""
    return client_for(tripletex_sim)
