"""The WooCommerce preset against the fake WooCommerce over a real socket: its particular traps."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx2
import pytest

from shopsync.connectors.webshop import Conflict, NotFound, Order, Product, WebshopConnector

from .conftest import WOO_KEY, WOO_SECRET, WooHandle, woo_config

pytestmark = pytest.mark.e2e


class RecordingTransport(httpx2.AsyncHTTPTransport):
    """The real socket transport, keeping every request URL."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.urls: list[httpx2.URL] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.urls.append(request.url)
        return await super().handle_async_request(request)


async def test_query_key_auth_with_link_header_paging(woo_factory: Callable[[], WooHandle]) -> None:
    """Consumer key/secret in the query and the Link header for paging: every id once, credentials once."""
    woo = woo_factory()
    for n in range(7):
        woo.store.save_product({"sku": f"L{n}", "name": "p", "regular_price": "1"})
    config = woo_config(
        woo.url,
        auth={"style": "query", "query_params": {"consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET}},
        pagination={"style": "link", "page_size": 3},
    )
    transport = RecordingTransport()
    async with WebshopConnector(config, transport=transport) as connector:
        ids = await connector.all_ids("products")
    assert ids == {str(i) for i in woo.store.records["products"]}
    assert len(transport.urls) == 4  # 11 products, pages of 3
    assert all(url.params.get_list("consumer_secret") == [WOO_SECRET] for url in transport.urls)
    assert [url.params.get("_fields") for url in transport.urls] == ["id"] * 4


async def test_woocommerce_error_codes_become_contract_errors(woo_factory: Callable[[], WooHandle]) -> None:
    """A duplicate SKU or e-mail (400 in WooCommerce) is a Conflict; an unknown id a NotFound."""
    woo = woo_factory()
    async with WebshopConnector(woo_config(woo.url)) as connector:
        with pytest.raises(Conflict):
            await connector.create(
                "products",
                {"sku": "KOPP-01", "name": "x", "price": "1.00", "currency": "NOK", "vat_rate": "25.00"},
            )
        with pytest.raises(Conflict):
            await connector.create(
                "customers",
                {
                    "email": "kari@example.no",
                    "billing_address": {"line1": "a", "postal_code": "0155", "city": "Oslo", "country": "NO"},
                },
            )
        with pytest.raises(NotFound):
            await connector.update("products", "99999", {"name": "x"})
        with pytest.raises(NotFound):
            await connector.delete("orders", "99999")


async def test_tax_classes_guest_orders_and_broken_records(woo_factory: Callable[[], WooHandle]) -> None:
    """Tax classes read as rates, a guest order has no customer, a record of an unknown class is rejected."""
    woo = woo_factory()
    woo.store.save_order({"status": "on-hold", "line_items": [{"product_id": 10, "quantity": 1}]})  # a guest
    woo.store.save_product({"sku": "ODD-1", "name": "odd", "regular_price": "5"})
    woo.store.tax_rates["luxury"] = Decimal("30")
    lux = woo.store.save_product({"sku": "LUX-1", "name": "lux", "regular_price": "5", "tax_class": "luxury"})
    async with WebshopConnector(woo_config(woo.url)) as connector:
        products = [p async for p in connector.changes("products", None)]
        orders = [p async for p in connector.changes("orders", None)]
    rates = {i.sku: i.vat_rate for page in products for i in page.items if isinstance(i, Product)}
    assert rates["KAFFE-500"] == Decimal("15.00") and rates["BOK-42"] == 0 and rates["KOPP-01"] == 25
    assert [r.id for page in products for r in page.rejected] == [str(lux["id"])]
    guest = [o for page in orders for o in page.items if isinstance(o, Order) and o.customer_id is None]
    assert len(guest) == 1 and guest[0].status == "pending"
    assert guest[0].lines[0].unit_price == Decimal("129.00")  # the product's price incl. VAT
