"""Webhooks over real sockets: signed, authenticated callbacks, retries, auto-disable, payload fields."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shopsync.simulators.serve import serve_in_thread
from tests.integration.conftest import SimFactory, SimHandle
from tests.integration.simulators.conftest import ClientFactory

pytestmark = pytest.mark.e2e

SECRET = "delt-hemmelighet-1234"
FAST_RETRIES = {"webhook_retry_delays": (0.05, 0.05), "webhook_disable_after": 2}


@dataclass
class Receiver:
    """A webhook endpoint that records every callback and fails the first ``fail_first`` of them."""

    url: str = ""
    fail_first: int = 0
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        with self.changed:
            self.calls.append((dict(request.headers), body))
            failing = len(self.calls) <= self.fail_first
            self.changed.notify_all()
        return Response(status_code=500 if failing else 200)

    def wait_for(self, count: int, timeout: float = 10) -> list[tuple[dict[str, str], bytes]]:
        """The first ``count`` callbacks, waiting for them to arrive."""
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.calls) >= count, timeout), self.calls
            return list(self.calls[:count])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running webhook receiver."""
    rec = Receiver()
    app = Starlette(routes=[Route("/hook", rec.endpoint, methods=["POST"])])
    with serve_in_thread(app) as url:
        rec.url = url + "/hook"
        yield rec


def subscribe(api: httpx2.Client, receiver: Receiver, event: str, **extra: Any) -> dict[str, Any]:
    body = {"event": event, "targetUrl": receiver.url, **extra}
    response = api.post("/event/subscription", json=body)
    assert response.status_code == 201, response.text
    value: dict[str, Any] = response.json()["value"]
    return value


def expected_signature(key: str, body: bytes) -> str:
    return base64.b64encode(
        hmac.new(SECRET.encode(), key.encode() + b"&" + body, hashlib.sha512).digest()
    ).decode()


def test_signed_callback_with_auth_header_and_fields(api: httpx2.Client, receiver: Receiver) -> None:
    """A create sends {subscriptionId, event, id, value} with the auth header and a valid HMAC."""
    sub = subscribe(
        api,
        receiver,
        "customer.create",
        fields="id,name,postalAddress(city)",
        authHeaderName="X-Hook-Token",
        authHeaderValue="hemmelig",
        hmacSharedSecret=SECRET,
    )
    assert sub["status"] == "ACTIVE" and sub["version"] == 0
    assert "hmacSharedSecret" not in sub and "authHeaderValue" not in sub
    customer = api.post("/customer", json={"name": "Varsel AS", "postalAddress": {"city": "Bergen"}}).json()
    [(headers, body)] = receiver.wait_for(1)
    payload = json.loads(body)
    assert list(payload) == ["subscriptionId", "event", "id", "value"]
    assert payload == {
        "subscriptionId": sub["id"],
        "event": "customer.create",
        "id": customer["value"]["id"],
        "value": {"id": customer["value"]["id"], "name": "Varsel AS", "postalAddress": {"city": "Bergen"}},
    }
    assert headers["x-hook-token"] == "hemmelig"
    assert headers["x-request-signature"] == expected_signature(headers["idempotency-key"], body)


def test_delete_sends_null_value(api: httpx2.Client, receiver: Receiver) -> None:
    """``*.delete`` callbacks carry the id and value null."""
    subscribe(api, receiver, "product.delete")
    product = api.post("/product", json={"name": "Borte"}).json()["value"]
    assert api.delete(f"/product/{product['id']}").status_code == 204
    [(_, body)] = receiver.wait_for(1)
    assert json.loads(body)["value"] is None and json.loads(body)["id"] == product["id"]


def test_failed_callbacks_are_retried_with_the_same_key(
    tripletex_sim_factory: SimFactory, client_for: ClientFactory, receiver: Receiver
) -> None:
    """Two failures then success: three attempts, identical body and idempotency key, valid signatures."""
    handle: SimHandle = tripletex_sim_factory(**FAST_RETRIES)
    api = client_for(handle)
    receiver.fail_first = 2
    subscribe(api, receiver, "customer.update", hmacSharedSecret=SECRET)
    customer = api.post("/customer", json={"name": "Ustø AS"}).json()["value"]
    api.put(f"/customer/{customer['id']}", json={"email": "post@usto.no"})
    calls = receiver.wait_for(3)
    assert len({h["idempotency-key"] for h, _ in calls}) == 1
    assert len({b for _, b in calls}) == 1
    assert all(h["x-request-signature"] == expected_signature(h["idempotency-key"], b) for h, b in calls)
    log = httpx2.get(handle.url + "/_sim/webhooks").json()["deliveries"]
    assert log[-1]["outcome"] == "delivered" and log[-1]["attempts"] == 3


def test_receiver_down_disables_subscription(
    tripletex_sim_factory: SimFactory, client_for: ClientFactory, receiver: Receiver
) -> None:
    """Events that fail every attempt eventually set DISABLED_TOO_MANY_ERRORS; a PUT re-enables it."""
    handle = tripletex_sim_factory(**FAST_RETRIES)
    api = client_for(handle)
    receiver.fail_first = 1000
    sub = subscribe(api, receiver, "product.create")
    api.post("/product/list", json=[{"name": "En"}, {"name": "To"}])
    receiver.wait_for(6)  # two events x three attempts
    eventually(lambda: _status(api, sub["id"]) != "ACTIVE")
    current = api.get(f"/event/subscription/{sub['id']}").json()["value"]
    assert current["status"] == "DISABLED_TOO_MANY_ERRORS" and current["version"] == 1
    again = api.put(f"/event/subscription/{sub['id']}", json={"status": "ACTIVE", "version": 1})
    assert again.json()["value"]["status"] == "ACTIVE"


def eventually(condition: Callable[[], bool], timeout: float = 10) -> None:
    """Poll ``condition`` until it holds (the simulator works asynchronously)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _status(api: httpx2.Client, sub_id: int) -> str:
    status: str = api.get(f"/event/subscription/{sub_id}").json()["value"]["status"]
    return status


def test_subscription_validation(api: httpx2.Client, receiver: Receiver) -> None:
    """Unknown events, relative URLs, bad fields and short secrets are 422 code 18000."""
    bad = [
        {"event": "customer.explode", "targetUrl": receiver.url},
        {"event": "customer.create", "targetUrl": "/relative"},
        {"event": "customer.create", "targetUrl": receiver.url, "fields": "id,nope"},
        {"event": "customer.create", "targetUrl": receiver.url, "hmacSharedSecret": "short"},
    ]
    for body in bad:
        response = api.post("/event/subscription", json=body)
        assert (response.status_code, response.json()["code"]) == (422, 18000), body
    listed = api.get("/event/subscription").json()
    assert listed["fullResultSize"] == 0
    events = api.get("/event").json()["value"]
    assert {"customer.create", "product.update", "order.delete"} <= set(events)
