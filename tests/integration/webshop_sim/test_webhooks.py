"""Webhooks over real sockets: signed deliveries, retries with backoff, admin-page edits fire them."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shopsync.simulators.serve import serve_in_thread
from tests.fixtures.webshop import WebshopFactory

SECRET = "whsec-0123456789abcdef"


def verify_webhook(secret: str, headers: dict[str, str], raw_body: bytes) -> bool:
    """The receiver's check from docs/webshop-api.md: HMAC over timestamp + '.' + body, 300 s window."""
    timestamp = headers.get("webhook-timestamp", "")
    signature = headers.get("webhook-signature", "")
    if not timestamp.isdigit() or not signature.startswith("v1=") or abs(time.time() - int(timestamp)) > 300:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature[3:], expected)


@dataclass
class Receiver:
    """A webhook endpoint that fails the first ``fail_first`` attempts and records every request."""

    url: str = ""
    fail_first: int = 0
    received: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        """Block until ``count`` requests arrived (fails the test after ``timeout``)."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.received) >= count, timeout), self.received


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a real socket."""
    state = Receiver()

    async def hook(request: Request) -> Response:
        body = await request.body()
        status = 503 if len(state.received) < state.fail_first else 204
        with state.arrived:
            state.received.append(({k.lower(): v for k, v in request.headers.items()}, body, status))
            state.arrived.notify_all()
        return Response(status_code=status)

    with serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        state.url = url + "/hook"
        yield state


def test_change_is_delivered_signed(webshop_sim_factory: WebshopFactory, receiver: Receiver) -> None:
    """An API write reaches the subscribed URL with a valid signature and the record as data."""
    shop = webshop_sim_factory(webhook_url=receiver.url, webhook_secret=SECRET)
    with httpx2.Client(base_url=shop.api_url, headers=shop.headers) as client:
        product = client.patch("/products/2001", json={"stock_quantity": 7}).json()
    receiver.wait_for(1)
    headers, body, _ = receiver.received[0]
    assert verify_webhook(SECRET, headers, body)
    assert not verify_webhook("another-secret-000", headers, body)
    assert not verify_webhook(SECRET, headers, body.replace(b"7", b"8"))
    event = httpx2.Response(200, content=body).json()
    assert (event["event"], event["resource"], event["id"]) == ("product.updated", "products", "2001")
    assert event["data"] == product
    assert event["occurred_at"] == product["updated_at"]


def test_failed_deliveries_are_retried_with_the_same_id(
    webshop_sim_factory: WebshopFactory, receiver: Receiver
) -> None:
    """Two 503 answers, then success: three attempts, one Webhook-Id, each freshly signed."""
    receiver.fail_first = 2
    shop = webshop_sim_factory(webhook_url=receiver.url, webhook_secret=SECRET)
    with httpx2.Client(base_url=shop.api_url, headers=shop.headers) as client:
        assert client.delete("/products/2002").status_code == 204
    receiver.wait_for(3)
    assert [status for _, _, status in receiver.received] == [503, 503, 204]
    assert len({headers["webhook-id"] for headers, _, _ in receiver.received}) == 1
    assert all(verify_webhook(SECRET, headers, body) for headers, body, _ in receiver.received)
    event = httpx2.Response(200, content=receiver.received[0][1]).json()
    assert (event["event"], event["data"]) == ("product.deleted", None)
    log = httpx2.get(f"{shop.url}/_sim/webhooks").json()
    assert log["deliveries"][0]["state"] == "delivered"
    assert log["deliveries"][0]["attempts"] == 3


def test_admin_page_edit_fires_a_webhook(webshop_sim_factory: WebshopFactory, receiver: Receiver) -> None:
    """An edit saved on the admin page is delivered like an API change (the demo's path to Tripletex)."""
    shop = webshop_sim_factory(webhook_url=receiver.url, webhook_secret=SECRET)
    with httpx2.Client(base_url=shop.api_url, headers=shop.headers) as client:
        before = client.get("/products/2003").json()
    form = {
        k: str(v) for k, v in before.items() if k in ("sku", "name", "description", "currency", "vat_rate")
    }
    form |= {"version": str(before["version"]), "price": "1.50", "stock_quantity": "3", "active": "on"}
    assert httpx2.post(f"{shop.url}/admin/products/2003", data=form).status_code == 303
    receiver.wait_for(1)
    event = httpx2.Response(200, content=receiver.received[0][1]).json()
    assert event["event"] == "product.updated"
    assert event["data"]["price"] == "1.50"
    assert event["data"]["version"] == before["version"] + 1


def test_subscriptions_made_through_the_api_receive_events(
    webshop_sim_factory: WebshopFactory, receiver: Receiver
) -> None:
    """A subscription created with POST /webhooks gets only the events it asked for."""
    shop = webshop_sim_factory()
    with httpx2.Client(base_url=shop.api_url, headers=shop.headers) as client:
        body = {"url": receiver.url, "secret": SECRET, "events": ["customer.updated"]}
        assert client.post("/webhooks", json=body).status_code == 201
        client.patch("/products/2001", json={"stock_quantity": 1})  # not subscribed
        client.patch("/customers/1001", json={"phone": "+47 22 33 44 55"})
    receiver.wait_for(1)
    event = httpx2.Response(200, content=receiver.received[0][1]).json()
    assert (event["event"], event["id"]) == ("customer.updated", "1001")
    assert len(receiver.received) == 1
