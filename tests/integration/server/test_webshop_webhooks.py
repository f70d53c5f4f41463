"""Real signed webhooks from the reference webshop to the server over sockets, on a real SQLite store."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest

from shopsync.state import StateStore
from tests.fixtures.webshop import WebshopFactory, WebshopHandle
from tests.unit.server.support import WEBSHOP_SECRET

from .conftest import ServerFactory, Tap, eventually

pytestmark = pytest.mark.e2e


def subscribe(shop: WebshopHandle, url: str, secret: str = WEBSHOP_SECRET) -> None:
    """Subscribe ``url`` to every customer and product event, as the daemon does."""
    body = {"url": url, "secret": secret, "events": ["customer.*", "product.*", "order.*"]}
    response = httpx2.post(f"{shop.api_url}/webhooks", json=body, headers=shop.headers)
    assert response.status_code == 201, response.text


def webshop_rows(store: StateStore) -> list[tuple[str, str, str, int]]:
    return [(w.entity, w.record_id, w.reason, w.generation) for w in store.queued_work()]


def test_a_shop_edit_becomes_pending_work_once_even_when_delivered_twice(
    serve: ServerFactory, tap_factory: Callable[[str], Tap], webshop_sim_factory: WebshopFactory
) -> None:
    """A customer edited through the shop's API is delivered (by the tap) twice: the first is accepted,
    the redelivery is a duplicate; one work row, the worker woken once, the receipt kept."""
    server = serve()
    tap = tap_factory(server.url + "/webhooks/webshop")
    shop = webshop_sim_factory()
    subscribe(shop, tap.url)
    edited = httpx2.patch(
        f"{shop.api_url}/customers/1001", json={"phone": "+47 22 33 44 55"}, headers=shop.headers
    )
    assert edited.status_code == 200
    tap.wait_for(1)
    assert [body for _, body in tap.answers] == [{"status": "accepted"}, {"status": "duplicate"}]
    assert webshop_rows(server.store) == [("customer", "1001", "webhook webshop customer.updated", 1)]
    assert server.actions.notified == 1
    assert server.receipts.take("customer", "webshop", "1001") is not None
    metrics = server.metrics.snapshot().webhooks["webshop"]
    assert metrics == {"accepted": 1, "duplicate": 1}


def test_captured_deliveries_replayed_later_are_refused_also_after_a_restart(
    serve: ServerFactory, tap_factory: Callable[[str], Tap], webshop_sim_factory: WebshopFactory
) -> None:
    """A real delivery sent again: within the signature window it is a duplicate, also to a restarted
    server on the same database; once older than 300 s it is refused with 401 as stale."""
    server = serve()
    tap = tap_factory(server.url + "/webhooks/webshop")
    tap.times = 1
    shop = webshop_sim_factory()
    subscribe(shop, tap.url)
    httpx2.patch(f"{shop.api_url}/products/2001", json={"stock_quantity": 3}, headers=shop.headers)
    tap.wait_for(1)
    headers, body = tap.captured[0]
    server.stop()

    again = serve()  # the same SQLite file: a restarted daemon
    response = httpx2.post(again.url + "/webhooks/webshop", content=body, headers=headers)
    assert (response.status_code, response.json()) == (200, {"status": "duplicate"})
    again.clock.advance(seconds=301)
    stale = httpx2.post(again.url + "/webhooks/webshop", content=body, headers=headers)
    assert (stale.status_code, stale.json()) == (401, {"error": "refused", "reason": "stale"})
    assert webshop_rows(again.store) == [("product", "2001", "webhook webshop product.updated", 1)]
    assert again.actions.notified == 0


def test_deliveries_signed_with_another_secret_get_401_and_queue_nothing(
    serve: ServerFactory, webshop_sim_factory: WebshopFactory
) -> None:
    """The shop signs with a secret the server does not know: every attempt is refused with 401 and
    the shop gives the delivery up; nothing is queued, the worker is never woken."""
    server = serve()
    shop = webshop_sim_factory()
    subscribe(shop, server.url + "/webhooks/webshop", secret="not-the-configured-secret-42")
    httpx2.patch(f"{shop.api_url}/customers/1002", json={"phone": "+47 99 88 77 66"}, headers=shop.headers)

    def given_up() -> bool:
        log = httpx2.get(f"{shop.url}/_sim/webhooks").json()["deliveries"]
        return bool(log) and log[0]["state"] == "failed"

    eventually(given_up)
    log = httpx2.get(f"{shop.url}/_sim/webhooks").json()["deliveries"]
    assert set(log[0]["statuses"]) == {401} and len(log[0]["statuses"]) == 4
    assert server.store.queued_work() == [] and server.actions.notified == 0
    assert server.metrics.snapshot().webhooks["webshop"] == {"rejected": 4}
