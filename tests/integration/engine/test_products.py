"""Products end to end: VAT and prices both ways, initial loads, edits, idle passes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopsync.tripletex import Product

from .conftest import Worlds

ONLY = {"entities": ("product",)}


@pytest.mark.parametrize("prices_include_vat", [True, False])
async def test_seeded_shop_products_reach_tripletex_with_vat_and_prices(
    world: Worlds, prices_include_vat: bool
) -> None:
    """Each product gets the VAT type of its rate and both prices; a second pass writes nothing."""
    w = await world(
        shop={"customers": 0, "products": 12, "orders": 0, "prices_include_vat": prices_include_vat},
        options=ONLY,
    )
    summary = await w.sync()
    shop = await w.shop_list("products")
    # Tripletex refuses a second product with the same name: those are created as "name (SKU)".
    duplicates = len(shop) - len({r["name"] for r in shop})
    assert duplicates and summary.of("product", "tripletex").created == 12
    assert summary.exit_code == 0 and w.store.open_dead_letters() == []
    rates = {v.id: v.percentage async for v in w.admin.vat_types.iterate(type_of_vat="OUTGOING")}
    renamed = 0
    for record in shop:
        tid = w.store.tripletex_id_for("product", record["id"])
        assert tid is not None
        tx = await w.admin.products.get(
            tid, fields="name,number,priceIncludingVatCurrency,priceExcludingVatCurrency,vatType(id)"
        )
        assert tx.name in (record["name"], f"{record['name']} ({record['sku']})")
        renamed += tx.name != record["name"]
        assert tx.number == record["sku"]
        assert tx.vatType is not None and rates[tx.vatType.id] == Decimal(record["vat_rate"])
        field = tx.priceIncludingVatCurrency if prices_include_vat else tx.priceExcludingVatCurrency
        assert field is not None and field.quantize(Decimal("0.01")) == Decimal(record["price"])
    assert renamed == duplicates
    before = (w.tx_writes(), w.shop_writes())
    again = await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before and again.total().writes == 0


async def test_seeded_tripletex_products_fill_an_empty_shop(world: Worlds) -> None:
    """Tripletex products become shop products with SKU, price including VAT and rate; then idle."""
    w = await world(
        shop={"seed": None}, tripletex={"seed": 9, "customers": 0, "products": 10, "orders": 0}, options=ONLY
    )
    summary = await w.sync()
    assert summary.of("product", "webshop").created == 10
    shop = {r["sku"]: r for r in await w.shop_list("products")}
    async for tx in w.admin.products.iterate(fields="number,priceIncludingVatCurrency,isInactive"):
        assert tx.number in shop
        record = shop[tx.number]
        assert tx.priceIncludingVatCurrency is not None
        assert Decimal(record["price"]) == tx.priceIncludingVatCurrency.quantize(Decimal("0.01"))
        assert record["active"] is not tx.isInactive
    before = (w.tx_writes(), w.shop_writes())
    await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before


async def test_price_edits_flow_both_ways(world: Worlds) -> None:
    """A shop price change and a Tripletex price change each reach the other side to the øre."""
    w = await world(shop={"customers": 0, "products": 6, "orders": 0}, options=ONLY)
    await w.sync()
    a, b = (await w.shop_list("products"))[:2]
    await w.shop_call("PATCH", f"/products/{a['id']}", {"price": "1234.50"})
    tid_b = w.store.tripletex_id_for("product", b["id"])
    assert tid_b is not None
    current = await w.admin.products.get(tid_b)
    await w.admin.products.update(
        Product(id=tid_b, version=current.version, priceIncludingVatCurrency=Decimal("777.70"))
    )
    summary = await w.sync()
    assert summary.in_sync
    tid_a = w.store.tripletex_id_for("product", a["id"])
    assert tid_a is not None
    tx_a = await w.admin.products.get(tid_a, fields="priceIncludingVatCurrency")
    assert tx_a.priceIncludingVatCurrency == Decimal("1234.50")
    assert (await w.shop_call("GET", f"/products/{b['id']}"))["price"] == "777.70"
    before = (w.tx_writes(), w.shop_writes())
    await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before
