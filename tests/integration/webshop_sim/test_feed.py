"""The change feed over a real socket: exactly once across pages, tombstones, resumption."""

from __future__ import annotations

from typing import Any

import httpx2

from tests.fixtures.webshop import WebshopFactory, WebshopHandle

PRODUCT = {"name": "Vare", "price": "10.00", "vat_rate": "25.00"}


def _read_feed(
    client: httpx2.Client, resource: str, limit: int, **params: str
) -> tuple[list[dict[str, Any]], str | None]:
    """Follow next_cursor to the end; returns the items and the cursor of the last page."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": limit, **params}
    last_cursor = query.get("cursor")
    while True:
        page = client.get(f"/{resource}", params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        if body["next_cursor"] is None:
            return items, last_cursor
        last_cursor = body["next_cursor"]
        query = {"limit": limit, "cursor": last_cursor}


def _client(shop: WebshopHandle) -> httpx2.Client:
    return httpx2.Client(base_url=shop.api_url, headers=shop.headers)


def test_500_records_sharing_one_updated_at_come_back_exactly_once(
    webshop_sim_factory: WebshopFactory,
) -> None:
    """500 products written at one frozen instant are paged (limit 37) with no gap and no repeat."""
    shop = webshop_sim_factory(seed=None)
    with _client(shop) as client:
        frozen = httpx2.post(f"{shop.url}/_sim/clock", json={"freeze": "2031-01-01T12:00:00Z"}).json()
        created = [client.post("/products", json={**PRODUCT, "sku": f"BULK-{n}"}).json() for n in range(500)]
        assert {p["updated_at"] for p in created} == {frozen["now"]}
        items, _ = _read_feed(client, "products", 37, updated_since="2031-01-01T12:00:00Z")
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == 500
    assert ids == [p["id"] for p in created]


def test_changes_during_paging_are_not_lost(webshop_sim_factory: WebshopFactory) -> None:
    """A record changed while a reader is between pages shows up again later, never skipped."""
    shop = webshop_sim_factory(seed=None)
    with _client(shop) as client:
        created = [client.post("/products", json={**PRODUCT, "sku": f"P-{n}"}).json() for n in range(6)]
        first = client.get("/products", params={"limit": 3}).json()
        assert [i["id"] for i in first["items"]] == [p["id"] for p in created[:3]]
        client.patch(f"/products/{created[0]['id']}", json={"price": "99.00"})  # moves to the end
        rest, _ = _read_feed(client, "products", 3, cursor=first["next_cursor"])
    assert [i["id"] for i in rest] == [p["id"] for p in created[3:]] + [created[0]["id"]]
    assert rest[-1]["price"] == "99.00"


def test_tombstones_and_resuming_from_the_last_cursor(webshop_sim_factory: WebshopFactory) -> None:
    """Deletions appear as tombstones after the stored position; the seeded shop's data stays intact."""
    shop = webshop_sim_factory()
    with _client(shop) as client:
        everything, last_cursor = _read_feed(client, "customers", 7)
        assert len(everything) == shop.config.customers
        assert last_cursor is not None
        newest = client.post(
            "/customers",
            json={
                "type": "private",
                "first_name": "Ny",
                "last_name": "Kunde",
                "email": "ny@example.no",
                "billing_address": {
                    "line1": "Vei 1",
                    "postal_code": "5003",
                    "city": "Bergen",
                    "country": "NO",
                },
            },
        ).json()
        assert client.delete(f"/customers/{newest['id']}").status_code == 204
        resumed, _ = _read_feed(client, "customers", 7, cursor=last_cursor)
        known = {(item["id"], item.get("version")) for item in everything}
        fresh = [item for item in resumed if (item["id"], item.get("version")) not in known]
        assert fresh == [{"id": newest["id"], "deleted": True, "updated_at": fresh[0]["updated_at"]}]
        assert fresh[0]["updated_at"] >= newest["updated_at"]
        assert client.get(f"/customers/{newest['id']}").status_code == 404
