"""The reference shop's answers, requests and webhook deliveries validate against docs/webshop-api.yaml.

schemathesis checks random traffic; this test walks the paths that matter most for a sync client
(tombstones in the feed, replays, every error status including 429 and 5xx) and validates each
exchange, and a real webhook delivery, with openapi-core.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx2
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from werkzeug.datastructures import Headers, ImmutableMultiDict

from shopsync.simulators.serve import serve_in_thread
from tests.conformance.validator import OpenAPIRequest, OpenAPIResponse
from tests.conftest import ROOT
from tests.fixtures.webshop import WebshopFactory

CUSTOMER = {
    "type": "company",
    "company_name": "Fjord Sykler AS",
    "organization_number": "923609016",
    "email": "post@fjordsykler.no",
    "billing_address": {"line1": "Bryggen 5", "postal_code": "5003", "city": "Bergen", "country": "NO"},
}
PRODUCT = {"sku": "KAFFE-500", "name": "Kaffe", "price": "129.90", "vat_rate": "15.00"}


def contract_for(base_url: str) -> OpenAPI:
    """The contract, checked as a valid OpenAPI 3.1 document by openapi-core, served at ``base_url``."""
    spec = yaml.safe_load((ROOT / "docs" / "webshop-api.yaml").read_text(encoding="utf-8"))
    spec["servers"] = [{"url": base_url}]
    return OpenAPI.from_dict(spec)


class WebhookRequest:
    """A received webhook delivery as openapi-core's webhook request protocol sees it."""

    def __init__(self, headers: dict[str, str], body: bytes) -> None:
        self.name = "recordChanged"
        self.method = "post"
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(), header=Headers(list(headers.items())), cookie=ImmutableMultiDict()
        )
        self.body: bytes | None = body
        self.content_type = headers.get("content-type", "")


@pytest.fixture
def delivery() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]], threading.Event]]:
    """A receiver URL, the deliveries it got, and an event set on the first one."""
    got: list[tuple[dict[str, str], bytes]] = []
    arrived = threading.Event()

    async def hook(request: Request) -> Response:
        got.append((dict(request.headers), await request.body()))
        arrived.set()
        return Response(status_code=200)

    with serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield url + "/hook", got, arrived


def test_every_answer_matches_the_contract(
    webshop_sim_factory: WebshopFactory,
    delivery: tuple[str, list[tuple[dict[str, str], bytes]], threading.Event],
) -> None:
    """Success and error answers of all resources, tombstones and webhooks validate against the contract."""
    url, got, arrived = delivery
    shop = webshop_sim_factory(webhook_url=url, webhook_secret="whsec-0123456789abcdef")
    contract = contract_for(shop.url)
    exchanges: list[httpx2.Response] = []
    with httpx2.Client(
        base_url=shop.api_url, headers=shop.headers, event_hooks={"response": [lambda r: exchanges.append(r)]}
    ) as c:
        c.get("/shop")
        for resource in ("customers", "products", "orders"):
            page = c.get(f"/{resource}", params={"limit": 3}).json()
            c.get(f"/{resource}", params={"cursor": page["next_cursor"], "limit": 500})
        customer = c.post("/customers", json=CUSTOMER, headers={"Idempotency-Key": "k-1"}).json()
        c.post("/customers", json=CUSTOMER, headers={"Idempotency-Key": "k-1"})  # replay
        c.post("/customers", json={**CUSTOMER, "email": "o@f.no"}, headers={"Idempotency-Key": "k-1"})  # 409
        c.patch(f"/customers/{customer['id']}", json={"shipping_address": CUSTOMER["billing_address"]})
        c.patch(
            f"/customers/{customer['id']}", json={"phone": "+47 22 33 44 55"}, headers={"If-Match": '"1"'}
        )  # 412
        c.post("/customers", json={**CUSTOMER, "organization_number": "123"})  # 422
        product = c.post("/products", json=PRODUCT).json()
        c.post("/products", json=PRODUCT)  # 409 duplicate SKU
        order = c.post(
            "/orders",
            json={
                "customer_id": customer["id"],
                "ordered_at": "2026-03-01T00:30:00+01:00",
                "lines": [
                    {
                        "product_id": product["id"],
                        "name": "Kaffe",
                        "quantity": "2",
                        "unit_price": "129.90",
                        "vat_rate": "15.00",
                    }
                ],
                "shipping_cost": "79.00",
            },
        ).json()
        c.get(f"/orders/{order['id']}")
        c.delete(f"/customers/{customer['id']}")  # 409: has an order
        c.delete(f"/products/{product['id']}", headers={"If-Match": '"1"'})
        c.get(f"/products/{product['id']}")  # 404
        c.get("/products", params={"updated_since": product["created_at"]})  # holds the tombstone
        hook = c.post(
            "/webhooks", json={"url": "https://x.example.no/h", "secret": "s" * 16, "events": ["*"]}
        ).json()
        c.get("/webhooks")
        c.get(f"/webhooks/{hook['id']}")
        c.delete(f"/webhooks/{hook['id']}")
        c.get("/shop", headers={"Authorization": "Bearer wrong"})  # 401
        httpx2.post(f"{shop.url}/_sim/faults", json={"fail_next": 1})
        c.get("/customers")  # 503
        httpx2.post(f"{shop.url}/_sim/faults", json={"rate_limit_for": 5})
        c.get("/customers")  # 429
    statuses = sorted({r.status_code for r in exchanges})
    assert statuses == [200, 201, 204, 401, 404, 409, 412, 422, 429, 503]
    assert any(
        item.get("deleted")
        for r in exchanges
        if r.request.method == "GET" and r.status_code == 200
        for item in r.json().get("items", [])
    )
    for response in exchanges:
        label = f"{response.request.method} {response.request.url} -> {response.status_code}"
        request = OpenAPIRequest(response.request)
        if response.status_code != 422:  # the 422s were sent invalid on purpose
            assert list(contract.iter_request_errors(request)) == [], label
        errors = list(contract.iter_response_errors(request, OpenAPIResponse(response)))
        assert errors == [], f"{label}: {errors}"
    assert arrived.wait(10)
    headers, body = got[0]
    assert list(contract.iter_webhook_request_errors(WebhookRequest(headers, body))) == []
