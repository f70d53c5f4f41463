"""The contract API in process: auth, validation, merge patch, versions, uniqueness and lookups."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.unit.webshop_sim.conftest import CUSTOMER, PRODUCT

LINE = {"name": "Vare", "quantity": "1", "unit_price": "100.00", "vat_rate": "25.00"}


async def _create(client: httpx2.AsyncClient, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(f"/api/v1/{resource}", json=body)
    assert response.status_code == 201, response.text
    doc: dict[str, Any] = response.json()
    return doc


async def test_requests_without_token_get_401(client: httpx2.AsyncClient) -> None:
    """A missing or wrong bearer token is a 401 in the contract's error format."""
    for headers in (
        {"Authorization": ""},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic c2ltLXdlYnNob3A="},
    ):
        response = await client.get("/api/v1/shop", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_shop_settings(client: httpx2.AsyncClient) -> None:
    """The shop states its currency, VAT treatment, time zone and country."""
    response = await client.get("/api/v1/shop")
    assert response.json() == {
        "name": "Nordlys Nettbutikk",
        "currency": "NOK",
        "prices_include_vat": True,
        "timezone": "Europe/Oslo",
        "country": "NO",
    }


async def test_create_answers_location_and_etag(client: httpx2.AsyncClient) -> None:
    """A create is 201 with Location, a strong ETag of version 1, and all fields present."""
    response = await client.post("/api/v1/customers", json=CUSTOMER)
    assert response.status_code == 201
    doc = response.json()
    assert response.headers["location"] == f"/api/v1/customers/{doc['id']}"
    assert response.headers["etag"] == '"1"'
    assert doc["version"] == 1
    assert doc["created_at"] == doc["updated_at"]
    assert doc["company_name"] is None and doc["shipping_address"] is None


async def test_invalid_create_stores_nothing(client: httpx2.AsyncClient) -> None:
    """A 422 names each bad field, and the feed shows that nothing was stored."""
    body = {**CUSTOMER, "email": "kari(at)example.no", "language": "no", "billing_address": {"line1": "x"}}
    response = await client.post("/api/v1/customers", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    fields = {f["field"] for f in error["fields"]}
    assert {"email", "language", "billing_address.postal_code", "billing_address.city"} <= fields
    assert (await client.get("/api/v1/customers")).json() == {"items": [], "next_cursor": None}


async def test_bad_json_and_non_object_bodies_are_422(client: httpx2.AsyncClient) -> None:
    """Unparseable JSON, NaN and a JSON array are all 422 on the body."""
    for content in (b"{", b'{"price": NaN}', b"[1]", b""):
        response = await client.post(
            "/api/v1/products", content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        assert response.json()["error"]["fields"][0]["field"] == "body"


async def test_patch_without_change_keeps_version(client: httpx2.AsyncClient) -> None:
    """Writing back the same values is no change: version and updated_at stay (no ping-pong)."""
    doc = await _create(client, "customers", CUSTOMER)
    response = await client.patch(
        f"/api/v1/customers/{doc['id']}", json={"email": CUSTOMER["email"], "id": "x"}
    )
    assert response.status_code == 200
    assert response.json() == doc
    changed = (await client.patch(f"/api/v1/customers/{doc['id']}", json={"phone": "+47 22 33 44 55"})).json()
    assert changed["version"] == 2
    assert changed["updated_at"] > doc["updated_at"]
    assert changed["created_at"] == doc["created_at"]


async def test_order_lines_are_replaced_and_keep_ids_when_unchanged(client: httpx2.AsyncClient) -> None:
    """New lines get new ids; sending the same lines again keeps ids and version."""
    customer = await _create(client, "customers", CUSTOMER)
    order = await _create(client, "orders", {"customer_id": customer["id"], "lines": [LINE]})
    assert order["number"] == "100001"
    same = (await client.patch(f"/api/v1/orders/{order['id']}", json={"lines": [LINE]})).json()
    assert same["version"] == 1
    assert same["lines"] == order["lines"]
    two = [LINE, {**LINE, "name": "Frakt", "discount_percent": "10.00"}]
    replaced = (await client.patch(f"/api/v1/orders/{order['id']}", json={"lines": two})).json()
    assert replaced["version"] == 2
    assert [line["name"] for line in replaced["lines"]] == ["Vare", "Frakt"]
    assert replaced["lines"][0]["id"] != order["lines"][0]["id"]


async def test_unique_sku_and_order_number(client: httpx2.AsyncClient) -> None:
    """A taken SKU or order number is a 409 conflict naming the field; freed by deletion."""
    first = await _create(client, "products", PRODUCT)
    response = await client.post("/api/v1/products", json=PRODUCT)
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == [
        {"field": "sku", "message": f"already used by product {first['id']}"}
    ]
    other = await _create(client, "products", {**PRODUCT, "sku": "TE-1"})
    assert (
        await client.patch(f"/api/v1/products/{other['id']}", json={"sku": PRODUCT["sku"]})
    ).status_code == 409
    assert (await client.delete(f"/api/v1/products/{first['id']}")).status_code == 204
    assert (await client.post("/api/v1/products", json=PRODUCT)).status_code == 201
    customer = await _create(client, "customers", CUSTOMER)
    await _create(client, "orders", {"customer_id": customer["id"], "number": "A-1", "lines": [LINE]})
    response = await client.post(
        "/api/v1/orders", json={"customer_id": customer["id"], "number": "A-1", "lines": [LINE]}
    )
    assert response.status_code == 409


async def test_customer_with_orders_cannot_be_deleted(client: httpx2.AsyncClient) -> None:
    """Deleting a customer that still has orders is a 409; after the order is gone it works."""
    customer = await _create(client, "customers", CUSTOMER)
    order = await _create(client, "orders", {"customer_id": customer["id"], "lines": [LINE]})
    response = await client.delete(f"/api/v1/customers/{customer['id']}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert (await client.delete(f"/api/v1/orders/{order['id']}")).status_code == 204
    assert (await client.delete(f"/api/v1/customers/{customer['id']}")).status_code == 204


async def test_deleted_records_are_gone(client: httpx2.AsyncClient) -> None:
    """GET, PATCH and DELETE of a deleted record are 404."""
    doc = await _create(client, "products", PRODUCT)
    assert (await client.delete(f"/api/v1/products/{doc['id']}")).status_code == 204
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(method, f"/api/v1/products/{doc['id']}", json={})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_lookup_filters(client: httpx2.AsyncClient) -> None:
    """email (case-insensitive), sku and number filters return only live matches."""
    customer = await _create(client, "customers", CUSTOMER)
    await _create(client, "customers", {**CUSTOMER, "email": "ola@example.no"})
    found = (await client.get("/api/v1/customers", params={"email": "KARI@example.NO"})).json()["items"]
    assert [c["id"] for c in found] == [customer["id"]]
    product = await _create(client, "products", PRODUCT)
    assert [
        p["id"] for p in (await client.get("/api/v1/products", params={"sku": "KAFFE-500"})).json()["items"]
    ] == [product["id"]]
    await client.delete(f"/api/v1/products/{product['id']}")
    assert (await client.get("/api/v1/products", params={"sku": "KAFFE-500"})).json()["items"] == []


async def test_feed_parameters_are_validated(client: httpx2.AsyncClient) -> None:
    """Bad limit, updated_since and cursor values are 422 on the named parameter."""
    for params, field in (
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"updated_since": "2026-11-28"}, "updated_since"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ):
        response = await client.get("/api/v1/products", params=params)
        assert response.status_code == 422
        assert response.json()["error"]["fields"][0]["field"] == field


async def test_if_match_rules(client: httpx2.AsyncClient) -> None:
    """A stale If-Match is 412 with the current ETag; * matches; a weak tag is malformed (422)."""
    doc = await _create(client, "products", PRODUCT)
    url = f"/api/v1/products/{doc['id']}"
    response = await client.patch(url, json={"price": "1.00"}, headers={"If-Match": '"7"'})
    assert response.status_code == 412
    assert response.headers["etag"] == '"1"'
    assert (await client.get(url)).json()["price"] == "129.90"
    assert (await client.patch(url, json={"price": "1.00"}, headers={"If-Match": 'W/"1"'})).status_code == 422
    assert (
        await client.patch(url, json={"price": "1.00"}, headers={"If-Match": '"5", "1"'})
    ).status_code == 200
    assert (await client.delete(url, headers={"If-Match": '"1"'})).status_code == 412
    assert (await client.delete(url, headers={"If-Match": "*"})).status_code == 204


async def test_unknown_path_and_method(client: httpx2.AsyncClient) -> None:
    """Unknown paths are a JSON 404; a wrong method is 405 with the allowed methods."""
    assert (await client.get("/api/v1/invoices")).status_code == 404
    response = await client.put("/api/v1/products/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH"


async def test_webhook_subscriptions(client: httpx2.AsyncClient) -> None:
    """Subscriptions are created, listed without their secret, fetched and deleted."""
    body = {
        "url": "https://sync.example.no/hook",
        "secret": "s" * 20,
        "events": ["customer.*", "order.created"],
    }
    created = await client.post("/api/v1/webhooks", json=body)
    assert created.status_code == 201
    hook = created.json()
    assert "secret" not in hook
    assert (await client.get("/api/v1/webhooks")).json() == {"items": [hook]}
    assert (await client.get(f"/api/v1/webhooks/{hook['id']}")).json() == hook
    assert (await client.delete(f"/api/v1/webhooks/{hook['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/webhooks/{hook['id']}")).status_code == 404
    bad = await client.post(
        "/api/v1/webhooks", json={**body, "secret": "short", "events": ["invoice.created"]}
    )
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"secret", "events"}
