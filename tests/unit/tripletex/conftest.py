"""Helpers for Tripletex client unit tests: a client on ``httpx2.MockTransport`` that records requests.

``FakeApi`` answers session creation itself (tokens ``session-token-<n>-s3cret``) and hands every
other request to the test's handler; answers are built with ``value``, ``values`` and ``error``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx2
import pytest
import stamina

from shopsync.tripletex import TripletexClient, TripletexSettings

CONSUMER = "consumer-token-s3cret"
EMPLOYEE = "employee-token-s3cret"
BASE = "https://tripletex.test/v2"

Handler = Callable[[httpx2.Request], httpx2.Response | Awaitable[httpx2.Response]]


def make_settings(**overrides: Any) -> TripletexSettings:
    """Settings for tests: fake host and tokens, tiny waits."""
    values: dict[str, Any] = {
        "base_url": BASE,
        "consumer_token": CONSUMER,
        "employee_token": EMPLOYEE,
        "rate_limit_backoff_initial": 0.001,
        "rate_limit_backoff_max": 0.01,
        "retry_wait_initial": 0.0,
        "retry_wait_max": 0.0,
    }
    values.update(overrides)
    return TripletexSettings(**values)


def value(obj: dict[str, Any], status: int = 200) -> httpx2.Response:
    """A ``{"value": …}`` answer."""
    return httpx2.Response(status, json={"value": obj})


def values(
    rows: list[dict[str, Any]],
    *,
    start: int = 0,
    full: int | None = None,
    digest: str | None = None,
    status: int = 200,
) -> httpx2.Response:
    """A list envelope answer."""
    body = {
        "fullResultSize": len(rows) if full is None else full,
        "from": start,
        "count": len(rows),
        "versionDigest": digest,
        "values": rows,
    }
    return httpx2.Response(status, json=body)


def error(
    status: int,
    code: int,
    message: str = "failed",
    messages: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx2.Response:
    """Tripletex's error envelope."""
    body = {
        "status": status,
        "code": code,
        "message": message,
        "link": "https://tripletex.no/v2-docs/",
        "developerMessage": None,
        "validationMessages": messages,
        "requestId": f"req-{status}-{code}",
    }
    return httpx2.Response(
        status, json=body, headers={"x-tlx-request-id": f"req-{status}-{code}", **(headers or {})}
    )


def body(request: httpx2.Request) -> Any:
    """The JSON body of a recorded request."""
    return json.loads(request.content)


class FakeApi:
    """Records API requests; creates sessions; delegates the rest to ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx2.Request] = []
        self.session_requests: list[httpx2.Request] = []
        self.sessions = 0

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/token/session/:create"):
            self.session_requests.append(request)
            self.sessions += 1
            return value({"id": self.sessions, "token": f"session-token-{self.sessions}-s3cret"}, status=201)
        self.requests.append(request)
        answer = self.handler(request)
        if not isinstance(answer, httpx2.Response):
            answer = await answer
        return answer

    def paths(self) -> list[str]:
        """``METHOD path`` of every API request, in order."""
        return [f"{r.method} {r.url.path.removeprefix('/v2')}" for r in self.requests]


ClientFactory = Callable[..., TripletexClient]


@pytest.fixture(autouse=True)
def _stamina_testing() -> Iterator[None]:
    """No real backoff sleeps; the policy's own budgets decide the attempts."""
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., tuple[TripletexClient, FakeApi]]]:
    """Build clients on a ``FakeApi``; all are closed at the end of the test."""
    clients: list[TripletexClient] = []

    def build(handler: Handler, **overrides: Any) -> tuple[TripletexClient, FakeApi]:
        api = FakeApi(handler)
        client = TripletexClient(make_settings(**overrides), transport=httpx2.MockTransport(api))
        clients.append(client)
        return client, api

    yield build
    for client in clients:
        await client.aclose()
