"""The server app on a real socket (uvicorn in a thread) over a real SQLite store, and a delivery tap.

``serve(state_url)`` starts the app on a store at ``state_url`` and returns a ``ServerHandle``;
``handle.stop()`` stops it early (a restart is a second ``serve`` on the same database). The ``Tap``
sits between a simulator and the server: it forwards each real delivery to the server twice (a
redelivery) and keeps the exact bytes and headers, so a test can replay them later.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shopsync.server import Metrics, WebhookReceipts, create_app
from shopsync.simulators.serve import serve_in_thread
from shopsync.state import StateStore
from tests.unit.server.support import MovableClock, RecordingActions, make_config

#: Headers that make a delivery what it is (everything else is the HTTP client's business).
DELIVERY_HEADERS = (
    "content-type",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "authorization",
    "idempotency-key",
    "x-request-signature",
)


@dataclass
class ServerHandle:
    """A running server app: its URL and the parts a test inspects."""

    url: str
    store: StateStore
    actions: RecordingActions
    metrics: Metrics
    receipts: WebhookReceipts
    clock: MovableClock
    stop: Callable[[], None]


ServerFactory = Callable[..., ServerHandle]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start server apps on real sockets; every one is stopped, and its store closed, at the end."""
    with contextlib.ExitStack() as stack:

        def start(state: Any = None, **server: Any) -> ServerHandle:
            store = StateStore.open(state if state is not None else tmp_path / "state.db")
            stack.callback(store.close)
            actions = RecordingActions(store)
            metrics, receipts, clock = Metrics(), WebhookReceipts(), MovableClock()
            app = create_app(
                config=make_config(**server),
                store=store,
                actions=actions,
                metrics=metrics,
                clock=clock,
                receipts=receipts,
            )
            running = contextlib.ExitStack()
            url = running.enter_context(serve_in_thread(app))
            stack.push(running)
            return ServerHandle(url, store, actions, metrics, receipts, clock, running.close)

        yield start


@dataclass
class Tap:
    """Forwards every delivery to ``target`` ``times`` times; answers the sender with the last answer."""

    target: str = ""
    times: int = 2
    url: str = ""
    captured: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k in DELIVERY_HEADERS}
        status = 502
        async with httpx2.AsyncClient(timeout=10) as client:
            for _ in range(self.times):
                answer = await client.post(self.target, content=body, headers=headers)
                status = answer.status_code
                with self.changed:
                    self.answers.append((status, answer.json()))
                    self.changed.notify_all()
        with self.changed:
            self.captured.append((headers, body))
            self.changed.notify_all()
        return Response(status_code=status)

    def wait_for(self, deliveries: int, timeout: float = 10) -> None:
        """Until ``deliveries`` deliveries were forwarded (each ``times`` times)."""
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.captured) >= deliveries, timeout), self.answers


@pytest.fixture
def tap_factory() -> Iterator[Callable[[str], Tap]]:
    """Start taps in front of a server URL; all stop at the end of the test."""
    with contextlib.ExitStack() as stack:

        def start(target: str) -> Tap:
            tap = Tap(target=target)
            app = Starlette(routes=[Route("/tap", tap.endpoint, methods=["POST"])])
            tap.url = stack.enter_context(serve_in_thread(app)) + "/tap"
            return tap

        yield start


def eventually(condition: Callable[[], bool], timeout: float = 10) -> None:
    """Poll ``condition`` until it holds (deliveries are asynchronous)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)
