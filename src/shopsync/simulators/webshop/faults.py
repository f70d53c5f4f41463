"""Fault injection and request statistics: one ASGI middleware around the shop's API.

Faults apply to ``/api/v1`` only (the admin page and ``/_sim`` always answer), in this order: a 429
window (``rate_limit_for``; ``Retry-After`` counts down), ``fail_next`` forced 5xx answers, random 503s
at ``fail_rate``, added latency; after the request ran, ``drop_after_commit`` drops the connection
of a successful write *after* it was committed, so the client cannot know whether it happened.
Statistics (the Tripletex simulator's generic ``Stats``, so both admin APIs report alike) count every
API request by method and route template, by status, writes, 429s and injected faults.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shopsync.simulators.tripletex.stats import Stats
from shopsync.simulators.webshop.errors import error_body

__all__ = ["TRANSPORT_KEY", "FaultSource", "FaultState", "FaultsMiddleware"]

#: Scope key under which the app stores the raw connection transport (see ``app.WebshopApp``).
TRANSPORT_KEY = "shopsync.transport"
_DROPPED_KEY = "shopsync.dropped_status"
_WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass
class FaultState:
    """The fault knobs; changed at run time through ``POST /_sim/faults``."""

    fail_next: int = 0
    """The next N API requests are answered with ``fail_status`` before any work."""
    fail_status: int = 503
    """Status of forced failures (500-599)."""
    drop_after_commit: int = 0
    """The next N successful writes are committed, then the connection is dropped without an answer."""
    rate_limited_until: float = 0.0
    """``time.monotonic()`` until which every API request gets 429 (set by ``rate_limit_for``)."""
    latency_ms: int = 0
    """Delay added to every API request (on top of the configured latency)."""
    fail_rate: float = 0.0
    """Share of API requests answered with 503."""

    def public(self) -> dict[str, Any]:
        """The knobs as the admin API reports them."""
        return {
            "fail_next": self.fail_next,
            "fail_status": self.fail_status,
            "drop_after_commit": self.drop_after_commit,
            "rate_limit_for": max(0, math.ceil(self.rate_limited_until - time.monotonic())),
            "latency_ms": self.latency_ms,
            "fail_rate": self.fail_rate,
        }


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


class FaultSource(Protocol):
    """Where the middleware reads the current knobs (the shop state; its faults are replaced on reset)."""

    faults: FaultState
    stats: Stats
    rng: random.Random

    @property
    def base_latency_ms(self) -> int:
        """Latency configured at start-up."""
        ...

    def route_template(self, path: str) -> str | None:
        """The route template a path belongs to (for requests answered before routing)."""
        ...


class FaultsMiddleware:
    """Injects the configured faults into ``/api/v1`` requests and counts every request."""

    def __init__(self, app: ASGIApp, source: FaultSource) -> None:
        self.app = app
        self.source = source

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        if not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        try:
            await self._api(scope, receive, counting_send)
        finally:
            template = getattr(scope.get("route"), "path", None) or self.source.route_template(scope["path"])
            # a dropped answer counts with the status of the write that was committed
            self.source.stats.request(scope["method"], template or "/api/*", scope.get(_DROPPED_KEY, status))

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.source.faults
        stats = self.source.stats
        remaining = faults.rate_limited_until - time.monotonic()
        if remaining > 0:
            stats.fault("forced_429")
            retry_after = max(1, math.ceil(remaining))
            body = error_body("rate_limited", "too many requests")
            await _send_json(send, 429, body, {"Retry-After": str(retry_after)})
            return
        if faults.fail_next > 0:
            faults.fail_next -= 1
            stats.fault("fail")
            await _send_json(send, faults.fail_status, error_body("internal", "injected failure"), {})
            return
        if faults.fail_rate and self.source.rng.random() < faults.fail_rate:
            stats.fault("random_fail")
            await _send_json(send, 503, error_body("internal", "temporarily unavailable"), {})
            return
        delay = self.source.base_latency_ms + faults.latency_ms
        if delay:
            await asyncio.sleep(delay / 1000)
        if faults.drop_after_commit > 0 and scope["method"] in _WRITE_METHODS:
            await self._maybe_drop(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _maybe_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the write, hold its answer back, and drop the connection if it succeeded."""
        held: list[Message] = []

        async def holding_send(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, holding_send)
        status = next((int(m["status"]) for m in held if m["type"] == "http.response.start"), 500)
        faults = self.source.faults
        if 200 <= status < 300 and faults.drop_after_commit > 0:
            faults.drop_after_commit -= 1
            self.source.stats.fault("drop")
            scope[_DROPPED_KEY] = status
            transport = scope.get(TRANSPORT_KEY)
            if transport is None:
                # in-process transports (ASGITransport) have no socket: fail the request instead
                raise ConnectionResetError("connection dropped after a committed write (fault injection)")
            transport.abort()
            await asyncio.sleep(0)  # let the server notice the disconnect before we return
            return
        for message in held:
            await send(message)
