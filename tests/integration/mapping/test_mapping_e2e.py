"""End to end over real sockets: seeded reference-webshop records into the Tripletex simulator and back.

Records come from the reference webshop's API, reference data (outgoing VAT types, countries,
currencies) from the simulator's API, and every body goes through the Tripletex client. Reading the
created objects back with the mapping's ``fields`` must give the webshop view again, orders must total
to the shop's amount to the øre, and an edit in Tripletex must arrive in the shop as a merge patch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx2
import pytest

from shopsync.connectors.webshop.models import ShopSettings
from shopsync.mapping import Mapping, TableResolver, load_mapping, money
from shopsync.tripletex import Customer, Order, Product, TripletexClient, TripletexSettings
from tests.fixtures.webshop import WebshopFactory, WebshopHandle
from tests.integration.conftest import SimHandle

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def mapping() -> Mapping:
    """The default mapping."""
    return load_mapping()


@pytest.fixture
async def tripletex(tripletex_sim: SimHandle) -> AsyncIterator[TripletexClient]:
    """The Tripletex client logged in to the simulator."""
    settings = TripletexSettings(
        base_url=tripletex_sim.api_url, consumer_token="sim-consumer", employee_token="sim-employee"
    )
    async with TripletexClient(settings) as client:
        yield client


async def _shop_get(shop: WebshopHandle, path: str) -> Any:
    async with httpx2.AsyncClient(base_url=shop.api_url, headers=shop.headers) as http:
        response = await http.get(path)
        response.raise_for_status()
        return response.json()


async def _resolver(tripletex: TripletexClient, shop: ShopSettings) -> TableResolver:
    return TableResolver(
        shop=shop,
        vat_types=[v async for v in tripletex.vat_types.iterate(typeOfVat="OUTGOING")],
        countries=[c async for c in tripletex.countries.iterate()],
        currencies=[c async for c in tripletex.currencies.iterate()],
    )


def _assert_same_view(
    mapping: Mapping, entity: str, shop_view: dict[str, Any], tx_view: dict[str, Any]
) -> None:
    for key in shop_view.keys() & tx_view.keys():
        assert mapping.same(entity, key, shop_view[key], tx_view[key]), (
            entity,
            key,
            shop_view[key],
            tx_view[key],
        )


@pytest.mark.parametrize("prices_include_vat", [True, False])
async def test_seeded_records_round_trip_through_tripletex(
    mapping: Mapping,
    webshop_sim_factory: WebshopFactory,
    tripletex: TripletexClient,
    prices_include_vat: bool,
) -> None:
    """Customers, products and orders POSTed to Tripletex read back as the same view; totals match."""
    shop = webshop_sim_factory(prices_include_vat=prices_include_vat, customers=8, products=8, orders=6)
    resolver = await _resolver(tripletex, ShopSettings.model_validate(await _shop_get(shop, "/shop")))
    assert resolver.shop.prices_include_vat is prices_include_vat
    models: dict[str, type[Customer] | type[Product] | type[Order]] = {
        "customer": Customer,
        "product": Product,
        "order": Order,
    }
    created: dict[str, int] = {}
    for entity, resource in (("customer", "customers"), ("product", "products"), ("order", "orders")):
        records = (await _shop_get(shop, f"/{resource}?limit=500"))["items"]
        assert records
        for record in records:
            view = mapping.webshop_view(entity, record, resolver)
            body = mapping.to_tripletex(entity, view, resolver, record_id=record["id"])
            stored = await getattr(tripletex, resource).create(models[entity].model_validate(body))
            assert stored.id is not None
            resolver.link(entity, record["id"], stored.id)
            fetched = await getattr(tripletex, resource).get(stored.id, fields=mapping.fields(entity))
            back = mapping.tripletex_view(entity, fetched, resolver)
            _assert_same_view(mapping, entity, view, back)
            assert mapping.to_webshop(entity, back, resolver, current=record) == {}
            if entity == "order":
                lines = await tripletex.orders.get(stored.id, fields="orderLines(amountIncludingVatCurrency)")
                total = sum(
                    (line.amountIncludingVatCurrency or Decimal(0) for line in lines.orderLines or []),
                    Decimal(0),
                )
                assert total == money.shop_order_total(record, prices_include_vat=prices_include_vat)
            created[entity] = created.get(entity, 0) + 1
    assert created == {"customer": 8, "product": 8, "order": 6}


async def test_an_edit_in_tripletex_reaches_the_shop(
    mapping: Mapping, webshop_sim: WebshopHandle, tripletex: TripletexClient
) -> None:
    """A customer renamed in Tripletex becomes a webshop merge patch that the shop accepts."""
    resolver = await _resolver(tripletex, ShopSettings.model_validate(await _shop_get(webshop_sim, "/shop")))
    record = (await _shop_get(webshop_sim, "/customers?limit=1"))["items"][0]
    base = mapping.webshop_view("customer", record, resolver)
    stored = await tripletex.customers.create(
        Customer.model_validate(mapping.to_tripletex("customer", base, resolver))
    )
    assert stored.id is not None
    resolver.link("customer", record["id"], stored.id)
    await tripletex.customers.update(
        Customer(id=stored.id, version=stored.version, name="Nytt Navn AS", isInactive=True)
    )
    fetched = await tripletex.customers.get(stored.id, fields=mapping.fields("customer"))
    after = mapping.tripletex_view("customer", fetched, resolver)
    changed = mapping.changed("customer", base, after)
    assert changed == {"name", "active"}
    patch = mapping.to_webshop("customer", after, resolver, keys=changed, current=record)
    assert patch["active"] is False
    async with httpx2.AsyncClient(base_url=webshop_sim.api_url, headers=webshop_sim.headers) as http:
        response = await http.patch(f"/customers/{record['id']}", json=patch)
        assert response.status_code == 200, response.text
        updated = response.json()
    assert mapping.same(
        "customer", "name", mapping.webshop_view("customer", updated, resolver)["name"], "Nytt Navn AS"
    )
    assert updated["active"] is False
