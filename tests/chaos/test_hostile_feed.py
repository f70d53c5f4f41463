"""What the fuzz run relies on, each on its own over a real socket: the shop's raw-insert test tool,
a malformed record never failing its feed page (the connector hands it over as rejected, naming the
field), and a 429 storm never using up the connector's retry attempts.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import httpx2
import pytest

from shopsync.connectors.webshop import Rejected, WebshopAPIConfig, WebshopConnector
from tests.fixtures.webshop import WebshopFactory, WebshopHandle

from .fuzz import ADDRESS

pytestmark = pytest.mark.e2e

GOOD = {"type": "private", "first_name": "Kari", "last_name": "Nordmann", "billing_address": ADDRESS}


def _raw(handle: WebshopHandle, resource: str, body: Any) -> httpx2.Response:
    # ensure_ascii: lone surrogates travel as JSON escapes, the only way they can
    return httpx2.post(
        f"{handle.url}/_sim/raw/{resource}",
        content=json.dumps(body),
        headers={"content-type": "application/json"},
        timeout=10,
    )


def _config(handle: WebshopHandle, **retry: Any) -> WebshopAPIConfig:
    return WebshopAPIConfig.model_validate(
        {
            "base_url": handle.url,
            "auth": {"token": handle.token},
            "pacing": {"requests_per_second": 2000},
            "retry": {"wait_initial": 0.01, "wait_max": 0.05, "wait_jitter": 0.0, **retry},
        }
    )


def test_raw_records_are_stored_unvalidated_and_served_verbatim(webshop_sim_factory: WebshopFactory) -> None:
    """``POST /_sim/raw``: ids and versions assigned, the rest as sent (a lone surrogate included, as a
    JSON escape); the feed and GET serve it; a body that is not an object (or a list of them) is 422."""
    handle = webshop_sim_factory(customers=0, products=0, orders=0)
    docs = [{**GOOD, "email": 42, "first_name": "A\ud800B"}, {"anything": [1, 2]}]
    response = _raw(handle, "customers", docs)
    assert response.status_code == 200, response.text
    first, second = response.json()["ids"]
    feed = httpx2.get(f"{handle.api_url}/customers", headers=handle.headers, timeout=10)
    assert '"A\\ud800B"' in feed.text  # escaped: the answer is valid UTF-8 JSON
    items = {item["id"]: item for item in feed.json()["items"]}
    assert items[first]["email"] == 42 and items[first]["first_name"] == "A\ud800B"
    assert items[first]["version"] == 1 and "updated_at" in items[first]
    assert items[second]["anything"] == [1, 2]
    one = httpx2.get(f"{handle.api_url}/customers/{second}", headers=handle.headers, timeout=10)
    assert one.json()["anything"] == [1, 2]
    for bad in ([], [1], "x", 3):
        assert _raw(handle, "customers", bad).status_code == 422
    assert _raw(handle, "invoices", {}).status_code == 422


async def test_a_malformed_record_is_rejected_alone_and_names_its_field(
    webshop_sim_factory: WebshopFactory,
) -> None:
    """Good and bad records on the same feed pages: every good one arrives, each bad one comes back as
    ``Rejected`` with its id and the contract field at fault; the feed never fails."""
    handle = webshop_sim_factory(customers=6, products=0, orders=0)
    bad = {
        "billing_address.city": {**GOOD, "email": "a@b.no", "billing_address": {**ADDRESS, "city": ["Oslo"]}},
        "email": {**GOOD, "email": None},
        "last_name": {**GOOD, "email": "c@d.no", "last_name": "Nord\x00mann"},
        "first_name": {**GOOD, "email": "e@f.no", "first_name": "K\udfffari"},
        "company_name": {**GOOD, "email": "g@h.no", "company_name": "x" * 201},
        "updated_at": {"deleted": True, "updated_at": "yesterday"},  # a tombstone without a time
    }
    ids = dict(zip(_raw(handle, "customers", list(bad.values())).json()["ids"], bad, strict=True))
    async with WebshopConnector(_config(handle)) as shop:
        pages = [page async for page in shop.changes("customers", None)]
    rejected: list[Rejected] = [r for page in pages for r in page.rejected]
    assert sum(len(page.items) for page in pages) == 6
    assert {r.id: r.field for r in rejected} == ids
    assert all(r.field and r.field in r.error for r in rejected)


async def test_a_429_storm_does_not_use_up_the_retry_attempts(webshop_sim_factory: WebshopFactory) -> None:
    """With a single attempt allowed, a read during a 429 window still succeeds: a 429 means the shop
    did nothing, so it is waited out (within the call's timeout), not counted as a failure."""
    handle = webshop_sim_factory(customers=3, products=0, orders=0)
    seen: Counter[int] = Counter()

    async def count(response: httpx2.Response) -> None:
        seen[response.status_code] += 1

    httpx2.post(f"{handle.url}/_sim/faults", json={"rate_limit_for": 1}, timeout=10).raise_for_status()
    async with WebshopConnector(_config(handle, attempts=1)) as shop:
        shop._http._client.event_hooks["response"].append(count)
        customers = [item async for page in shop.changes("customers", None) for item in page.items]
    assert len(customers) == 3
    assert seen[429] >= 1 and seen[200] == 1
