"""Real webhooks from the reference webshop, verified by a tiny receiver on its own socket."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx2
import pytest
from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, Response

from shopsync.connectors.webshop import (
    WebhookEvent,
    WebhookRejected,
    WebshopConnector,
    sign_webhook,
    verify_webhook,
)
from shopsync.simulators.serve import serve_in_thread
from tests.fixtures.webshop import WebshopFactory

from .conftest import contract_config

pytestmark = pytest.mark.e2e

SECRET = "whsec-integration-0123456789"


@dataclass
class Receiver:
    """What the receiver accepted and rejected; ``arrived`` is set on every accepted delivery."""

    url: str
    accepted: list[WebhookEvent] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[WebhookEvent]:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count and time.monotonic() < deadline:
            self.arrived.wait(0.05)
            self.arrived.clear()
        return self.accepted


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook endpoint that verifies every delivery with ``verify_webhook`` (401 when it fails)."""
    app = FastAPI()
    state: dict[str, Receiver] = {}

    @app.post("/hooks")
    async def hooks(request: Request) -> Response:
        rec = state["receiver"]
        try:
            event = verify_webhook(request.headers, await request.body(), SECRET)
        except WebhookRejected as exc:
            rec.rejected.append(exc.reason)
            return JSONResponse({"error": exc.reason}, status_code=401)
        rec.accepted.append(event)
        rec.arrived.set()
        return Response(status_code=204)

    with serve_in_thread(app) as url:
        state["receiver"] = Receiver(url + "/hooks")
        yield state["receiver"]


async def test_the_shops_webhooks_verify_and_carry_the_record(
    webshop_sim_factory: WebshopFactory, receiver: Receiver
) -> None:
    """A write in the shop arrives signed; the receiver verifies it and gets the record in contract shape."""
    handle = webshop_sim_factory(webhook_url=receiver.url, webhook_secret=SECRET)
    async with WebshopConnector(contract_config(handle)) as connector:
        product = await connector.create(
            "products",
            {"sku": "HOOK-1", "name": "Krok", "price": "10.00", "currency": "NOK", "vat_rate": "25.00"},
        )
        await connector.delete("products", str(product.id))
    events = receiver.wait_for(2)
    assert [(e.event, e.id) for e in events] == [
        ("product.created", product.id),
        ("product.deleted", product.id),
    ]
    assert events[0].record() == product and events[1].data is None
    assert all(e.webhook_id for e in events) and receiver.rejected == []


def post(receiver: Receiver, body: bytes, headers: dict[str, str]) -> httpx2.Response:
    return httpx2.post(
        receiver.url, content=body, headers={"Content-Type": "application/json", **headers}, timeout=10
    )


def test_forged_stale_and_future_deliveries_are_rejected(receiver: Receiver) -> None:
    """Deliveries with a wrong secret, an old or a future timestamp are refused with 401."""
    body = json.dumps(
        {
            "event": "customer.updated",
            "resource": "customers",
            "id": "1001",
            "occurred_at": "2026-03-01T10:00:00+00:00",
            "data": None,
        }
    ).encode()
    now = int(time.time())
    forged = {
        "Webhook-Timestamp": str(now),
        "Webhook-Signature": sign_webhook("not-the-secret-000", body, now),
    }
    stale = {"Webhook-Timestamp": str(now - 600), "Webhook-Signature": sign_webhook(SECRET, body, now - 600)}
    future = {"Webhook-Timestamp": str(now + 600), "Webhook-Signature": sign_webhook(SECRET, body, now + 600)}
    good = {"Webhook-Timestamp": str(now), "Webhook-Signature": sign_webhook(SECRET, body, now)}
    assert [post(receiver, body, h).status_code for h in (forged, stale, future, good)] == [
        401,
        401,
        401,
        204,
    ]
    assert receiver.rejected == ["signature", "stale", "future"]


async def test_a_rejected_delivery_is_retried_by_the_shop_with_the_same_id(
    webshop_sim_factory: WebshopFactory, receiver: Receiver
) -> None:
    """When the receiver answers 5xx the shop retries the same delivery (same Webhook-Id): at least once."""
    app = FastAPI()
    seen: list[str] = []
    accepted = threading.Event()

    @app.post("/flaky")
    async def flaky(request: Request) -> Response:
        event = verify_webhook(request.headers, await request.body(), SECRET)
        seen.append(str(event.webhook_id))
        if len(seen) == 1:
            return Response(status_code=503)
        accepted.set()
        return Response(status_code=204)

    with serve_in_thread(app) as url:
        handle = webshop_sim_factory(webhook_url=url + "/flaky", webhook_secret=SECRET)
        config = contract_config(handle, webhooks={"secret": SECRET})
        async with WebshopConnector(config) as connector:
            await connector.update("customers", "1001", {"phone": "+4799999999"})
        assert accepted.wait(10)
    assert len(seen) == 2 and seen[0] == seen[1]
