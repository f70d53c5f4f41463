"""Webhook delivery: signatures, event matching, retries with the same id, giving up."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

import httpx2

from shopsync.simulators.webshop.store import Store
from shopsync.simulators.webshop.webhooks import WebhookDispatcher, matches, sign

SECRET = "0123456789abcdef-secret"


def test_signature_is_hmac_of_timestamp_dot_body() -> None:
    """The signature is v1= plus the hex HMAC-SHA256 of timestamp + '.' + raw body."""
    body = b'{"event":"customer.updated"}'
    expected = hmac.new(SECRET.encode(), b"1795902000." + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, "1795902000", body) == f"v1={expected}"


def test_event_matching() -> None:
    """Exact names, resource wildcards and * match; other resources do not."""
    assert matches(["customer.updated"], "customer.updated")
    assert matches(["customer.*"], "customer.deleted")
    assert matches(["*"], "order.created")
    assert not matches(["customer.*", "product.created"], "order.created")


async def _deliver(
    statuses: list[int], delays: tuple[float, ...]
) -> tuple[list[httpx2.Request], dict[str, object]]:
    store = Store()
    store.webhook_add("https://sync.example.no/hook", SECRET, ["customer.*"], 0)
    store.webhook_add("https://other.example.no/hook", SECRET, ["order.*"], 0)
    seen: list[httpx2.Request] = []
    answers = iter(statuses)
    done = asyncio.Event()

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        status = next(answers, 200)
        return httpx2.Response(status)

    outcomes: list[str] = []

    def on_outcome(outcome: str) -> None:
        outcomes.append(outcome)
        if outcome in ("delivered", "failed"):
            done.set()

    dispatcher = WebhookDispatcher(
        store, delays, 5.0, transport=httpx2.MockTransport(handler), on_outcome=on_outcome
    )
    await dispatcher.start()
    dispatcher.emit(
        "customer.updated", "customers", "1001", "2026-11-28T21:40:00.000000+00:00", {"id": "1001"}
    )
    await asyncio.wait_for(done.wait(), timeout=10)
    entry = dispatcher.deliveries()[0]
    await dispatcher.stop()
    return seen, entry


async def test_failed_attempts_are_retried_with_the_same_id() -> None:
    """Two 503s then a 200: three signed attempts with one Webhook-Id, delivered."""
    seen, entry = await _deliver([503, 500, 200], (0.01, 0.01, 0.01))
    assert len(seen) == 3
    assert entry["state"] == "delivered"
    assert entry["statuses"] == [503, 500, 200]
    assert len({r.headers["webhook-id"] for r in seen}) == 1
    for request in seen:
        assert str(request.url) == "https://sync.example.no/hook"
        timestamp = request.headers["webhook-timestamp"]
        assert request.headers["webhook-signature"] == sign(SECRET, timestamp, request.content)
    body = json.loads(seen[0].content)
    assert body == {
        "event": "customer.updated",
        "resource": "customers",
        "id": "1001",
        "occurred_at": "2026-11-28T21:40:00.000000+00:00",
        "data": {"id": "1001"},
    }


async def test_delivery_gives_up_after_the_last_retry() -> None:
    """With two retry delays a receiver that always fails gets three attempts, then none."""
    seen, entry = await _deliver([500] * 10, (0.01, 0.01))
    assert len(seen) == 3
    assert entry["state"] == "failed"
    assert entry["attempts"] == 3
