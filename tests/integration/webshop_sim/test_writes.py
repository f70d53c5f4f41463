"""Writes over a real socket: stale If-Match, a create replayed after a dropped answer, 422s."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.fixtures.webshop import WebshopFactory, WebshopHandle

PRODUCT: dict[str, Any] = {"sku": "KAFFE-500", "name": "Kaffe 500 g", "price": "129.90", "vat_rate": "15.00"}


def _client(shop: WebshopHandle) -> httpx2.Client:
    return httpx2.Client(base_url=shop.api_url, headers=shop.headers)


def test_stale_if_match_is_412_and_changes_nothing(webshop_sim_factory: WebshopFactory) -> None:
    """Two writers start from version 1; the second one gets 412 and the first one's change stays."""
    shop = webshop_sim_factory()
    with _client(shop) as client:
        product = client.get("/products/2001")
        etag = product.headers["etag"]
        assert (
            client.patch("/products/2001", json={"price": "1.00"}, headers={"If-Match": etag}).status_code
            == 200
        )
        stale = client.patch("/products/2001", json={"price": "2.00"}, headers={"If-Match": etag})
        assert stale.status_code == 412
        assert stale.json()["error"]["code"] == "precondition_failed"
        assert stale.headers["etag"] != etag
        assert client.delete("/products/2001", headers={"If-Match": etag}).status_code == 412
        assert client.get("/products/2001").json()["price"] == "1.00"


def test_create_retried_after_a_dropped_answer_yields_one_record(webshop_sim_factory: WebshopFactory) -> None:
    """The shop commits, the connection drops; the retry with the same key replays 201, one record."""
    shop = webshop_sim_factory(seed=None)
    key = {"Idempotency-Key": "0d6c2f8e-5d1c-4d38-9a51-8a0e6f3c2b11"}
    httpx2.post(f"{shop.url}/_sim/faults", json={"drop_after_commit": 1})
    with _client(shop) as client:
        with pytest.raises(httpx2.TransportError):
            client.post("/products", json=PRODUCT, headers=key)
        retry = client.post("/products", json=PRODUCT, headers=key)
        assert retry.status_code == 201
        assert retry.headers["idempotent-replayed"] == "true"
        matches = client.get("/products", params={"sku": PRODUCT["sku"]}).json()["items"]
        assert [m["id"] for m in matches] == [retry.json()["id"]]
    stats = httpx2.get(f"{shop.url}/_sim/stats").json()
    assert stats["faults"]["drop"] == 1
    assert stats["writes"] == 2  # the committed create and its replay; one record


def test_invalid_input_is_422_with_field_messages_and_nothing_stored(
    webshop_sim_factory: WebshopFactory,
) -> None:
    """Every bad field is named, and neither the record nor a feed entry appears."""
    shop = webshop_sim_factory(seed=None)
    body = {
        "type": "company",
        "company_name": "Fjord Sykler AS",
        "organization_number": "923609017",
        "email": "post@fjordsykler.no",
        "phone": "call me",
        "billing_address": {"line1": "Bryggen 5", "postal_code": "50030", "city": "Bergen", "country": "NO"},
        "favourite_colour": "blue",
    }
    with _client(shop) as client:
        response = client.post("/customers", json=body)
        assert response.status_code == 422
        fields = {f["field"]: f["message"] for f in response.json()["error"]["fields"]}
        assert fields == {
            "organization_number": "is not a valid Norwegian organisation number (MOD11 check digit)",
            "phone": "must be a phone number",
            "billing_address.postal_code": "must be 4 digits for country NO",
            "favourite_colour": "is not a known field",
        }
        assert client.get("/customers").json() == {"items": [], "next_cursor": None}
    assert httpx2.get(f"{shop.url}/_sim/stats").json()["writes"] == 0
