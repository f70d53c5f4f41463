"""Every simulator answer on the endpoints shopsync uses validates against the spec (raw httpx2, real socket).

The requests mimic the client's (Basic ``0:<token>``, JSON bodies, ``fields``/``from``/``count``) and are
validated too; the few that break the spec on purpose (to provoke an error) are marked deliberate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import pytest

from tests.integration.conftest import SimFactory, SimHandle

from .recorder import Recorder

pytestmark = [pytest.mark.conformance, pytest.mark.e2e]

TODAY = dt.datetime.now(ZoneInfo("Europe/Oslo")).date()
ORDER_WINDOW = {"orderDateFrom": (TODAY - dt.timedelta(days=3650)).isoformat(), "orderDateTo": "2100-01-01"}


async def open_session(client: httpx2.AsyncClient) -> None:
    """Log ``client`` in with the simulator's default tokens, as the client does (``POST :create``)."""
    body = {
        "consumerToken": "sim-consumer",
        "employeeToken": "sim-employee",
        "expirationDate": (TODAY + dt.timedelta(days=1)).isoformat(),
    }
    response = await client.post("/token/session/:create", json=body)
    assert response.status_code == 201, response.text
    client.auth = ("0", response.json()["value"]["token"])


@pytest.fixture
async def api(tripletex_sim: SimHandle, recorder: Recorder) -> AsyncIterator[httpx2.AsyncClient]:
    """A logged-in raw client on the default simulator; all its traffic is recorded."""
    async with recorder.client(tripletex_sim.api_url) as client:
        await open_session(client)
        yield client


def ok(response: httpx2.Response, status: int = 200) -> Any:
    """The JSON body of a response that must have ``status``."""
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.text}"
    return response.json() if response.content else None


def error_code(response: httpx2.Response, status: int) -> int:
    """The Tripletex error ``code`` of a response that must have ``status``."""
    body = ok(response, status)
    assert body["status"] == status
    return int(body["code"])


async def test_session_create_with_post_and_legacy_put(tripletex_sim: SimHandle, recorder: Recorder) -> None:
    """Both ``:create`` forms answer a conformant ``SessionToken`` wrapper."""
    expires = (TODAY + dt.timedelta(days=2)).isoformat()
    async with recorder.client(tripletex_sim.api_url) as client:
        await open_session(client)
        params = {"consumerToken": "sim-consumer", "employeeToken": "sim-employee", "expirationDate": expires}
        put = ok(await client.put("/token/session/:create", params=params))
        assert put["value"]["token"]
    assert recorder.verify() == 2


async def test_customer_endpoints(api: httpx2.AsyncClient, recorder: Recorder) -> None:
    """GET list (default and nested ``fields``), GET by id, POST, POST list, PUT, PUT list and DELETE."""
    created = ok(
        await api.post("/customer", json={"name": "Fjord Fisk AS", "email": "post@fjordfisk.no"}), 201
    )
    cid = created["value"]["id"]
    batch = [
        {
            "name": f"Kunde {i}",
            "postalAddress": {"addressLine1": f"Gate {i}", "postalCode": "0150", "city": "Oslo"},
        }
        for i in range(3)
    ]
    many = ok(await api.post("/customer/list", json=batch), 201)
    assert len(many["values"]) == 3
    ok(await api.get("/customer"))
    listed = ok(
        await api.get("/customer", params={"fields": "id,version,name,postalAddress(*)", "count": "2"})
    )
    assert listed["count"] == 2
    ok(
        await api.get(
            "/customer", params={"fields": "*,postalAddress(*,country(*)),currency(*)", "from": "1"}
        )
    )
    one = ok(await api.get(f"/customer/{cid}"))["value"]
    ok(await api.get(f"/customer/{cid}", params={"fields": "id,version,name,changes"}))
    updated = ok(
        await api.put(f"/customer/{cid}", json={"id": cid, "version": one["version"], "phoneNumber": "22"})
    )
    assert updated["value"]["version"] == one["version"] + 1
    rows = [
        {"id": v["id"], "version": v["version"], "email": f"k{v['id']}@example.no"} for v in many["values"]
    ]
    ok(await api.put("/customer/list", json=rows))
    ok(await api.delete(f"/customer/{cid}"), 204)
    assert recorder.verify() >= 10


