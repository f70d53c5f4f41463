"""Real callbacks from the Tripletex simulator (auth header + HMAC) to the server over sockets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from tests.integration.conftest import SimFactory, SimHandle
from tests.unit.server.support import TRIPLETEX_AUTH, TRIPLETEX_HMAC

from .conftest import ServerFactory, Tap, eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
def sim(tripletex_sim_factory: SimFactory) -> SimHandle:
    """A simulator that retries failed callbacks fast."""
    return tripletex_sim_factory(webhook_retry_delays=(0.05, 0.05))


@pytest.fixture
def api(sim: SimHandle) -> Iterator[httpx2.Client]:
    """A client logged in to the simulator (a session token as Basic 0:<token>)."""
    expires = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    session = httpx2.put(
        sim.api_url + "/token/session/:create",
        params={
            "consumerToken": sim.config.consumer_token.get_secret_value(),
            "employeeToken": sim.config.employee_token.get_secret_value(),
            "expirationDate": expires,
        },
    )
    assert session.status_code == 200, session.text
    with httpx2.Client(
        base_url=sim.api_url, auth=("0", session.json()["value"]["token"]), timeout=10
    ) as client:
        yield client


def subscribe(api: httpx2.Client, event: str, url: str, auth: str = TRIPLETEX_AUTH, **extra: Any) -> None:
    """A subscription as the daemon makes it: the Authorization value and the HMAC secret."""
    body = {
        "event": event,
        "targetUrl": url,
        "authHeaderName": "Authorization",
        "authHeaderValue": auth,
        **extra,
    }
    response = api.post("/event/subscription", json=body)
    assert response.status_code == 201, response.text


def test_a_tripletex_change_becomes_pending_work_once_even_when_delivered_twice(
    serve: ServerFactory, tap_factory: Callable[[str], Tap], api: httpx2.Client
) -> None:
    """A customer created in Tripletex calls back with the auth header and a valid HMAC; the tap
    delivers it twice; one work row under the Tripletex side, the second answer ``duplicate``."""
    server = serve()
    tap = tap_factory(server.url + "/webhooks/tripletex")
    subscribe(api, "customer.create", tap.url, hmacSharedSecret=TRIPLETEX_HMAC)
    customer = api.post("/customer", json={"name": "Varsel AS"}).json()["value"]
    tap.wait_for(1)
    assert [body for _, body in tap.answers] == [{"status": "accepted"}, {"status": "duplicate"}]
    rows = [(w.entity, w.side, w.record_id, w.reason) for w in server.store.queued_work()]
    assert rows == [("customer", "tripletex", str(customer["id"]), "webhook tripletex customer.create")]
    assert server.actions.notified == 1

    # The captured callback sent again, to a restarted server on the same database: still a duplicate.
    headers, body = tap.captured[0]
    server.stop()
    again = serve()
    response = httpx2.post(again.url + "/webhooks/tripletex", content=body, headers=headers)
    assert response.json() == {"status": "duplicate"}
    assert again.actions.notified == 0


def test_callbacks_with_a_wrong_auth_header_get_401_and_queue_nothing(
    serve: ServerFactory, sim: SimHandle, api: httpx2.Client
) -> None:
    """A subscription made with another auth value: each attempt is refused with 401 until the
    simulator gives up; nothing is queued."""
    server = serve()
    subscribe(api, "product.create", server.url + "/webhooks/tripletex", auth="Bearer not-the-right-value")
    api.post("/product", json={"name": "Feil"})

    def failed() -> list[dict[str, Any]]:
        return [
            d for d in httpx2.get(sim.url + "/_sim/webhooks").json()["deliveries"] if d["outcome"] == "failed"
        ]

    eventually(lambda: bool(failed()))
    assert failed()[0]["lastStatus"] == 401 and failed()[0]["attempts"] == 3
    assert server.store.queued_work() == [] and server.actions.notified == 0
    assert server.metrics.snapshot().webhooks["tripletex"] == {"rejected": 3}


def test_a_tampered_signature_is_refused(
    serve: ServerFactory, tap_factory: Callable[[str], Tap], api: httpx2.Client
) -> None:
    """A real callback whose body was altered after signing is refused (the auth header alone is not
    enough when an HMAC secret is configured)."""
    server = serve()
    tap = tap_factory(server.url + "/webhooks/tripletex")
    tap.times = 1
    subscribe(api, "customer.update", tap.url, hmacSharedSecret=TRIPLETEX_HMAC)
    customer = api.post("/customer", json={"name": "Endres AS"}).json()["value"]
    api.put(f"/customer/{customer['id']}", json={"email": "post@endres.no"})
    tap.wait_for(1)
    headers, body = tap.captured[0]
    forged = body.replace(str(customer["id"]).encode(), b"999999")
    response = httpx2.post(
        server.url + "/webhooks/tripletex", content=forged, headers={**headers, "idempotency-key": "new-key"}
    )
    assert (response.status_code, response.json()["reason"]) == (401, "auth")
    assert [w.record_id for w in server.store.queued_work()] == [str(customer["id"])]
