"""Customers, products, orders and lines over a real socket: defaults, rules, filters, batch writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx2
import pytest

pytestmark = pytest.mark.e2e


def ok(response: httpx2.Response, status: int = 200) -> Any:
    """The JSON body of an answer that must have ``status``."""
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def error(response: httpx2.Response, status: int, code: int) -> dict[str, Any]:
    """The error body of an answer that must have ``status`` and ``code``."""
    body: dict[str, Any] = response.json()
    assert (response.status_code, body["code"]) == (status, code), response.text
    return body


def new_customer(api: httpx2.Client, **body: Any) -> dict[str, Any]:
    value: dict[str, Any] = ok(api.post("/customer", json={"name": "Fjord AS", **body}), 201)["value"]
    return value


def test_customer_creation_defaults(api: httpx2.Client) -> None:
    """Addresses always exist (Norway), number from 10001, displayName, NOK, NO, 14 days, version 1."""
    c = new_customer(api)
    assert (c["version"], c["customerNumber"], c["displayName"]) == (1, 10001, "Fjord AS (10001)")
    assert (c["currency"]["id"], c["language"], c["invoicesDueIn"], c["isCustomer"]) == (1, "NO", 14, True)
    full = ok(api.get(f"/customer/{c['id']}", params={"fields": "postalAddress(*),physicalAddress(*)"}))[
        "value"
    ]
    assert full["postalAddress"]["country"]["id"] == 161 and full["physicalAddress"]["id"]
    assert new_customer(api, name="Neste AS")["customerNumber"] == 10002


def test_read_only_fields_are_ignored_on_write(api: httpx2.Client) -> None:
    """isCustomer / url / changes sent in a PUT change nothing and raise no error."""
    c = new_customer(api)
    body = {"isCustomer": False, "url": "evil", "changes": [], "version": c["version"]}
    after = ok(api.put(f"/customer/{c['id']}", json=body))["value"]
    assert (after["isCustomer"], after["version"]) == (True, 1)


def test_update_conflict_and_validation(api: httpx2.Client) -> None:
    """Stale version: 409 8000; bad input: 422 18000 with a field message; missing id: 404 6000."""
    c = new_customer(api)
    ok(api.put(f"/customer/{c['id']}", json={"version": 1, "email": "post@fjord.no"}))
    error(api.put(f"/customer/{c['id']}", json={"version": 1, "email": "x@fjord.no"}), 409, 8000)
    body = error(api.put(f"/customer/{c['id']}", json={"email": "not an address"}), 422, 18000)
    assert body["validationMessages"][0]["field"] == "email"
    error(api.put("/customer/1", json={"name": "x"}), 404, 6000)
    error(api.post("/customer", json={"name": "X", "shoeSize": 44}), 422, 16000)


def test_batch_create_and_update(api: httpx2.Client) -> None:
    """POST /customer/list answers 201 with fullResultSize 0; one bad item fails the whole call."""
    created = ok(api.post("/customer/list", json=[{"name": f"Kunde {i}"} for i in range(3)]), 201)
    assert (created["fullResultSize"], created["count"], created["versionDigest"]) == (0, 3, None)
    bad = error(api.post("/customer/list", json=[{"name": "Ok"}, {"email": "a@b.no"}]), 422, 18000)
    assert bad["validationMessages"][0]["path"] == "[1].name"
    assert ok(api.get("/customer"))["fullResultSize"] == 3
    items = [{"id": v["id"], "version": v["version"], "phoneNumber": "22222222"} for v in created["values"]]
    updated = ok(api.put("/customer/list", json=items))["values"]
    assert [v["version"] for v in updated] == [2, 2, 2]
    error(api.put("/customer/list", json=[{"name": "no id"}]), 422, 18000)


def test_customer_filters(api: httpx2.Client) -> None:
    """Exact filters, containing name, id lists, and inactive customers hidden unless asked for."""
    a = new_customer(api, name="Alfa AS", organizationNumber="923609016", email="post@alfa.no")
    b = new_customer(api, name="Beta AS", isInactive=True)

    def find(**params: str) -> list[int]:
        return [v["id"] for v in ok(api.get("/customer", params={**params, "fields": "id"}))["values"]]

    assert find(organizationNumber="923609016") == [a["id"]]
    assert find(email="post@alfa.no") == [a["id"]]
    assert find(customerName="alfa") == [a["id"]]
    assert find() == [a["id"]]
    assert find(isInactive="true") == [b["id"]]
    assert find(id=f"{a['id']},{b['id']}", isInactive="true") == [b["id"]]
    assert find(customerAccountNumber=str(a["customerNumber"])) == [a["id"]]


def test_changed_since(api: httpx2.Client) -> None:
    """``changedSince`` returns what changed at or after the moment; the ``changes`` log records it."""
    a = new_customer(api, name="Gammel AS")
    b = new_customer(api, name="Ny AS")
    stamps = ok(api.get(f"/customer/{b['id']}", params={"fields": "changes"}))["value"]["changes"]
    assert stamps[0]["changeType"] == "CREATE"
    since = stamps[0]["timestamp"]  # second precision, Oslo offset: includes b, maybe a
    found = [
        v["id"] for v in ok(api.get("/customer", params={"changedSince": since, "fields": "id"}))["values"]
    ]
    assert b["id"] in found
    later = ok(api.get("/customer", params={"changedSince": "2999-01-01", "fields": "id"}))
    assert later["fullResultSize"] == 0 and a["id"]


def test_delete_rules(api: httpx2.Client) -> None:
    """A customer with orders cannot be deleted (422); an unused one can (204), then it is gone."""
    used = new_customer(api)
    ok(
        api.post(
            "/order",
            json={"customer": {"id": used["id"]}, "orderDate": "2026-01-05", "deliveryDate": "2026-01-05"},
        ),
        201,
    )
    error(api.delete(f"/customer/{used['id']}"), 422, 18000)
    free = new_customer(api, name="Ledig AS")
    assert api.delete(f"/customer/{free['id']}").status_code == 204
    error(api.get(f"/customer/{free['id']}"), 404, 6000)


def test_product_rules_and_prices(api: httpx2.Client) -> None:
    """Version 0, VAT default 25 %, incl. price computed, duplicate number/name 422, exact echo."""
    p = ok(
        api.post(
            "/product", json={"name": "Kaffe 500 g", "number": "K-1", "priceExcludingVatCurrency": 100.00}
        ),
        201,
    )
    value = p["value"]
    assert (value["version"], value["vatType"]["id"], value["priceIncludingVatCurrency"]) == (0, 3, 125)
    assert Decimal(str(value["priceExcludingVatCurrency"])) == Decimal(100)
    dup = error(api.post("/product", json={"name": "Annen", "number": "K-1"}), 422, 18000)
    assert dup["validationMessages"][0]["message"] == "Produktnummeret K-1 er i bruk."
    error(api.post("/product", json={"name": "Kaffe 500 g"}), 422, 18000)
    food = ok(api.put(f"/product/{value['id']}", json={"vatType": {"id": 31}}))["value"]
    assert (food["priceIncludingVatCurrency"], food["version"]) == (115, 1)
    error(api.post("/product", json={"name": "Inn", "vatType": {"id": 1}}), 422, 18000)


def test_product_filters(api: httpx2.Client) -> None:
    """productNumber list, name containing, vatTypeId, price range (from inclusive, to exclusive)."""
    items = [
        {"name": "Ullgenser", "number": "U-1", "priceExcludingVatCurrency": 500},
        {"name": "Ullsokker", "number": "U-2", "priceExcludingVatCurrency": 100},
        {"name": "Brunost", "number": "B-1", "priceExcludingVatCurrency": 80, "vatType": {"id": 31}},
    ]
    ok(api.post("/product/list", json=items), 201)

    def names(**params: str | list[str]) -> list[str]:
        return sorted(
            v["name"] for v in ok(api.get("/product", params={**params, "fields": "name"}))["values"]
        )

    assert names(productNumber=["U-1", "B-1"]) == ["Brunost", "Ullgenser"]
    assert names(name="ull") == ["Ullgenser", "Ullsokker"]
    assert names(vatTypeId="31") == ["Brunost"]
    assert names(priceExcludingVatCurrencyFrom="100", priceExcludingVatCurrencyTo="500") == ["Ullsokker"]


def test_order_date_window_is_required(api: httpx2.Client) -> None:
    """No dates: 422 15000 with one message per missing date; an empty window is refused too."""
    body = error(api.get("/order"), 422, 15000)
    assert [m["field"] for m in body["validationMessages"]] == ["orderDateFrom", "orderDateTo"]
    error(api.get("/order", params={"orderDateFrom": "2026-01-01", "orderDateTo": "2026-01-01"}), 422, 15000)


def test_order_with_lines_and_window_edges(api: httpx2.Client) -> None:
    """Embedded lines come back as stubs, amounts are computed, orderDateTo is exclusive."""
    c = new_customer(api)
    p = ok(api.post("/product", json={"name": "Lue", "priceExcludingVatCurrency": 200}), 201)["value"]
    lines = [
        {"product": {"id": p["id"]}, "count": 2, "discount": 10},
        {"description": "Frakt", "unitPriceIncludingVatCurrency": 99, "vatType": {"id": 3}},
    ]
    order = {
        "customer": {"id": c["id"]},
        "orderDate": "2026-03-01",
        "deliveryDate": "2026-03-02",
        "orderLines": lines,
    }
    o = ok(api.post("/order", json=order), 201)["value"]
    assert o["version"] == 0 and all(list(s) == ["id", "url"] for s in o["orderLines"])
    first = ok(api.get(f"/order/orderline/{o['orderLines'][0]['id']}"))["value"]
    assert (first["amountExcludingVatCurrency"], first["amountIncludingVatCurrency"], first["version"]) == (
        360,
        450,
        1,
    )
    freight = ok(api.get(f"/order/orderline/{o['orderLines'][1]['id']}"))["value"]
    assert freight["unitPriceExcludingVatCurrency"] == 79.2

    def ids(start: str, end: str) -> list[int]:
        window = {"orderDateFrom": start, "orderDateTo": end}
        return [v["id"] for v in ok(api.get("/order", params=window))["values"]]

    assert ids("2026-03-01", "2026-03-02") == [o["id"]]
    assert ids("2026-02-01", "2026-03-01") == []


def test_order_lines_endpoints_and_replacement(api: httpx2.Client) -> None:
    """Lines via /order/orderline bump the order; updateLinesAndGroups replaces the line set."""
    c = new_customer(api)
    base = {"customer": {"id": c["id"]}, "orderDate": "2026-03-01", "deliveryDate": "2026-03-01"}
    o = ok(api.post("/order", json={**base, "orderLines": [{"description": "A", "count": 1}]}), 201)["value"]
    error(api.post("/order/orderline", json={"description": "x"}), 422, 18000)
    added = ok(api.post("/order/orderline/list", json=[{"order": {"id": o["id"]}, "description": "B"}]), 201)
    assert added["count"] == 1
    after_add = ok(api.get(f"/order/{o['id']}"))["value"]
    assert after_add["version"] == 1 and len(after_add["orderLines"]) == 2
    keep = after_add["orderLines"][1]["id"]
    body = {"orderLines": [{"id": keep, "count": 5}, {"description": "C", "count": 1}]}
    ignored = ok(api.put(f"/order/{o['id']}", json=body))["value"]
    assert len(ignored["orderLines"]) == 2 and ignored["version"] == 1
    replaced = ok(api.put(f"/order/{o['id']}", params={"updateLinesAndGroups": "true"}, json=body))["value"]
    assert len(replaced["orderLines"]) == 2 and replaced["orderLines"][0]["id"] == keep
    assert replaced["version"] == 2
    assert ok(api.get(f"/order/orderline/{keep}"))["value"]["count"] == 5
    assert api.delete(f"/order/orderline/{keep}").status_code == 204
    assert ok(api.get(f"/order/{o['id']}"))["value"]["version"] == 3
    assert api.delete(f"/order/{o['id']}").status_code == 204
    error(api.get(f"/order/{o['id']}"), 404, 6000)


def test_order_batch_limit(api: httpx2.Client) -> None:
    """POST /order/list accepts 100 orders and refuses 101."""
    c = new_customer(api)
    one = {"customer": {"id": c["id"]}, "orderDate": "2026-03-01", "deliveryDate": "2026-03-01"}
    assert ok(api.post("/order/list", json=[one] * 100), 201)["count"] == 100
    error(api.post("/order/list", json=[one] * 101), 422, 18000)
