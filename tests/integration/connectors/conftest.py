"""Shops on real sockets behind the connector: the reference webshop (contract) and the fake WooCommerce.

``shop`` is parametrised over both, so one test function proves the same behaviour through the same
``Connector`` interface whatever the shop's API looks like. ``ShopUnderTest`` adds what tests need
beyond the protocol: freezing the shop's clock and valid records for that shop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2
import pytest

from shopsync.connectors.webshop import Record, WebshopAPIConfig, WebshopConnector, load_preset
from shopsync.simulators.serve import serve_in_thread
from shopsync.simulators.woocommerce import WooClock, WooStore, create_app, seed
from tests.fixtures.webshop import WebshopFactory, WebshopHandle

#: Fast retries for tests; real waits stay (Retry-After is honoured).
FAST: dict[str, Any] = {
    "retry": {"attempts": 5, "wait_initial": 0.01, "wait_max": 0.05, "wait_jitter": 0.0},
    "pacing": {"requests_per_second": 2000},
}
WOO_KEY, WOO_SECRET = "ck_int_3f9a1c", "cs_int_77b2e0"


@dataclass
class ShopUnderTest:
    """One running shop, a connector to it, and the shop-specific knobs tests need."""

    kind: Literal["contract", "woocommerce"]
    url: str
    connector: WebshopConnector
    freeze: Callable[[dt.datetime | None], None]
    extras: dict[str, Any] = field(default_factory=dict)

    def product(self, sku: str, **extra: Any) -> dict[str, Any]:
        """A valid new product (contract shape)."""
        return {
            "sku": sku,
            "name": f"Produkt {sku}",
            "description": "",
            "price": "199.00",
            "currency": "NOK",
            "vat_rate": "25.00",
            "active": True,
            "stock_quantity": 5,
            **extra,
        }

    def customer(self, email: str, **extra: Any) -> dict[str, Any]:
        """A valid new private customer with billing and shipping addresses."""
        return {
            "type": "private",
            "first_name": "Kari",
            "last_name": "Nordmann",
            "email": email,
            "phone": "+4722000000",
            "language": "nb",
            "billing_address": {
                "line1": "Storgata 1",
                "line2": "H0101",
                "postal_code": "0155",
                "city": "Oslo",
                "country": "NO",
            },
            "shipping_address": {
                "line1": "Lagerveien 2",
                "line2": None,
                "postal_code": "0580",
                "city": "Oslo",
                "country": "NO",
            },
            "active": True,
            **extra,
        }

    def order(self, customer: Record, product: Record, **extra: Any) -> dict[str, Any]:
        """A valid new order of two of ``product`` for ``customer``, with shipping."""
        sku = getattr(product, "sku", None)
        return {
            "customer_id": customer.id,
            "status": "processing",
            "ordered_at": "2026-03-03T12:00:00+01:00",
            "currency": "NOK",
            "billing_address": getattr(customer, "billing_address", None),
            "lines": [
                {
                    "product_id": product.id,
                    "sku": sku,
                    "name": "Kopp",
                    "quantity": "2",
                    "unit_price": "199.00",
                    "vat_rate": "25.00",
                    "discount_percent": "0.00",
                }
            ],
            "shipping_cost": "99.00",
            "shipping_vat_rate": "25.00",
            "note": "Ring på",
            **extra,
        }


def contract_config(handle: WebshopHandle, **overrides: Any) -> WebshopAPIConfig:
    """The contract config for a running reference webshop."""
    data: dict[str, Any] = {"base_url": handle.url, "auth": {"token": handle.token}, **FAST}
    data.update(overrides)
    return WebshopAPIConfig.model_validate(data)


def woo_config(url: str, **overrides: Any) -> WebshopAPIConfig:
    """The WooCommerce preset for a running fake."""
    auth = overrides.pop("auth", {"username": WOO_KEY, "password": WOO_SECRET})
    return load_preset("woocommerce", base_url=url, auth=auth, **FAST, **overrides)


def admin(handle: WebshopHandle, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call the reference webshop's ``/_sim`` admin API."""
    with httpx2.Client(base_url=handle.url, timeout=10) as client:
        response = client.post(path, json=body) if body is not None else client.get(path)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@dataclass
class WooHandle:
    """A running fake WooCommerce: its URL, store and clock."""

    url: str
    store: WooStore
    clock: WooClock


@pytest.fixture
def woo_factory() -> Iterator[Callable[[], WooHandle]]:
    """Start seeded fake WooCommerce shops on real sockets; all stop when the test ends."""
    with ExitStack() as stack:

        def start() -> WooHandle:
            clock = WooClock()
            store = WooStore(clock)
            seed(store)
            app = create_app(store, consumer_key=WOO_KEY, consumer_secret=WOO_SECRET)
            return WooHandle(stack.enter_context(serve_in_thread(app)), store, clock)

        yield start


@pytest.fixture(params=["contract", "woocommerce"])
async def shop(
    request: pytest.FixtureRequest, webshop_sim_factory: WebshopFactory, woo_factory: Callable[[], WooHandle]
) -> AsyncIterator[ShopUnderTest]:
    """The same connector interface over the reference webshop and over the fake WooCommerce."""
    if request.param == "contract":
        handle = webshop_sim_factory()

        def freeze(moment: dt.datetime | None) -> None:
            admin(handle, "/_sim/clock", {"freeze": moment.isoformat() if moment else None})

        async with WebshopConnector(contract_config(handle)) as connector:
            yield ShopUnderTest("contract", handle.url, connector, freeze, {"handle": handle})
    else:
        woo = woo_factory()
        async with WebshopConnector(woo_config(woo.url)) as connector:
            yield ShopUnderTest("woocommerce", woo.url, connector, woo.clock.freeze, {"woo": woo})
