"""The webhook receivers in-process: verification, de-duplication, queued work, answers and metrics."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import httpx2
import pytest

from shopsync.config import ShopsyncConfig
from shopsync.connectors.webshop import WebhookEvent, sign_webhook
from shopsync.server import Metrics, WebhookReceipts, create_app
from shopsync.state import StateStore
from shopsync.tripletex import sign_callback

from .conftest import BASE, AppFactory
from .support import (
    TRIPLETEX_AUTH,
    TRIPLETEX_HMAC,
    WEBSHOP_SECRET,
    MovableClock,
    RecordingActions,
    make_config,
)


def shop_event(event: str = "customer.updated", record_id: str = "1001", data: Any = None) -> bytes:
    resource = event.split(".")[0] + "s"
    body = {"event": event, "resource": resource, "id": record_id, "occurred_at": "2026-05-01T10:00:00+00:00"}
    return json.dumps({**body, "data": data}).encode()


def shop_headers(
    body: bytes, delivery: str = "d-1", secret: str = WEBSHOP_SECRET, at: int | None = None
) -> dict[str, str]:
    ts = int(time.time()) if at is None else at
    return {
        "Content-Type": "application/json",
        "Webhook-Id": delivery,
        "Webhook-Timestamp": str(ts),
        "Webhook-Signature": sign_webhook(secret, body, ts),
    }


def tx_event(event: str = "customer.update", obj_id: int = 501, value: Any = None) -> bytes:
    return json.dumps({"subscriptionId": 7, "event": event, "id": obj_id, "value": value}).encode()


def tx_headers(
    body: bytes, key: str = "k-1", auth: str = TRIPLETEX_AUTH, secret: str = TRIPLETEX_HMAC
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Authorization": auth,
        "idempotency-key": key,
        "x-request-signature": sign_callback(body, key, secret),
    }


def queued(store: StateStore) -> list[tuple[str, str, str, str, int]]:
    return [(w.entity, w.side, w.record_id, w.reason, w.generation) for w in store.queued_work()]


async def test_a_signed_webshop_delivery_queues_its_record_once(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions, receipts: WebhookReceipts
) -> None:
    """Accepted: one pending_work row, the worker woken, the receipt time kept; the same delivery again
    is answered ``duplicate`` and changes nothing."""
    body = shop_event("customer.updated", "1001")
    first = await client.post("/webhooks/webshop", content=body, headers=shop_headers(body, "d-1"))
    assert (first.status_code, first.json()) == (200, {"status": "accepted"})
    assert queued(store) == [("customer", "webshop", "1001", "webhook webshop customer.updated", 1)]
    assert actions.notified == 1 and len(receipts) == 1
    again = await client.post("/webhooks/webshop", content=body, headers=shop_headers(body, "d-1"))
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert queued(store) == [("customer", "webshop", "1001", "webhook webshop customer.updated", 1)]
    assert actions.notified == 1
    assert receipts.take("customer", "webshop", "1001") is not None


@pytest.mark.parametrize(
    ("event", "entity"),
    [("product.created", "product"), ("order.deleted", "order"), ("customer.deleted", "customer")],
)
async def test_each_resource_maps_to_its_entity(
    client: httpx2.AsyncClient, store: StateStore, event: str, entity: str
) -> None:
    """customers → customer, products → product, orders → order; deletes are queued too."""
    body = shop_event(event, "77")
    assert (
        await client.post("/webhooks/webshop", content=body, headers=shop_headers(body))
    ).status_code == 200
    assert [(w.entity, w.record_id) for w in store.queued_work()] == [(entity, "77")]


async def test_a_new_delivery_for_a_queued_record_bumps_its_generation(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions
) -> None:
    """Two different deliveries for one record: still one row, its generation grows (the worker
    cannot complete the newer notification away), and the worker is woken twice."""
    body = shop_event()
    await client.post("/webhooks/webshop", content=body, headers=shop_headers(body, "d-1"))
    await client.post("/webhooks/webshop", content=body, headers=shop_headers(body, "d-2"))
    assert [w.generation for w in store.queued_work()] == [2]
    assert actions.notified == 2


async def test_bad_signatures_are_refused_without_detail(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions, metrics: Metrics
) -> None:
    """A wrong secret, a tampered body or no signature: 401 with only a reason code; nothing queued."""
    body = shop_event()
    tampered = shop_event(record_id="1002")
    cases = [
        (body, shop_headers(body, secret="another-secret-0123456789")),
        (tampered, shop_headers(body)),
        (body, {"Content-Type": "application/json", "Webhook-Id": "x"}),
    ]
    for content, headers in cases:
        response = await client.post("/webhooks/webshop", content=content, headers=headers)
        assert response.status_code == 401
        assert set(response.json()) == {"error", "reason"}
        assert WEBSHOP_SECRET not in response.text
    assert store.queued_work() == [] and actions.notified == 0
    assert 'shopsync_webhooks_total{outcome="rejected",source="webshop"} 3.0' in metrics.render().decode()


async def test_stale_and_future_deliveries_are_replays(
    client: httpx2.AsyncClient, store: StateStore, clock: MovableClock
) -> None:
    """A correctly signed delivery older (or newer) than 300 s by the app's clock is refused."""
    body = shop_event()
    headers = shop_headers(body, "d-old")
    clock.advance(seconds=301)
    stale = await client.post("/webhooks/webshop", content=body, headers=headers)
    assert (stale.status_code, stale.json()["reason"]) == (401, "stale")
    clock.advance(seconds=-602)
    future = await client.post("/webhooks/webshop", content=body, headers=headers)
    assert (future.status_code, future.json()["reason"]) == (401, "future")
    assert store.queued_work() == []