async def test_product_endpoints(api: httpx2.AsyncClient, recorder: Recorder) -> None:
    """Product list, get, create (with a VAT type), batch create, update, batch update and delete."""
    vat_types = ok(await api.get("/ledger/vatType", params={"fields": "id,number,percentage"}))["values"]
    vat = next(v for v in vat_types if v["number"] == "3")  # outgoing, high rate (25 %)
    body = {
        "name": "Brunost 500 g",
        "number": "BR-500",
        "priceExcludingVatCurrency": 89.6,
        "vatType": {"id": vat["id"]},
    }
    pid = ok(await api.post("/product", json=body), 201)["value"]["id"]
    many = ok(
        await api.post("/product/list", json=[{"name": f"Vare {i}", "number": f"V-{i}"} for i in range(3)]),
        201,
    )
    ok(await api.get("/product"))
    ok(await api.get("/product", params={"fields": "*,vatType(*)", "count": "10", "isInactive": "false"}))
    ok(await api.get("/product", params={"productNumber": ["V-0", "V-1"], "fields": "id,version,number"}))
    current = ok(await api.get(f"/product/{pid}"))["value"]
    ok(
        await api.put(
            f"/product/{pid}", json={"id": pid, "version": current["version"], "costExcludingVatCurrency": 40}
        )
    )
    rows = [{"id": v["id"], "version": v["version"], "description": "oppdatert"} for v in many["values"]]
    ok(await api.put("/product/list", json=rows))
    ok(await api.delete(f"/product/{pid}"), 204)
    assert recorder.verify() >= 9


async def test_order_and_order_line_endpoints(api: httpx2.AsyncClient, recorder: Recorder) -> None:
    """Orders (list with the required dates, get, create, batch create, update, delete) and their lines."""
    customer = ok(await api.post("/customer", json={"name": "Ordre Kunde AS"}), 201)["value"]
    product = ok(await api.post("/product", json={"name": "Lefse", "priceExcludingVatCurrency": 25}), 201)[
        "value"
    ]
    today = TODAY.isoformat()
    order_body = {
        "customer": {"id": customer["id"]},
        "orderDate": today,
        "deliveryDate": today,
        "orderLines": [{"product": {"id": product["id"]}, "count": 2, "unitPriceExcludingVatCurrency": 25}],
    }
    order = ok(await api.post("/order", json=order_body), 201)["value"]
    spare = ok(await api.post("/order/list", json=[{**order_body, "orderLines": []} for _ in range(2)]), 201)
    ok(await api.get("/order", params=ORDER_WINDOW))
    ok(await api.get("/order", params={**ORDER_WINDOW, "fields": "*,orderLines(*),customer(id,name)"}))
    ok(
        await api.get(
            "/order", params={**ORDER_WINDOW, "customerId": str(customer["id"]), "isClosed": "false"}
        )
    )
    got = ok(await api.get(f"/order/{order['id']}", params={"fields": "id,version,orderLines(*)"}))["value"]
    line_id = got["orderLines"][0]["id"]
    ok(
        await api.put(
            f"/order/{order['id']}", json={"id": order["id"], "version": got["version"], "reference": "ref"}
        )
    )
    line = ok(await api.get(f"/order/orderline/{line_id}"))["value"]
    ok(
        await api.put(
            f"/order/orderline/{line_id}", json={"id": line_id, "version": line["version"], "count": 3}
        )
    )
    new_line = {
        "order": {"id": order["id"]},
        "description": "Frakt",
        "count": 1,
        "unitPriceExcludingVatCurrency": 99,
    }
    lid = ok(await api.post("/order/orderline", json=new_line), 201)["value"]["id"]
    ok(await api.post("/order/orderline/list", json=[new_line, {**new_line, "description": "Gebyr"}]), 201)
    ok(await api.delete(f"/order/orderline/{lid}"), 204)
    ok(await api.delete(f"/order/{spare['values'][0]['id']}"), 204)
    assert recorder.verify() >= 15


async def test_reference_data_endpoints(api: httpx2.AsyncClient, recorder: Recorder) -> None:
    """VAT types, currencies and countries: lists (default and all fields) and single objects."""
    for path in ("/ledger/vatType", "/currency", "/country"):
        values = ok(await api.get(path))["values"]
        assert values, f"{path} has no reference data"
        ok(await api.get(path, params={"fields": "*", "count": "1000"}))
        ok(await api.get(f"{path}/{values[0]['id']}"))
    ok(await api.get("/currency", params={"code": "NOK"}))
    assert recorder.verify() == 11  # with the session


async def test_event_subscription_endpoints(api: httpx2.AsyncClient, recorder: Recorder) -> None:
    """Subscriptions: create, batch create, list, get, update and delete."""
    target = "https://hooks.example.no/tripletex"
    body = {"event": "customer.create", "targetUrl": target, "fields": "id,version,name"}
    sub = ok(
        await api.post("/event/subscription", json={**body, "hmacSharedSecret": "en-lang-hemmelighet"}), 201
    )["value"]
    events = ["customer.update", "customer.delete"]
    subs = ok(await api.post("/event/subscription/list", json=[{**body, "event": e} for e in events]), 201)
    assert [s["event"] for s in subs["values"]] == events
    ok(await api.get("/event/subscription"))
    got = ok(await api.get(f"/event/subscription/{sub['id']}"))["value"]
    ok(
        await api.put(
            f"/event/subscription/{sub['id']}", json={**body, "id": sub["id"], "version": got["version"]}
        )
    )
    ok(await api.delete(f"/event/subscription/{sub['id']}"), 204)
    assert recorder.verify() == 7


