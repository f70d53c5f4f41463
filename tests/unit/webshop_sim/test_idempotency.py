"""Idempotency-Key: replay of the first answer, conflicts, and keys that are not remembered."""

from __future__ import annotations

import httpx2

from tests.unit.webshop_sim.conftest import PRODUCT


async def test_repeated_key_replays_first_answer(client: httpx2.AsyncClient) -> None:
    """The same key and body answer the stored 201 again, marked as replayed; one record exists."""
    headers = {"Idempotency-Key": "3b0c8f1e-2f7a-4a55-9a43-6c1f7f2d9b10"}
    first = await client.post("/api/v1/products", json=PRODUCT, headers=headers)
    again = await client.post("/api/v1/products", json=PRODUCT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len((await client.get("/api/v1/products")).json()["items"]) == 1


async def test_same_key_other_body_is_conflict(client: httpx2.AsyncClient) -> None:
    """Reusing a key for a different request is 409 idempotency_conflict and creates nothing."""
    headers = {"Idempotency-Key": "key-1"}
    assert (await client.post("/api/v1/products", json=PRODUCT, headers=headers)).status_code == 201
    response = await client.post("/api/v1/products", json={**PRODUCT, "sku": "OTHER"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    other_path = await client.post("/api/v1/customers", json=PRODUCT, headers=headers)
    assert other_path.json()["error"]["code"] == "idempotency_conflict"
    assert len((await client.get("/api/v1/products")).json()["items"]) == 1


async def test_failed_request_is_not_remembered(client: httpx2.AsyncClient) -> None:
    """After a 422 the corrected request may reuse the key."""
    headers = {"Idempotency-Key": "key-2"}
    assert (
        await client.post("/api/v1/products", json={**PRODUCT, "price": "1"}, headers=headers)
    ).status_code == 422
    assert (await client.post("/api/v1/products", json=PRODUCT, headers=headers)).status_code == 201


async def test_key_must_be_visible_ascii(client: httpx2.AsyncClient) -> None:
    """A key with spaces or over 255 characters is a 422 on the header."""
    for key in ("has space", "x" * 256):
        response = await client.post("/api/v1/products", json=PRODUCT, headers={"Idempotency-Key": key})
        assert response.status_code == 422
        assert response.json()["error"]["fields"][0]["field"] == "Idempotency-Key"