async def test_the_unsigned_ping_is_answered_and_ignored(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions
) -> None:
    """WooCommerce's creation ping (``webhook_id=N``, unsigned) gets 200 so the shop keeps the hook."""
    response = await client.post(
        "/webhooks/webshop",
        content=b"webhook_id=12",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.json() == {"status": "ignored", "reason": "ping"}
    assert store.queued_work() == [] and actions.notified == 0


async def test_a_signed_but_malformed_body_is_400(client: httpx2.AsyncClient, store: StateStore) -> None:
    """The signature holds but the body is not an event: 400, nothing queued."""
    body = b'{"event": "customer.updated"}'
    response = await client.post("/webhooks/webshop", content=body, headers=shop_headers(body))
    assert (response.status_code, response.json()["reason"]) == (400, "malformed")
    assert store.queued_work() == []


async def test_oversized_bodies_are_refused(client: httpx2.AsyncClient) -> None:
    """Bodies over 1 MiB are 413 before anything is verified."""
    body = b"x" * ((1 << 20) + 1)
    for path in ("/webhooks/webshop", "/webhooks/tripletex"):
        assert (await client.post(path, content=body)).status_code == 413


async def test_without_a_webshop_secret_the_receiver_is_unavailable(
    store: StateStore, actions: RecordingActions
) -> None:
    """No webhook secret to verify with: 503 (the shop retries), nothing queued."""
    config = ShopsyncConfig.model_validate({"webshop": {"url": "http://127.0.0.1:9"}})
    app = create_app(config=config, store=store, actions=actions, metrics=Metrics())
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE) as c:
        body = shop_event()
        assert (
            await c.post("/webhooks/webshop", content=body, headers=shop_headers(body))
        ).status_code == 503
        assert (
            await c.post("/webhooks/tripletex", content=tx_event(), headers=tx_headers(tx_event()))
        ).status_code == 503
    assert store.queued_work() == []


def test_a_shop_with_another_api_needs_the_connectors_verifier(store: StateStore) -> None:
    """WooCommerce signs differently: create_app refuses to guess."""
    config = ShopsyncConfig.model_validate(
        {"webshop": {"url": "http://127.0.0.1:9", "api": "woocommerce", "webhook_secret": WEBSHOP_SECRET}}
    )
    with pytest.raises(ValueError, match="webshop_verifier"):
        create_app(config=config, store=store, actions=RecordingActions(), metrics=Metrics())


async def test_a_given_verifier_is_used(store: StateStore) -> None:
    """The daemon passes ``WebshopConnector.verify_webhook``; its event is queued as it says."""
    seen: list[bytes] = []

    def verifier(headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        seen.append(body)
        return WebhookEvent(
            webhook_id="w-9",
            event="product.updated",
            resource="products",
            id="sku-9",
            occurred_at="2026-05-01T10:00:00+00:00",
        )

    app = create_app(
        config=make_config(),
        store=store,
        actions=RecordingActions(),
        metrics=Metrics(),
        webshop_verifier=verifier,
    )
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE) as c:
        assert (await c.post("/webhooks/webshop", content=b"anything")).json() == {"status": "accepted"}
    assert seen == [b"anything"]
    assert [(w.entity, w.record_id) for w in store.queued_work()] == [("product", "sku-9")]


