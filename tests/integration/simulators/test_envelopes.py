"""Shapes every client depends on: envelopes and their key order, fields, paging, sorting, errors."""

from __future__ import annotations

import httpx2
import pytest

from tests.integration.conftest import SimFactory, SimHandle
from tests.integration.simulators.conftest import ClientFactory

pytestmark = pytest.mark.e2e

ERROR_KEYS = ["status", "code", "message", "link", "developerMessage", "validationMessages", "requestId"]


@pytest.fixture
def seeded(tripletex_sim_factory: SimFactory, client_for: ClientFactory) -> httpx2.Client:
    """A client on a small seeded company (30 active customers, 10 products, 20 orders)."""
    return client_for(tripletex_sim_factory(seed=3, customers=30, products=10, orders=20))


def test_list_and_value_envelopes(seeded: httpx2.Client) -> None:
    """Lists are {fullResultSize, from, count, versionDigest, values}; single objects {value}."""
    page = seeded.get("/customer", params={"from": 5, "count": 10}).json()
    assert list(page) == ["fullResultSize", "from", "count", "versionDigest", "values"]
    assert (page["fullResultSize"], page["from"], page["count"]) == (30, 5, 10)
    assert page["versionDigest"] == "'If-None-Match' header not specified"
    one = seeded.get(f"/customer/{page['values'][0]['id']}").json()
    assert list(one) == ["value"]
    assert list(one["value"])[:6] == [
        "id",
        "version",
        "url",
        "name",
        "organizationNumber",
        "globalLocationNumber",
    ]


def test_urls_have_no_scheme_and_use_the_request_host(seeded: httpx2.Client) -> None:
    """``url`` is ``<host>/v2/<path>/<id>`` and references are {id, url} stubs."""
    customer = seeded.get("/customer", params={"count": 1}).json()["values"][0]
    host = seeded.base_url.netloc.decode()
    assert customer["url"] == f"{host}/v2/customer/{customer['id']}"
    assert customer["currency"] == {"id": 1, "url": f"{host}/v2/currency/1"}


def test_error_envelope_has_seven_keys_and_request_id(seeded: httpx2.Client) -> None:
    """Errors keep all seven keys (nulls too) and requestId equals the x-tlx-request-id header."""
    response = seeded.get("/customer/1")
    body = response.json()
    assert list(body) == ERROR_KEYS
    assert (response.status_code, body["code"], body["validationMessages"]) == (404, 6000, None)
    assert body["requestId"] == response.headers["x-tlx-request-id"]


def test_unknown_path_is_404_6000_and_wrong_method_400_4000(seeded: httpx2.Client) -> None:
    """An unknown path answers like a missing id; a wrong method on a real path is 400 code 4000."""
    unknown = seeded.get("/no/such/thing")
    wrong = seeded.patch("/customer", json={})
    assert (unknown.status_code, unknown.json()["code"]) == (404, 6000)
    assert (wrong.status_code, wrong.json()["code"], wrong.json()["message"]) == (
        400,
        4000,
        "HTTP 405 Method Not Allowed",
    )


def test_fields_nesting_and_strictness(seeded: httpx2.Client) -> None:
    """Nested selections expand; only named keys come back; unknown names are 400 code 11000."""
    values = seeded.get(
        "/customer", params={"count": 2, "fields": "name,postalAddress(city,country(isoAlpha2Code))"}
    ).json()["values"]
    assert all(list(v) == ["name", "postalAddress"] for v in values)
    assert values[0]["postalAddress"]["country"] == {"isoAlpha2Code": "NO"}
    bad = seeded.get("/customer", params={"fields": "id,postalAddress(nope)"})
    assert (bad.status_code, bad.json()["code"]) == (400, 11000)


def test_order_lines_expand_through_the_order(seeded: httpx2.Client) -> None:
    """``fields=*,orderLines(*)`` gives full lines where the default gives {id, url} stubs."""
    window: dict[str, str | int] = {"orderDateFrom": "2025-01-01", "orderDateTo": "2026-01-01", "count": 1}
    stub = seeded.get("/order", params=window).json()["values"][0]["orderLines"][0]
    full = seeded.get("/order", params={**window, "fields": "*,orderLines(*)"}).json()["values"][0]
    assert list(stub) == ["id", "url"]
    assert full["orderLines"][0]["order"]["id"] == full["id"]
    assert "amountIncludingVatCurrency" in full["orderLines"][0]


