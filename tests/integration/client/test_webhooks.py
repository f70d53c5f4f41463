"""Webhook subscriptions on the simulator and verification of its real callbacks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shopsync.simulators.serve import serve_in_thread
from shopsync.tripletex import WEBHOOK_EVENTS, Customer, WebhookVerificationError, verify_callback
from tests.integration.conftest import SimHandle

from .conftest import Connect

pytestmark = pytest.mark.e2e

AUTH_VALUE = "Bearer hook-auth-0123456789"
HMAC_SECRET = "hook-hmac-secret-0123456789"


class Receiver:
    """A webhook endpoint on a real socket that records every callback (headers, raw body)."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self._arrived = threading.Condition()  # the server runs on its own thread and loop
        self.app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        with self._arrived:
            self.calls.append((dict(request.headers), body))
            self._arrived.notify_all()
        return Response(status_code=204)

    def _wait(self, count: int) -> list[tuple[dict[str, str], bytes]]:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.calls) >= count, timeout=10), "callbacks missing"
            return list(self.calls)

    async def wait_for(self, count: int) -> list[tuple[dict[str, str], bytes]]:
        """Wait (up to 10 s) until ``count`` callbacks arrived."""
        return await asyncio.to_thread(self._wait, count)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    """A running receiver and its callback URL."""
    rec = Receiver()
    with serve_in_thread(rec.app) as url:
        yield rec, url + "/hook"


async def test_callback_verifies_and_a_forged_one_does_not(
    tripletex_sim: SimHandle, connect: Connect, receiver: tuple[Receiver, str]
) -> None:
    """A real callback passes auth header + HMAC checks; a tampered body or wrong header fails."""
    rec, url = receiver
    tx = connect(tripletex_sim)
    sub = await tx.webhooks.create(
        "customer.create",
        url,
        fields="id,version,name",
        auth_header_name="Authorization",
        auth_header_value=AUTH_VALUE,
        hmac_secret=HMAC_SECRET,
    )
    assert sub.status == "ACTIVE" and sub.hmacSharedSecret is None
    created = await tx.customers.create(Customer(name="Varslet AS"))
    ((headers, body),) = await rec.wait_for(1)
    event = verify_callback(headers, body, AUTH_VALUE, HMAC_SECRET)
    assert (event.event, event.id, event.subscription_id) == ("customer.create", created.id, sub.id)
    assert event.value == {"id": created.id, "version": created.version, "name": "Varslet AS"}
    assert event.idempotency_key
    with pytest.raises(WebhookVerificationError):
        verify_callback(headers, body.replace(b"Varslet", b"Forfalsket"), AUTH_VALUE, HMAC_SECRET)
    with pytest.raises(WebhookVerificationError):
        verify_callback({**headers, "authorization": "Bearer forged"}, body, AUTH_VALUE, HMAC_SECRET)
    with pytest.raises(WebhookVerificationError):
        verify_callback(headers, body, AUTH_VALUE, "another-secret-0123456789")


async def test_subscribe_to_all_events_list_and_delete(
    tripletex_sim: SimHandle, connect: Connect, receiver: tuple[Receiver, str]
) -> None:
    """The nine customer/product/order events are subscribed in one call, listed, and removed."""
    rec, url = receiver
    tx = connect(tripletex_sim)
    subs = await tx.webhooks.create_many(url, auth_header_value=AUTH_VALUE, hmac_secret=HMAC_SECRET)
    assert sorted(s.event or "" for s in subs) == sorted(WEBHOOK_EVENTS)
    listed = await tx.webhooks.list()
    assert {s.id for s in listed} == {s.id for s in subs}
    customer = await tx.customers.create(Customer(name="Slettes AS"))
    await tx.customers.delete(customer.id or 0)
    calls = await rec.wait_for(2)
    events = [verify_callback(h, b, AUTH_VALUE, HMAC_SECRET) for h, b in calls]
    assert [e.event for e in events] == ["customer.create", "customer.delete"]
    assert events[1].value is None
    for sub in subs:
        await tx.webhooks.delete(sub.id or 0)
    assert await tx.webhooks.list() == []
