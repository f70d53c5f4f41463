"""Fault injection over a real socket: 429 windows with Retry-After, 5xx, and the request statistics."""

from __future__ import annotations

import httpx2

from tests.fixtures.webshop import WebshopFactory


def test_rate_limit_window_sends_retry_after(webshop_sim_factory: WebshopFactory) -> None:
    """During a forced 429 window every API call gets Retry-After; admin calls still work."""
    shop = webshop_sim_factory()
    with httpx2.Client(base_url=shop.api_url, headers=shop.headers) as client:
        httpx2.post(f"{shop.url}/_sim/faults", json={"rate_limit_for": 20})
        for path in ("/customers", "/products/2001", "/shop"):
            response = client.get(path)
            assert response.status_code == 429
            assert 1 <= int(response.headers["retry-after"]) <= 20
        assert httpx2.get(f"{shop.url}/").status_code == 200
        httpx2.delete(f"{shop.url}/_sim/faults")
        assert client.get("/shop").status_code == 200
    stats = httpx2.get(f"{shop.url}/_sim/stats").json()
    assert stats["rateLimited"] == 3
    assert stats["requests"]["GET /api/v1/products/{id}"] == 1
    assert stats["statuses"] == {"200": 1, "429": 3}


def test_fail_rate_one_fails_every_api_request(webshop_sim_factory: WebshopFactory) -> None:
    """--fail-rate 1.0 answers every API request 503 in the contract's error format, before any work."""
    shop = webshop_sim_factory(fail_rate=1.0)
    with httpx2.Client(base_url=shop.api_url, headers=shop.headers) as client:
        response = client.post(
            "/products", json={"sku": "A", "name": "A", "price": "1.00", "vat_rate": "25.00"}
        )
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "internal"
        httpx2.post(f"{shop.url}/_sim/faults", json={"fail_rate": 0.0})
        assert client.get("/products", params={"sku": "A"}).json()["items"] == []
    assert httpx2.get(f"{shop.url}/_sim/stats").json()["faults"] == {"random_fail": 1}


def test_fail_next_then_recovery(webshop_sim_factory: WebshopFactory) -> None:
    """fail_next N fails exactly the next N API requests."""
    shop = webshop_sim_factory()
    httpx2.post(f"{shop.url}/_sim/faults", json={"fail_next": 2, "fail_status": 500})
    with httpx2.Client(base_url=shop.api_url, headers=shop.headers) as client:
        assert [client.get("/shop").status_code for _ in range(3)] == [500, 500, 200]
