"""The /_sim admin API and fault injection, in process."""

from __future__ import annotations

import httpx2
import pytest

from shopsync.simulators.webshop import WebshopApp
from tests.unit.webshop_sim.conftest import PRODUCT


async def test_fail_next_answers_5xx_before_any_work(client: httpx2.AsyncClient) -> None:
    """fail_next makes the next N API requests fail with the chosen status; nothing is created."""
    assert (await client.post("/_sim/faults", json={"fail_next": 2, "fail_status": 502})).status_code == 200
    for _ in range(2):
        response = await client.post("/api/v1/products", json=PRODUCT)
        assert response.status_code == 502
        assert response.json()["error"]["code"] == "internal"
    assert (await client.get("/api/v1/products")).json()["items"] == []
    stats = (await client.get("/_sim/stats")).json()
    assert stats["faults"] == {"fail": 2}
    assert stats["statuses"] == {"200": 1, "502": 2}


async def test_rate_limit_window_answers_429_with_retry_after(client: httpx2.AsyncClient) -> None:
    """rate_limit_for makes every API request a 429 with Retry-After; clearing ends it."""
    await client.post("/_sim/faults", json={"rate_limit_for": 30})
    response = await client.get("/api/v1/shop")
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 30
    assert response.json()["error"]["code"] == "rate_limited"
    assert (await client.get("/_sim/stats")).json()["rateLimited"] == 1
    assert (await client.delete("/_sim/faults")).json()["rate_limit_for"] == 0
    assert (await client.get("/api/v1/shop")).status_code == 200


async def test_dropped_write_is_committed(client: httpx2.AsyncClient) -> None:
    """drop_after_commit loses the answer of a successful write that is nevertheless stored."""
    await client.post("/_sim/faults", json={"drop_after_commit": 1})
    with pytest.raises(ConnectionResetError):
        await client.post("/api/v1/products", json=PRODUCT)
    items = (await client.get("/api/v1/products")).json()["items"]
    assert [p["sku"] for p in items] == [PRODUCT["sku"]]
    stats = (await client.get("/_sim/stats")).json()
    assert stats["faults"] == {"drop": 1}
    assert stats["writes"] == 1


async def test_unknown_fault_keys_are_rejected(client: httpx2.AsyncClient) -> None:
    """A typo in a fault name is a 422, not a silently ignored setting."""
    response = await client.post("/_sim/faults", json={"fail_nxt": 1})
    assert response.status_code == 422


async def test_reset_empties_and_reseeds(shop_app: WebshopApp, client: httpx2.AsyncClient) -> None:
    """Reset drops what tests created and the counters; an empty shop stays empty."""
    await client.post("/api/v1/products", json=PRODUCT)
    assert (await client.post("/_sim/reset")).json() == {
        "reset": True,
        "records": {"customers": 0, "products": 0, "orders": 0},
    }
    assert (await client.get("/api/v1/products")).json()["items"] == []
    assert (await client.get("/_sim/stats")).json()["requests"] == {"GET /api/v1/products": 1}


async def test_clock_can_be_frozen(client: httpx2.AsyncClient) -> None:
    """A frozen clock gives consecutive writes one updated_at; unfreezing lets time run."""
    frozen = await client.post("/_sim/clock", json={"freeze": "2031-05-17T12:00:00+02:00"})
    assert frozen.json() == {"frozen": True, "now": "2031-05-17T10:00:00.000000+00:00"}
    a = (await client.post("/api/v1/products", json=PRODUCT)).json()
    b = (await client.post("/api/v1/products", json={**PRODUCT, "sku": "B"})).json()
    assert a["updated_at"] == b["updated_at"] == "2031-05-17T10:00:00.000000+00:00"
    assert (await client.post("/_sim/clock", json={"freeze": None})).json()["frozen"] is False
    assert (await client.post("/_sim/clock", json={"freeze": "tomorrow"})).status_code == 422
