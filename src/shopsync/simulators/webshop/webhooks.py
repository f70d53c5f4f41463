"""Webhook delivery: signed POSTs of committed changes, retried with backoff, in the background.

Each event is delivered to every subscription whose ``events`` match it. The body is serialised once;
every attempt carries the same ``Webhook-Id`` and body, a fresh ``Webhook-Timestamp`` and the signature
``v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>``. A non-2xx answer or a timeout is retried after
each of ``retry_delays`` seconds; then the delivery is given up. Every delivery is logged for the
admin API (``GET /_sim/webhooks``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import httpx2

from shopsync.simulators.webshop.store import Store

__all__ = ["WebhookDispatcher", "matches", "sign"]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``Webhook-Signature`` header value for one attempt."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def matches(subscribed: Sequence[str], event: str) -> bool:
    """Whether a subscription's event list covers ``event`` (exact, ``customer.*`` or ``*``)."""
    kind = event.split(".", 1)[0]
    return "*" in subscribed or event in subscribed or f"{kind}.*" in subscribed


class WebhookDispatcher:
    """Delivers events to subscribers from the app's event loop; ``emit`` may be called from any thread."""

    def __init__(
        self,
        store: Store,
        retry_delays: Sequence[float],
        timeout: float,
        transport: httpx2.AsyncBaseTransport | None = None,
        on_outcome: Callable[[str], None] = lambda outcome: None,
    ) -> None:
        self._store = store
        self._delays = tuple(retry_delays)
        self._timeout = timeout
        self._transport = transport
        self._on_outcome = on_outcome  # counts ``attempt``, ``delivered``, ``failed`` for /_sim/stats
        self._client: httpx2.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = threading.Lock()
        #: The most recent deliveries, newest last (for ``GET /_sim/webhooks``).
        self.log: deque[dict[str, Any]] = deque(maxlen=1000)

    async def start(self) -> None:
        """Bind to the running loop (called at app start-up)."""
        self._loop = asyncio.get_running_loop()
        self._client = httpx2.AsyncClient(transport=self._transport, timeout=self._timeout)

    async def stop(self) -> None:
        """Cancel pending deliveries and close the HTTP client (called at shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
        self._loop = None

    def emit(
        self, event: str, resource: str, record_id: str, occurred_at: str, data: dict[str, Any] | None
    ) -> None:
        """Queue delivery of one committed change to every matching subscription."""
        targets = [
            (wid, url, secret)
            for wid, url, secret, events, _ in self._store.webhooks()
            if matches(events, event)
        ]
        loop = self._loop
        if not targets or loop is None:
            return
        body = json.dumps(
            {"event": event, "resource": resource, "id": record_id, "occurred_at": occurred_at, "data": data},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        for wid, url, secret in targets:
            entry = {
                "webhook_id": str(wid),
                "delivery_id": str(uuid.uuid4()),
                "event": event,
                "record_id": record_id,
                "url": url,
                "attempts": 0,
                "statuses": [],
                "state": "pending",
            }
            with self._lock:
                self.log.append(entry)
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                self._spawn(entry, secret, body)
            else:
                loop.call_soon_threadsafe(self._spawn, entry, secret, body)

    def _spawn(self, entry: dict[str, Any], secret: str, body: bytes) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(entry, secret, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, entry: dict[str, Any], secret: str, body: bytes) -> None:
        assert self._client is not None
        for attempt, delay in enumerate((0.0, *self._delays)):
            if delay:
                await asyncio.sleep(delay)
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "Webhook-Id": entry["delivery_id"],
                "Webhook-Timestamp": timestamp,
                "Webhook-Signature": sign(secret, timestamp, body),
            }
            entry["attempts"] = attempt + 1
            self._on_outcome("attempt")
            try:
                response = await self._client.post(entry["url"], content=body, headers=headers)
            except (httpx2.HTTPError, httpx2.InvalidURL, OSError, ValueError) as exc:
                # no answer (refused, timed out, unresolvable host) counts as a failed attempt
                entry["statuses"].append(type(exc).__name__)
                continue
            entry["statuses"].append(response.status_code)
            if 200 <= response.status_code < 300:
                entry["state"] = "delivered"
                self._on_outcome("delivered")
                return
        entry["state"] = "failed"
        self._on_outcome("failed")

    def deliveries(self) -> list[dict[str, Any]]:
        """A copy of the delivery log, oldest first."""
        with self._lock:
            return [dict(entry, statuses=list(entry["statuses"])) for entry in self.log]

    def clear(self) -> None:
        """Forget the delivery log."""
        with self._lock:
            self.log.clear()