async def test_unchanged_list_answers_304(api: httpx2.AsyncClient, recorder: Recorder) -> None:
    """``If-None-Match`` with the current ``versionDigest`` gives a conformant 304 without a body."""
    ok(await api.post("/customer", json={"name": "Digest AS"}), 201)
    params = {"fields": "id,version"}
    first = ok(await api.get("/customer", params=params, headers={"If-None-Match": "shopsync"}))
    again = await api.get("/customer", params=params, headers={"If-None-Match": first["versionDigest"]})
    assert again.status_code == 304
    assert recorder.verify() == 4  # with the session


async def test_error_answers(api: httpx2.AsyncClient, tripletex_sim: SimHandle, recorder: Recorder) -> None:
    """401, 404, 409 (8000), 422 (18000 and 15000) and 400 (11000) answer a conformant ``ApiError``."""
    cid = ok(await api.post("/customer", json={"name": "Feil AS"}), 201)["value"]["id"]
    async with recorder.client(tripletex_sim.api_url, auth=("0", "not-a-session")) as stranger:
        assert error_code(await stranger.get("/customer"), 401) == 3000
    assert error_code(await api.get("/customer/999999"), 404) == 6000
    assert (
        error_code(await api.put(f"/customer/{cid}", json={"id": cid, "version": 0, "name": "X"}), 409)
        == 8000
    )
    invalid = await api.post("/customer", json={"email": "uten-navn@example.no"})
    assert error_code(invalid, 422) == 18000
    assert invalid.json()["validationMessages"]
    assert error_code(await api.get("/customer", params={"fields": "id,noSuchField"}), 400) == 11000
    with recorder.deliberately_invalid():  # the spec requires orderDateFrom and orderDateTo
        assert error_code(await api.get("/order"), 422) == 15000
    assert recorder.verify() == 8


async def test_result_set_too_large_answers_422_23000(
    tripletex_sim_factory: SimFactory, recorder: Recorder
) -> None:
    """A list query past the result-size cap answers a conformant 422 code 23000."""
    sim = tripletex_sim_factory(max_result_size=5)
    async with recorder.client(sim.api_url) as client:
        await open_session(client)
        ok(await client.post("/customer/list", json=[{"name": f"Mange {i}"} for i in range(6)]), 201)
        created = ok(await client.get("/customer", params={"fields": "id", "customerName": "Mange 1"}))
        assert error_code(await client.get("/customer", params={"fields": "id", "count": "2"}), 422) == 23000
        assert created["count"] == 1
    assert recorder.verify() == 4


async def test_rate_limited_answers_429(tripletex_sim_factory: SimFactory, recorder: Recorder) -> None:
    """Past the limit, the simulator answers a conformant 429 for the rest of the period."""
    sim = tripletex_sim_factory(rate_limit=3, rate_period=300)
    async with recorder.client(sim.api_url) as client:
        await open_session(client)
        statuses = [(await client.get("/currency", params={"fields": "id"})).status_code for _ in range(4)]
    assert statuses.count(429) >= 1
    assert statuses[-1] == 429
    assert recorder.verify() == 5


async def test_seeded_data_set_conforms(tripletex_sim_factory: SimFactory, recorder: Recorder) -> None:
    """Every seeded customer, product and order (with lines) conforms, with all fields expanded."""
    sim = tripletex_sim_factory(seed=7, customers=40, products=25, orders=20)
    async with recorder.client(sim.api_url) as client:
        await open_session(client)
        customers = ok(
            await client.get("/customer", params={"fields": "*,postalAddress(*),physicalAddress(*)"})
        )
        assert customers["fullResultSize"] == 40
        ok(await client.get("/customer"))
        products = ok(await client.get("/product", params={"fields": "*,vatType(*)"}))
        assert products["fullResultSize"] == 25
        ok(await client.get("/product"))
        orders = ok(
            await client.get("/order", params={**ORDER_WINDOW, "fields": "*,orderLines(*,product(*))"})
        )
        assert orders["fullResultSize"] == 20
        ok(await client.get("/order", params=ORDER_WINDOW))
        first = orders["values"][0]
        ok(await client.get(f"/order/{first['id']}"))
        ok(await client.get(f"/order/orderline/{first['orderLines'][0]['id']}"))
    assert recorder.verify() == 9
