"""Webhook delivery: ``POST <targetUrl>`` with ``{subscriptionId, event, id, value}``, asynchronously.

Each committed write's events are rendered at once (``value`` with the subscription's ``fields``; null
on ``*.delete``) and queued per subscription, so one slow receiver never holds up another and each
receiver sees its events in order. A callback carries the subscription's auth header, an
``idempotency-key`` header (one per event, the same on every retry) and, with a shared secret,
``x-request-signature = base64(HmacSHA512(idempotency-key + '&' + body))``. Anything but a 2xx is
retried after each of ``webhook_retry_delays``; after ``webhook_disable_after`` consecutive events
that failed every attempt the subscription becomes DISABLED_TOO_MANY_ERRORS.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

import httpx2

from shopsync.simulators.tripletex.fields import parse_fields
from shopsync.simulators.tripletex.serialize import Renderer, dumps
from shopsync.simulators.tripletex.state import Event, Simulator
from shopsync.simulators.tripletex.stats import Stats

__all__ = ["Delivery", "Dispatcher", "sign"]


def sign(secret: str, idempotency_key: str, body: bytes) -> str:
    """Tripletex's callback signature."""
    digest = hmac.new(secret.encode(), idempotency_key.encode() + b"&" + body, hashlib.sha512).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one subscription: the exact bytes every attempt sends."""

    subscription_id: int
    event: str
    obj_id: int
    body: bytes
    key: str


class Dispatcher:
    """Queues and delivers callbacks on the server's event loop."""

    def __init__(self, sim: Simulator, stats: Stats) -> None:
        self.sim = sim
        self.stats = stats
        self.log: deque[dict[str, Any]] = deque(maxlen=1000)
        self._queues: dict[int, asyncio.Queue[Delivery]] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._failures: dict[int, int] = {}
        self._pending = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx2.AsyncClient | None = None
        sim.publish = self.publish

    # --- producing ----------------------------------------------------------------------------------

    def publish(self, events: list[Event], host: str) -> None:
        """Render and queue the callbacks for committed events (called right after the commit)."""
        subs = [s for s in self._subscriptions() if s.get("status") == "ACTIVE"]
        if not subs:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no server loop (e.g. seeding): nobody can be listening yet
        renderer = Renderer(self.sim, host)
        for event in events:
            doc = None if event.deleted else self.sim.store.get(event.schema, event.obj_id)
            for sub in subs:
                if sub.get("event") != event.name:
                    continue
                value = (
                    None
                    if doc is None
                    else renderer.render(event.schema, doc, parse_fields(sub.get("fields")))
                )
                body = dumps(
                    {"subscriptionId": sub["id"], "event": event.name, "id": event.obj_id, "value": value}
                )
                self._enqueue(loop, Delivery(sub["id"], event.name, event.obj_id, body, str(uuid.uuid4())))

    def _subscriptions(self) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.sim.store.rows("SELECT doc FROM subscription")]

    def _enqueue(self, loop: asyncio.AbstractEventLoop, delivery: Delivery) -> None:
        if self._loop is not loop:
            # A new server loop (e.g. the app was served again): start over with fresh queues.
            self._loop, self._queues, self._tasks, self._client = loop, {}, {}, None
            self._pending = 0
        sid = delivery.subscription_id
        queue = self._queues.get(sid)
        if queue is None:
            queue = self._queues[sid] = asyncio.Queue()
            self._tasks[sid] = loop.create_task(self._run(sid, queue), name=f"webhooks-{sid}")
        queue.put_nowait(delivery)
        self._pending += 1

    # --- delivering ---------------------------------------------------------------------------------

    async def _run(self, sid: int, queue: asyncio.Queue[Delivery]) -> None:
        while True:
            delivery = await queue.get()
            try:
                await self._deliver(delivery)
            finally:
                self._pending -= 1
                queue.task_done()

    async def _deliver(self, d: Delivery) -> None:
        delays = self.sim.config.webhook_retry_delays
        status: int | None = None
        for attempt in range(len(delays) + 1):
            sub = self.sim.store.get("Subscription", d.subscription_id)
            if sub is None or sub.get("status") != "ACTIVE":
                self._record(d, attempt, "dropped", status)
                return
            if attempt:
                await asyncio.sleep(delays[attempt - 1])
            self.stats.webhook("attempt")
            status = await self._post(sub, d)
            if status is not None and 200 <= status < 300:
                self._failures[d.subscription_id] = 0
                self.stats.webhook("delivered")
                self._record(d, attempt + 1, "delivered", status)
                return
        self.stats.webhook("failed")
        self._record(d, len(delays) + 1, "failed", status)
        failures = self._failures.get(d.subscription_id, 0) + 1
        self._failures[d.subscription_id] = failures
        if failures >= self.sim.config.webhook_disable_after:
            self._disable(d.subscription_id)

    async def _post(self, sub: dict[str, Any], d: Delivery) -> int | None:
        headers = {"content-type": "application/json; charset=utf-8", "idempotency-key": d.key}
        if sub.get("authHeaderName"):
            headers[str(sub["authHeaderName"])] = str(sub.get("authHeaderValue") or "")
        if sub.get("hmacSharedSecret"):
            headers["x-request-signature"] = sign(str(sub["hmacSharedSecret"]), d.key, d.body)
        if self._client is None:
            self._client = httpx2.AsyncClient(timeout=self.sim.config.webhook_timeout)
        try:
            response = await self._client.post(str(sub["targetUrl"]), content=d.body, headers=headers)
        except httpx2.HTTPError:
            return None
        return response.status_code

    def _disable(self, sid: int) -> None:
        old = self.sim.store.get("Subscription", sid)
        if old is None or old.get("status") != "ACTIVE":
            return
        with self.sim.write(host="") as w:
            self.sim.save(w, "Subscription", old, {**old, "status": "DISABLED_TOO_MANY_ERRORS"}, None)
        self.stats.webhook("disabled")
        self._failures[sid] = 0

    def _record(self, d: Delivery, attempts: int, outcome: str, status: int | None) -> None:
        self.log.append(
            {
                "subscriptionId": d.subscription_id,
                "event": d.event,
                "id": d.obj_id,
                "idempotencyKey": d.key,
                "attempts": attempts,
                "outcome": outcome,
                "lastStatus": status,
            }
        )

    def pending(self) -> int:
        """Callbacks queued or in flight."""
        return self._pending

    def forget(self) -> None:
        """Drop every queued callback and failure count (admin reset)."""
        for task in self._tasks.values():
            task.cancel()
        self._queues, self._tasks, self._failures = {}, {}, {}
        self._pending = 0
        self.log.clear()

    async def aclose(self) -> None:
        """Stop the workers and close the HTTP client (server shutdown)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await task
        self._tasks, self._queues = {}, {}
        self._pending = 0
        if self._client is not None:
            await self._client.aclose()
            self._client = None
