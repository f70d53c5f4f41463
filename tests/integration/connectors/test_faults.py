"""The connector against the reference webshop's injected faults, over real sockets.

Requests are counted on the client side (a counting wrapper around the real socket transport), so the
tests depend only on the shop's fault knobs, not on the layout of its statistics.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx2
import pytest

from shopsync.connectors.webshop import (
    PreconditionFailed,
    Product,
    RateLimited,
    Unauthorized,
    WebshopConnector,
)
from tests.fixtures.webshop import WebshopFactory

from .conftest import admin, contract_config

pytestmark = pytest.mark.e2e


class CountingTransport(httpx2.AsyncHTTPTransport):
    """The real socket transport, counting answers by (method, status) and failures by exception name."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.seen: Counter[tuple[str, int | str]] = Counter()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            response = await super().handle_async_request(request)
        except httpx2.TransportError as exc:
            self.seen[(request.method, type(exc).__name__)] += 1
            raise
        self.seen[(request.method, response.status_code)] += 1
        return response


NEW = {"sku": "DROP-1", "name": "Kaffekopp", "price": "89.50", "currency": "NOK", "vat_rate": "25.00"}


async def test_a_create_whose_answer_is_dropped_yields_one_record(
    webshop_sim_factory: WebshopFactory,
) -> None:
    """The shop commits and drops the connection; the retry with the same key replays: one product."""
    handle = webshop_sim_factory()
    admin(handle, "/_sim/faults", {"drop_after_commit": 1})
    transport = CountingTransport()
    async with WebshopConnector(contract_config(handle), transport=transport) as connector:
        created = await connector.create("products", NEW)
        found = await connector.find("products", sku="DROP-1")
    assert [p.id for p in found] == [created.id]
    posts = {k: v for k, v in transport.seen.items() if k[0] == "POST"}
    assert posts == {("POST", "RemoteProtocolError"): 1, ("POST", 201): 1}


async def test_a_patch_whose_answer_is_dropped_then_412s_asks_for_a_re_read(
    webshop_sim_factory: WebshopFactory,
) -> None:
    """Our first PATCH committed unseen; the retry's 412 is flagged ``after_retry``; a re-read shows it."""
    handle = webshop_sim_factory()
    async with WebshopConnector(contract_config(handle)) as connector:
        product = await connector.create("products", NEW)
        assert product.id is not None and product.version is not None
        admin(handle, "/_sim/faults", {"drop_after_commit": 1})
        with pytest.raises(PreconditionFailed) as info:
            await connector.update("products", product.id, {"price": "95.00"}, if_match=product.version)
        assert info.value.after_retry
        current = await connector.get("products", product.id)
    assert isinstance(current, Product) and current.price == 95 and current.version == product.version + 1


async def test_server_errors_are_survived_on_reads_and_conditional_writes(
    webshop_sim_factory: WebshopFactory,
) -> None:
    """Injected 5xx answers (before any work) are retried for GETs and If-Match PATCHes alike."""
    handle = webshop_sim_factory()
    transport = CountingTransport()
    async with WebshopConnector(contract_config(handle), transport=transport) as connector:
        admin(handle, "/_sim/faults", {"fail_next": 3, "fail_status": 503})
        product = await connector.get("products", "2001")
        assert product.id is not None and product.version is not None
        admin(handle, "/_sim/faults", {"fail_next": 2, "fail_status": 500})
        updated = await connector.update(
            "products", product.id, {"stock_quantity": 77}, if_match=product.version
        )
    assert isinstance(updated, Product) and updated.stock_quantity == 77
    assert transport.seen == {("GET", 503): 3, ("GET", 200): 1, ("PATCH", 500): 2, ("PATCH", 200): 1}


async def test_a_rate_limit_is_waited_out(webshop_sim_factory: WebshopFactory) -> None:
    """A 429 window with Retry-After is honoured and the request then succeeds."""
    handle = webshop_sim_factory()
    transport = CountingTransport()
    async with WebshopConnector(contract_config(handle), transport=transport) as connector:
        admin(handle, "/_sim/faults", {"rate_limit_for": 1})
        pages = [page async for page in connector.changes("customers", None)]
    assert sum(len(p.items) for p in pages) == 20
    assert transport.seen[("GET", 429)] >= 1 and transport.seen[("GET", 200)] == 1


async def test_a_rate_limit_longer_than_allowed_goes_to_the_caller(
    webshop_sim_factory: WebshopFactory,
) -> None:
    """Beyond ``max_retry_after`` the connector does not sleep: the caller gets RateLimited with the delay."""
    handle = webshop_sim_factory()
    config = contract_config(handle, retry={"attempts": 3, "max_retry_after": 1})
    async with WebshopConnector(config) as connector:
        admin(handle, "/_sim/faults", {"rate_limit_for": 30})
        with pytest.raises(RateLimited) as info:
            await connector.get("products", "2001")
    assert info.value.retry_after is not None and info.value.retry_after > 1


async def test_a_wrong_token_is_unauthorized(webshop_sim_factory: WebshopFactory) -> None:
    """401 surfaces as Unauthorized, without the token in the message."""
    handle = webshop_sim_factory()
    config = contract_config(handle, auth={"token": "wrong-token-123456"})
    async with WebshopConnector(config) as connector:
        with pytest.raises(Unauthorized) as info:
            await connector.get("products", "2001")
    assert "wrong-token-123456" not in str(info.value)
