"""Writes end to end: batches, orders with embedded lines, order lines, and If-None-Match."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopsync.tripletex import Customer, NotFound, Order, OrderLine, Product, VatType
from tests.integration.conftest import SimHandle

from .conftest import Connect, admin

pytestmark = pytest.mark.e2e


async def test_batch_create_and_update(tripletex_sim: SimHandle, connect: Connect) -> None:
    """250 customers are created in three POST /customer/list calls and renamed with PUT /customer/list."""
    tx = connect(tripletex_sim)
    created = await tx.customers.create_many(
        [Customer(name=f"Kunde {i}", email=f"k{i}@example.no") for i in range(250)]
    )
    assert len({c.id for c in created}) == 250 and all(c.version == 1 for c in created)
    renamed = await tx.customers.update_many([c.model_copy(update={"name": f"{c.name} AS"}) for c in created])
    assert [c.name for c in renamed[:2]] == ["Kunde 0 AS", "Kunde 1 AS"]
    assert all(c.version == 2 for c in renamed)
    requests = admin(tripletex_sim, "GET", "/_sim/stats")["requests"]
    assert requests["POST /v2/customer/list"] == 3 and requests["PUT /v2/customer/list"] == 3


async def test_products_batch_with_exact_prices(tripletex_sim: SimHandle, connect: Connect) -> None:
    """Products created in a batch keep their exact decimal prices and VAT type."""
    tx = connect(tripletex_sim)
    vat = (await tx.vat_types.list(number="3")).values[0]
    products = await tx.products.create_many(
        [
            Product(
                name=f"Genser {i}",
                number=f"G-{i}",
                priceExcludingVatCurrency=Decimal("499.90"),
                vatType=VatType(id=vat.id),
            )
            for i in range(3)
        ]
    )
    read = await tx.products.get(
        products[0].id or 0, fields="id,priceExcludingVatCurrency,vatType(id,percentage)"
    )
    assert read.priceExcludingVatCurrency == Decimal("499.90")
    assert read.vatType is not None and read.vatType.percentage == Decimal(25)


async def test_order_with_embedded_lines_and_line_list(tripletex_sim: SimHandle, connect: Connect) -> None:
    """An order is created with embedded lines, more lines are added in a batch, and all are read back."""
    tx = connect(tripletex_sim)
    customer = await tx.customers.create(Customer(name="Ordre AS"))
    product = await tx.products.create(Product(name="Lue", priceExcludingVatCurrency=Decimal(100)))
    order = await tx.orders.create(
        Order(
            customer=customer,
            orderDate="2026-03-01",
            deliveryDate="2026-03-05",
            orderLines=[
                OrderLine(product=product, count=Decimal(2)),
                OrderLine(description="Frakt", count=Decimal(1)),
            ],
        )
    )
    assert order.id is not None and len(order.orderLines or []) == 2
    added = await tx.order_lines.create_many(
        [OrderLine(order=Order(id=order.id), product=product, count=Decimal(i)) for i in (3, 4)]
    )
    lines = await tx.order_lines.for_order(order.id, fields="id,count,product(id)")
    assert sorted(line.count or 0 for line in lines) == [1, 2, 3, 4]
    await tx.order_lines.delete(added[0].id or 0)
    with pytest.raises(NotFound):
        await tx.order_lines.get(added[0].id or 0)
    assert admin(tripletex_sim, "GET", "/_sim/stats")["requests"]["POST /v2/order/orderline/list"] == 1


async def test_order_update_replacing_lines(tripletex_sim: SimHandle, connect: Connect) -> None:
    """PUT /order/{id}?updateLinesAndGroups=true replaces the order's lines with the sent ones."""
    tx = connect(tripletex_sim)
    customer = await tx.customers.create(Customer(name="Bytte AS"))
    order = await tx.orders.create(
        Order(
            customer=customer,
            orderDate="2026-03-01",
            deliveryDate="2026-03-02",
            orderLines=[OrderLine(description="Gammel", count=Decimal(1))],
        )
    )
    updated = await tx.orders.update(
        Order(id=order.id, version=order.version, orderLines=[OrderLine(description="Ny", count=Decimal(5))]),
        update_lines_and_groups=True,
    )
    lines = await tx.order_lines.for_order(updated.id or 0, fields="description,count")
    assert [(line.description, line.count) for line in lines] == [("Ny", Decimal(5))]


async def test_orders_batch_of_150_in_two_calls(tripletex_sim: SimHandle, connect: Connect) -> None:
    """150 orders go out as POST /order/list calls of 100 and 50."""
    tx = connect(tripletex_sim)
    customer = await tx.customers.create(Customer(name="Mange ordre AS"))
    orders = [
        Order(customer=Customer(id=customer.id), orderDate="2026-04-01", deliveryDate="2026-04-02")
        for _ in range(150)
    ]
    created = await tx.orders.create_many(orders)
    assert len({o.id for o in created}) == 150
    assert admin(tripletex_sim, "GET", "/_sim/stats")["requests"]["POST /v2/order/list"] == 2


async def test_if_none_match_answers_304_for_unchanged_lists(
    tripletex_sim: SimHandle, connect: Connect
) -> None:
    """A repeated customer list is served from cache on 304 and refetched after a change."""
    tx = connect(tripletex_sim)
    first_customer = await tx.customers.create(Customer(name="Digest AS"))
    first = await tx.customers.fetch_all(fields="id,version,name")
    second = await tx.customers.fetch_all(fields="id,version,name")
    assert not first.unchanged and second.unchanged
    assert [c.name for c in second.items] == ["Digest AS"]
    await tx.customers.update(first_customer.model_copy(update={"name": "Digest ASA"}))
    third = await tx.customers.fetch_all(fields="id,version,name")
    assert not third.unchanged and [c.name for c in third.items] == ["Digest ASA"]
    assert admin(tripletex_sim, "GET", "/_sim/stats")["statuses"]["304"] == 1


async def test_reference_lists(tripletex_sim: SimHandle, connect: Connect) -> None:
    """VAT types (25/15/12/0 % outgoing), currencies and countries are readable."""
    tx = connect(tripletex_sim)
    vats = await tx.vat_types.fetch_all(type_of_vat="OUTGOING")
    assert {Decimal(25), Decimal(15), Decimal(12), Decimal(0)} <= {v.percentage for v in vats.items}
    codes = {c.code for c in (await tx.currencies.fetch_all()).items}
    assert {"NOK", "SEK", "EUR", "USD"} <= codes
    norway = (await tx.countries.list(code="NO")).values
    assert norway[0].isoAlpha2Code == "NO"