def test_paging_walks_every_row_once(seeded: httpx2.Client) -> None:
    """Pages of 7 sorted by id cover all rows without gaps or repeats."""
    seen: list[int] = []
    start = 0
    while True:
        page = seeded.get("/customer", params={"from": start, "count": 7, "fields": "id"}).json()
        seen += [v["id"] for v in page["values"]]
        if page["count"] < 7:
            break
        start += 7
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 30


def test_sorting(seeded: httpx2.Client) -> None:
    """``sorting=-id`` reverses; ``name`` sorts by name; an unknown key is 422 code 17000."""
    ids = [
        v["id"] for v in seeded.get("/customer", params={"sorting": "-id", "fields": "id"}).json()["values"]
    ]
    names = [
        v["name"]
        for v in seeded.get("/customer", params={"sorting": "name", "fields": "name"}).json()["values"]
    ]
    assert ids == sorted(ids, reverse=True)
    assert names == sorted(names)
    bad = seeded.get("/customer", params={"sorting": "shoeSize"})
    assert (bad.status_code, bad.json()["code"], bad.json()["validationMessages"]) == (422, 17000, [])


def test_if_none_match_gives_digest_and_304(seeded: httpx2.Client) -> None:
    """With If-None-Match the digest is real; sending it back answers 304 until something changes."""
    first = seeded.get("/customer", params={"fields": "id,version"}, headers={"If-None-Match": "x"})
    digest = first.json()["versionDigest"]
    assert digest and digest != "'If-None-Match' header not specified"
    again = seeded.get("/customer", params={"fields": "id,version"}, headers={"If-None-Match": digest})
    assert (again.status_code, again.content) == (304, b"")
    victim = first.json()["values"][0]
    assert seeded.put(f"/customer/{victim['id']}", json={"description": "endret"}).status_code == 200
    changed = seeded.get("/customer", params={"fields": "id,version"}, headers={"If-None-Match": digest})
    assert changed.status_code == 200 and changed.json()["versionDigest"] != digest


def test_bad_parameter_values(seeded: httpx2.Client) -> None:
    """Unconvertible parameters are 404 code 21000; unknown parameters are ignored."""
    bad = seeded.get("/customer", params={"isInactive": "maybe"})
    assert (bad.status_code, bad.json()["code"]) == (404, 21000)
    ignored = seeded.get("/customer", params={"colour": "blue"}).json()
    assert ignored["fullResultSize"] == 30


def test_result_set_over_10000_is_422_23000(
    tripletex_sim_factory: SimFactory, client_for: ClientFactory
) -> None:
    """A query matching more than 10,000 rows is refused whatever ``count`` says; id filters split it."""
    api = client_for(tripletex_sim_factory(seed=1, customers=10_600, products=0, orders=0))
    response = api.get("/customer", params={"fields": "id", "count": 10})
    body = response.json()
    assert (response.status_code, body["code"]) == (422, 23000)
    assert body["message"] == "Result set too large. Limit of 10.000 reached."
    block = ",".join(str(108_000_001 + i) for i in range(5000))
    part = api.get("/customer", params={"id": block, "fields": "id", "count": 1}).json()
    assert 0 < part["fullResultSize"] <= 5000


def test_reference_data(seeded: httpx2.Client) -> None:
    """VAT types, currencies and countries a Norwegian company has, with the real ids."""
    outgoing = seeded.get(
        "/ledger/vatType", params={"typeOfVat": "OUTGOING", "fields": "id,number,percentage"}
    )
    vat = {v["id"]: (v["number"], v["percentage"]) for v in outgoing.json()["values"]}
    assert vat[3] == ("3", 25) and vat[31] == ("31", 15) and vat[32] == ("33", 12) and vat[5][1] == 0
    nok = seeded.get("/currency", params={"code": "NOK"}).json()["values"]
    norway = seeded.get("/country", params={"code": "NO"}).json()["values"]
    assert nok[0]["id"] == 1 and norway[0]["id"] == 161 and norway[0]["isoAlpha3Code"] == "NOR"
    assert seeded.get("/ledger/vatType/3").json()["value"]["name"] == "Utgående avgift, høy sats"
    assert seeded.get("/department").json()["fullResultSize"] >= 1
    assert seeded.get("/employee").json()["fullResultSize"] >= 1
    bad = seeded.get("/ledger/vatType", params={"typeOfVat": "SIDEWAYS"})
    assert (bad.status_code, bad.json()["code"]) == (404, 21000)


def test_every_answer_has_request_id_and_rate_headers(tripletex_sim: SimHandle) -> None:
    """Even a 401 carries x-tlx-request-id and the X-Rate-Limit-* headers."""
    response = httpx2.get(tripletex_sim.api_url + "/customer")
    for header in ("x-tlx-request-id", "x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"):
        assert header in response.headers