# ---------------------------------------------------------------------- Tripletex


async def test_a_tripletex_callback_queues_its_object_once(
    client: httpx2.AsyncClient, store: StateStore, actions: RecordingActions
) -> None:
    """Auth header and HMAC right: queued under the Tripletex side; the same idempotency-key again is a
    duplicate."""
    body = tx_event("customer.update", 501, {"id": 501, "version": 3})
    response = await client.post("/webhooks/tripletex", content=body, headers=tx_headers(body, "k-1"))
    assert response.json() == {"status": "accepted"}
    again = await client.post("/webhooks/tripletex", content=body, headers=tx_headers(body, "k-1"))
    assert again.json() == {"status": "duplicate"}
    assert queued(store) == [("customer", "tripletex", "501", "webhook tripletex customer.update", 1)]
    assert actions.notified == 1


@pytest.mark.parametrize(("event", "entity"), [("product.create", "product"), ("order.delete", "order")])
async def test_tripletex_subjects_map_to_entities(
    client: httpx2.AsyncClient, store: StateStore, event: str, entity: str
) -> None:
    """product.* and order.* (deletes with value null too) are queued under their entity."""
    body = tx_event(event, 9)
    assert (
        await client.post("/webhooks/tripletex", content=body, headers=tx_headers(body))
    ).status_code == 200
    assert [(w.entity, w.side, w.record_id) for w in store.queued_work()] == [(entity, "tripletex", "9")]


async def test_tripletex_callbacks_with_a_wrong_auth_header_or_signature_are_401(
    client: httpx2.AsyncClient, store: StateStore
) -> None:
    """A wrong or missing Authorization value, a wrong HMAC or a missing signature: 401, nothing queued."""
    body = tx_event()
    bad_signature = {
        **tx_headers(body),
        "x-request-signature": sign_callback(body, "k-1", "wrong-secret-0123"),
    }
    no_signature = {k: v for k, v in tx_headers(body).items() if k != "x-request-signature"}
    no_auth = {k: v for k, v in tx_headers(body).items() if k != "Authorization"}
    for headers in (tx_headers(body, auth="Bearer nope"), bad_signature, no_signature, no_auth):
        response = await client.post("/webhooks/tripletex", content=body, headers=headers)
        assert (response.status_code, response.json()["reason"]) == (401, "auth")
        assert TRIPLETEX_AUTH not in response.text and TRIPLETEX_HMAC not in response.text
    assert store.queued_work() == []


async def test_tripletex_auth_header_alone_is_enough_when_no_hmac_is_configured(
    app_factory: AppFactory, store: StateStore
) -> None:
    """Configured with the auth header only, a callback without signature is accepted."""
    app = app_factory(tripletex_webhook_secret=None)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE) as c:
        body = tx_event()
        response = await c.post(
            "/webhooks/tripletex", content=body, headers={"Authorization": TRIPLETEX_AUTH}
        )
        assert response.json() == {"status": "accepted"}
    assert [w.record_id for w in store.queued_work()] == ["501"]


async def test_other_tripletex_events_are_acknowledged_but_not_queued(
    client: httpx2.AsyncClient, store: StateStore, metrics: Metrics
) -> None:
    """invoice.charged and the like: 200 ``ignored`` (so the subscription stays healthy)."""
    body = tx_event("invoice.charged", 3)
    response = await client.post("/webhooks/tripletex", content=body, headers=tx_headers(body))
    assert response.json() == {"status": "ignored", "reason": "event not synced"}
    assert store.queued_work() == []
    assert 'shopsync_webhooks_total{outcome="ignored",source="tripletex"} 1.0' in metrics.render().decode()


async def test_an_authenticated_but_malformed_callback_is_400(client: httpx2.AsyncClient) -> None:
    """The auth and signature hold, the body is no envelope: 400."""
    body = b'{"hello": "world"}'
    response = await client.post("/webhooks/tripletex", content=body, headers=tx_headers(body))
    assert (response.status_code, response.json()["reason"]) == (400, "malformed")
