"""The webhook receivers: verify a delivery, remember it, queue its record for the engine, wake the worker.

``POST /webhooks/webshop`` checks the shop's HMAC signature and timestamp (the connector's verifier);
``POST /webhooks/tripletex`` checks the subscription's ``Authorization`` header value and/or its HMAC
signature (``shopsync.tripletex.verify_callback``). A verified event becomes one ``pending_work`` row
(``store.enqueue(entity, side, id, reason)``); the reason reads ``webhook <side> <event>``.

De-duplication and replay protection: the delivery's id (webshop ``Webhook-Id``, Tripletex
``idempotency-key``) is written to ``webhook_deliveries`` in the same transaction as the work row, so
a redelivery, or a captured delivery sent again, is answered 200 ``duplicate`` and processed once, also
after a restart. A webshop delivery older than the signature tolerance (300 s) is refused with 401
before that: its timestamp is signed. A delivery without an id cannot be de-duplicated; it is queued
(queueing the same record twice is harmless: it stays one row).

Answers: 200 ``{"status": "accepted" | "duplicate" | "ignored"}``; 401 for a bad or missing signature,
auth header or timestamp (only the machine-readable reason is returned, never what was expected);
400 for a signed but malformed body; 413 for a body over 1 MiB; 503 when the receiver has no secret
to verify with. Every outcome is logged and counted (``shopsync_webhooks_total``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from shopsync.connectors.webshop import ConfigError as WebshopConfigError
from shopsync.connectors.webshop import WebhookEvent, WebhookRejected, verify_webhook
from shopsync.state import StateStore
from shopsync.tripletex import WebhookVerificationError, verify_callback

from .actions import SyncActions
from .metrics import Metrics
from .receipts import WebhookReceipts

__all__ = [
    "DELIVERY_RETENTION",
    "MAX_BODY_BYTES",
    "TRIPLETEX_ENTITIES",
    "WEBSHOP_ENTITIES",
    "WebhookReceiver",
    "WebshopVerifier",
    "build_webhook_router",
    "contract_verifier",
]

WebshopVerifier = Callable[[Mapping[str, str], bytes], WebhookEvent]
#: The contract's resources and the engine's entity names.
WEBSHOP_ENTITIES = {"customers": "customer", "products": "product", "orders": "order"}
#: Tripletex event subjects that are synced (``customer.update`` → ``customer``).
TRIPLETEX_ENTITIES = {"customer": "customer", "product": "product", "order": "order"}
_TRIPLETEX_ACTIONS = frozenset({"create", "update", "delete"})
#: Remembered delivery ids are kept this long: far beyond both senders' retry windows (about 30 s) and
#: the webshop's timestamp tolerance (300 s), after which a replay is refused as stale anyway.
DELIVERY_RETENTION = dt.timedelta(days=2)
#: Old delivery ids are pruned at most this often (on a webhook's request).
_PRUNE_EVERY_SECONDS = 3600.0
#: Larger bodies are refused: the contract's events and Tripletex's envelopes are a few kB.
MAX_BODY_BYTES = 1 << 20
#: The webshop contract's timestamp tolerance in seconds.
WEBSHOP_TOLERANCE = 300.0

log = structlog.get_logger("shopsync.server.webhooks")


def contract_verifier(secret: str, clock: Callable[[], dt.datetime]) -> WebshopVerifier:
    """Verify contract deliveries with ``secret``, judging timestamps by ``clock``."""

    def verify(headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        return verify_webhook(headers, body, secret, now=clock(), tolerance=WEBSHOP_TOLERANCE)

    return verify


class _BodyTooLarge(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(code: int, **body: Any) -> JSONResponse:
    return JSONResponse(body, status_code=code)


@dataclass
class WebhookReceiver:
    """Turns verified deliveries into queued work; one per app."""

    store: StateStore
    actions: SyncActions
    metrics: Metrics
    receipts: WebhookReceipts
    clock: Callable[[], dt.datetime]
    webshop_verifier: WebshopVerifier | None
    tripletex_auth: str | None
    tripletex_secret: str | None
    _pruned_at: float | None = field(default=None, init=False)

    # ------------------------------------------------------------------ shared

    def _queue(self, side: str, entity: str, record_id: str, delivery_id: str | None, reason: str) -> bool:
        """Remember the delivery and queue the record in one transaction; False for a duplicate."""
        with self.store.transaction() as conn:
            if delivery_id and not self.store.remember_delivery(side, delivery_id, conn=conn):
                return False
            self.store.enqueue(entity, side, record_id, reason, conn=conn)
        self._prune()
        return True

    def _prune(self) -> None:
        now = time.monotonic()
        if self._pruned_at is not None and now - self._pruned_at < _PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        gone = self.store.prune_deliveries(self.clock() - DELIVERY_RETENTION)
        if gone:
            log.info("webhook.pruned", deliveries=gone)

    async def _accept(
        self,
        side: str,
        entity: str,
        record_id: str,
        delivery_id: str | None,
        event: str,
        received: float,
    ) -> JSONResponse:
        reason = f"webhook {side} {event}"
        new = await run_in_threadpool(self._queue, side, entity, record_id, delivery_id, reason)
        fields = {"source": side, "webhook_event": event, "entity": entity, "id": record_id}
        if not new:
            self.metrics.observe_webhook(side, "duplicate")
            log.info("webhook.duplicate", delivery=delivery_id, **fields)
            return _answer(200, status="duplicate")
        self.receipts.record(entity, side, record_id, at=received)
        self.metrics.observe_webhook(side, "accepted")
        if delivery_id is None:
            log.warning("webhook.no_delivery_id", detail="cannot be de-duplicated", **fields)
        log.info("webhook.accepted", delivery=delivery_id, **fields)
        self.actions.notify_work()
        return _answer(200, status="accepted")

    def _refuse(self, side: str, request: Request, status: int, reason: str) -> JSONResponse:
        outcome = "unavailable" if status == 503 else "rejected"
        self.metrics.observe_webhook(side, outcome)
        client = request.client.host if request.client else None
        log.warning("webhook.refused", source=side, status=status, reason=reason, client=client)
        return _answer(status, error="refused", reason=reason)

    # ------------------------------------------------------------------ webshop

    async def webshop(self, request: Request) -> JSONResponse:
        """``POST /webhooks/webshop``."""
        received = time.monotonic()
        try:
            body = await _read_body(request)
        except _BodyTooLarge:
            return self._refuse("webshop", request, 413, "too_large")
        if self.webshop_verifier is None:
            return self._refuse("webshop", request, 503, "not_configured")
        try:
            event = self.webshop_verifier(request.headers, body)
        except WebshopConfigError:
            return self._refuse("webshop", request, 503, "not_configured")
        except WebhookRejected as exc:
            if exc.reason == "ping":
                # WooCommerce-style creation ping: answer 200 so the shop keeps the subscription.
                self.metrics.observe_webhook("webshop", "ignored")
                log.info("webhook.ignored", source="webshop", reason="ping")
                return _answer(200, status="ignored", reason="ping")
            return self._refuse("webshop", request, 400 if exc.reason == "malformed" else 401, exc.reason)
        entity = WEBSHOP_ENTITIES.get(event.resource)
        if entity is None:  # the event model admits only known resources; kept for a custom verifier
            return self._refuse("webshop", request, 400, "unknown_resource")
        return await self._accept("webshop", entity, event.id, event.webhook_id, event.event, received)

    # ------------------------------------------------------------------ Tripletex

    async def tripletex(self, request: Request) -> JSONResponse:
        """``POST /webhooks/tripletex``."""
        received = time.monotonic()
        try:
            body = await _read_body(request)
        except _BodyTooLarge:
            return self._refuse("tripletex", request, 413, "too_large")
        if self.tripletex_auth is None and self.tripletex_secret is None:
            return self._refuse("tripletex", request, 503, "not_configured")
        try:
            event = verify_callback(request.headers, body, self.tripletex_auth, self.tripletex_secret)
        except WebhookVerificationError as exc:
            # verify_callback parses the body only after the auth header and signature passed.
            malformed = str(exc).startswith("callback body")
            return self._refuse(
                "tripletex", request, 400 if malformed else 401, "malformed" if malformed else "auth"
            )
        entity = TRIPLETEX_ENTITIES.get(event.subject)
        if entity is None or event.action not in _TRIPLETEX_ACTIONS:
            self.metrics.observe_webhook("tripletex", "ignored")
            log.info("webhook.ignored", source="tripletex", webhook_event=event.event, reason="not synced")
            return _answer(200, status="ignored", reason="event not synced")
        return await self._accept(
            "tripletex", entity, str(event.id), event.idempotency_key, event.event, received
        )


def build_webhook_router(receiver: WebhookReceiver) -> APIRouter:
    """The two webhook routes (open: each delivery proves itself with its signature)."""
    router = APIRouter(include_in_schema=False)
    router.add_api_route("/webhooks/webshop", receiver.webshop, methods=["POST"])
    router.add_api_route("/webhooks/tripletex", receiver.tripletex, methods=["POST"])
    return router
