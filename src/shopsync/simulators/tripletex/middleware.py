"""The ASGI layer in front of the API: request ids, latency, rate limit, injected faults, stats.

It wraps the whole FastAPI app (outside Starlette's own error middleware) so that every answer,
including 429s, injected 5xx pages and crashes, carries ``x-tlx-request-id`` and the
``X-Rate-Limit-*`` headers, and so it holds uvicorn's own ``send``: that is what lets it cut the
connection after a write has been committed, before any byte of the answer goes out.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.faults import html_page
from shopsync.simulators.tripletex.runtime import Runtime
from shopsync.simulators.tripletex.serialize import dumps

__all__ = ["ConnectionDropped", "SimulatorMiddleware"]

log = logging.getLogger(__name__)
_WRITES = frozenset({"POST", "PUT", "DELETE", "PATCH"})
_CONVERTOR = re.compile(r":[a-z]+}")


class ConnectionDropped(Exception):
    """Raised in-process (no socket to cut) when a committed write's answer is dropped."""


def _template(scope: Scope) -> str:
    """The matched route as ``/v2/customer/{id}`` (routers mount without their prefix in the route)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not path:
        return "<unmatched>"
    path = _CONVERTOR.sub("}", str(path))
    return path if path.startswith("/v2") else "/v2" + path


class SimulatorMiddleware:
    """Wraps the app; see the module docstring."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.rt = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        path: str = scope["path"]
        if not (path == "/v2" or path.startswith("/v2/")):
            await self._plain(scope, receive, send, request_id)
            return
        rt = self.rt
        delay = rt.config.latency_ms + rt.faults.latency_ms
        if delay:
            await asyncio.sleep(delay / 1000)
        decision = rt.limiter.hit()
        extra = [(b"x-tlx-request-id", request_id.encode()), *decision.headers()]
        method: str = scope["method"]
        if not decision.allowed:
            error = errors.ApiError(429, 0, "Too many requests. The rate limit for this period is used up.")
            await _send_error(send, error, request_id, extra)
            rt.stats.request(method, "<rate-limited>", 429)
            return
        plan = rt.faults.before_request()
        if plan is not None:
            rt.stats.fault(plan.kind)
            if plan.html:
                await _send_raw(send, plan.status, html_page(plan.status), b"text/html", extra)
            else:
                error = errors.ApiError(plan.status, errors.CODE_EXCEPTION, "En uventet feil oppstod.")
                await _send_error(send, error, request_id, extra)
            rt.stats.request(method, "<injected>", plan.status)
            return
        status = 500
        started = False
        dropped = False

        async def wrapped(message: Message) -> None:
            nonlocal status, started, dropped
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if method in _WRITES and status < 300 and rt.faults.take_drop():
                    dropped = True
                    rt.stats.fault("drop")
                    _cut(send)
                    return
                started = True
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            if dropped:
                return
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        except Exception:
            log.exception("simulator crashed on %s %s", method, path)
            if not started and not dropped:
                error = errors.ApiError(500, errors.CODE_EXCEPTION, "En uventet feil oppstod.")
                await _send_error(send, error, request_id, extra)
        rt.stats.request(method, _template(scope), status)
        if dropped and not _has_transport(send):
            raise ConnectionDropped("answer dropped after commit (fault injection)")

    async def _plain(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-tlx-request-id", request_id.encode())],
                }
            await send(message)

        await self.app(scope, receive, wrapped)


def _has_transport(send: Send) -> bool:
    cycle = getattr(send, "__self__", None)
    return getattr(cycle, "transport", None) is not None


def _cut(send: Send) -> None:
    """Abort uvicorn's TCP connection without answering (the client sees the connection die)."""
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        return
    transport.abort()
    # Tell uvicorn the peer is gone, so it neither answers 500 nor logs a protocol error.
    cycle.disconnected = True


async def _send_raw(
    send: Send, status: int, body: bytes, content_type: bytes, extra: list[tuple[bytes, bytes]]
) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_error(
    send: Send, error: errors.ApiError, request_id: str, extra: list[tuple[bytes, bytes]]
) -> None:
    body = dumps(errors.error_body(error, request_id))
    await _send_raw(send, error.status, body, b"application/json; charset=utf-8", extra)
