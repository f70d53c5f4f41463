"""Initial matching: existing Tripletex records are linked, not duplicated; ambiguous matches go to review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shopsync.engine.references import References
from shopsync.tripletex import Customer, Order, Product

from .conftest import Worlds

SHOP = {"customers": 10, "products": 6, "orders": 0}
ENTITIES = {"entities": ("customer", "product")}


async def test_existing_tripletex_records_are_linked_not_duplicated(world: Worlds) -> None:
    """Customers matched by e-mail or org number and products by SKU link; empty values never overwrite."""
    w = await world(shop=SHOP, options=ENTITIES)
    customers = await w.shop_list("customers")
    products = await w.shop_list("products")
    private = next(c for c in customers if c["type"] == "private")
    company = next(c for c in customers if c["type"] == "company")
    existing_private = await w.admin.customers.create(
        Customer(name="Gammelt Navn", email=private["email"].upper(), isPrivateIndividual=True)
    )
    existing_company = await w.admin.customers.create(
        Customer(
            name=company["company_name"], organizationNumber=company["organization_number"], email="x@y.no"
        )
    )
    existing_product = await w.admin.products.create(
        Product(name="Fra regnskapet", number=products[0]["sku"], priceIncludingVatCurrency=Decimal("10.00"))
    )
    summary = await w.sync(conflict_policy="webshop_wins")
    assert summary.in_sync, summary
    assert w.store.tripletex_id_for("customer", private["id"]) == existing_private.id
    assert w.store.tripletex_id_for("customer", company["id"]) == existing_company.id
    assert w.store.tripletex_id_for("product", products[0]["id"]) == existing_product.id
    assert (
        summary.of("customer", "tripletex").linked == 2 and summary.of("customer", "tripletex").created == 8
    )
    assert summary.of("product", "tripletex").linked == 1
    count = 0
    for inactive in (False, True):
        count += len([c async for c in w.admin.customers.iterate(fields="id", is_inactive=inactive)])
    assert count == 10
    assert existing_private.id is not None
    linked = await w.admin.customers.get(
        existing_private.id, fields="name,phoneNumberMobile,postalAddress(city)"
    )
    assert linked.name == f"{private['first_name']} {private['last_name']}"  # differing: the policy decided
    assert (
        linked.postalAddress is not None and linked.postalAddress.city == private["billing_address"]["city"]
    )
    shop_after = await w.shop_call("GET", f"/customers/{private['id']}")
    assert shop_after["email"] == private["email"]  # equal ignoring case: not rewritten
    assert shop_after["billing_address"] == private["billing_address"]  # the empty side never overwrote
    before = (w.tx_writes(), w.shop_writes())
    await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before


async def test_several_candidates_go_to_review_and_nothing_is_written(world: Worlds) -> None:
    """Two Tripletex customers share a shop customer's e-mail: a review item, no link, no create."""
    w = await world(shop={**SHOP, "products": 0}, options={"entities": ("customer",)})
    record = next(c for c in await w.shop_list("customers") if c["type"] == "private")
    for name in ("Tvilling En", "Tvilling To"):
        await w.admin.customers.create(Customer(name=name, email=record["email"], isPrivateIndividual=True))
    summary = await w.sync()
    assert summary.exit_code == 1 and summary.of("customer", "webshop").review == 1
    reviews = {(r.side, r.record_id): r for r in w.store.open_reviews("customer")}
    assert len(reviews[("webshop", record["id"])].candidates) == 2
    # Both Tripletex twins claim the one shop customer: each is held for review too, not created.
    assert sum(1 for side, _ in reviews if side == "tripletex") == 2
    assert summary.of("customer", "webshop").created == 0
    assert w.store.tripletex_id_for("customer", record["id"]) is None
    assert w.store.status_summary().entities["customer"].reviews == 3
    before = (w.tx_writes(), w.shop_writes())
    again = await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before and again.exit_code == 1


async def test_tripletex_record_matching_a_shop_record_is_linked(world: Worlds) -> None:
    """A Tripletex product whose number is a shop SKU links to it instead of creating a second product."""
    w = await world(shop={"customers": 0, "products": 4, "orders": 0}, options={"entities": ("product",)})
    await w.sync()
    vats = [v async for v in w.admin.vat_types.iterate(type_of_vat="OUTGOING", number="3")]
    vat = vats[0]
    created = await w.admin.products.create(
        Product.model_validate(
            {
                "name": "Ny i regnskapet",
                "number": "NY-SKU-2",
                "vatType": {"id": vat.id},
                "priceIncludingVatCurrency": Decimal(5),
            }
        )
    )
    await w.shop_call(
        "POST",
        "/products",
        {"sku": "NY-SKU-2", "name": "Ny i butikken", "price": "5.00", "currency": "NOK", "vat_rate": "25.00"},
    )
    summary = await w.sync(conflict_policy="tripletex_wins")
    assert summary.in_sync, summary
    shop_twins = [p for p in await w.shop_list("products") if p["sku"] == "NY-SKU-2"]
    assert len(shop_twins) == 1
    assert w.store.tripletex_id_for("product", shop_twins[0]["id"]) == created.id
    assert shop_twins[0]["name"] == "Ny i regnskapet"


async def test_an_old_order_already_in_tripletex_is_linked(world: Worlds) -> None:
    """An order dated before the scan window that Tripletex already holds is linked by its number."""
    w = await world(shop={"customers": 6, "products": 6, "orders": 3})
    seen: set[str] = set()
    for product in await w.shop_list("products"):
        if product["name"] in seen:
            await w.shop_call(
                "PATCH", f"/products/{product['id']}", {"name": f"{product['name']} {product['sku']}"}
            )
        seen.add(product["name"])
    assert (await w.sync(entities=("customer", "product"))).in_sync
    cutoff = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    order = min(await w.shop_list("orders"), key=lambda o: str(o["ordered_at"]))
    assert order["ordered_at"][:10] < cutoff
    resolver = await References(w.client, w.store, await w.connector.shop_settings()).resolver()
    body = w.mapping.to_tripletex("order", w.mapping.webshop_view("order", order, resolver), resolver)
    existing = await w.admin.orders.create(Order.model_validate(body))
    summary = await w.sync()  # the default 400-day window: the seeded orders are older
    assert summary.in_sync, summary
    assert summary.of("order", "tripletex").linked == 1 and summary.of("order", "tripletex").created == 2
    assert w.store.tripletex_id_for("order", order["id"]) == existing.id
