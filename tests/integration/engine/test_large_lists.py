"""Customer lists over Tripletex's list limit: the scan walks customer numbers from the lowest the last
scan saw, up to the first empty block after the highest, instead of trying the whole list, probing,
and walking from number 1. The limit and the block are made small here so a few customers show it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from shopsync.engine import detect, partitions, tripletex_side
from shopsync.engine.detect import CustomerCursor
from shopsync.tripletex import Customer, Product

from .conftest import World, Worlds
from .test_orders import WIDE, unique_product_names

SHOP = {"customers": 14, "products": 0, "orders": 0}
TRIPLETEX = {"seed": 3, "customers": 4, "products": 0, "orders": 0}
ONLY = {"entities": ("customer",)}


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists of more than 10 active customers count as too large; blocks hold 8 numbers."""
    monkeypatch.setattr(detect, "LIST_LIMIT", 10)
    monkeypatch.setattr(tripletex_side, "NUMBER_BLOCK", 8)


def new_customer(name: str, **extra: object) -> Customer:
    """A Tripletex customer the shop accepts (a private one, with an address)."""
    address = {"addressLine1": "Storgata 1", "postalCode": "0155", "city": "Oslo"}
    data = {"name": name, "email": "ny@example.no", "postalAddress": address, "isPrivateIndividual": True}
    return Customer.model_validate(data | extra)


def customer_gets(w: World) -> int:
    return int(w.tx_requests().get("GET /v2/customer", 0))


async def test_the_cursor_counts_scanned_and_created_customers(world: Worlds, small_limit: None) -> None:
    """After the initial load the cursor knows every active customer and the number range they span."""
    w = await world(shop=SHOP, tripletex=TRIPLETEX, options=ONLY)
    assert (await w.sync()).in_sync
    cursor = CustomerCursor.parse(w.store.cursor("tripletex", "customer"))
    assert cursor is not None and cursor.numbers is not None
    numbers = [c.customerNumber async for c in w.admin.customers.iterate(fields="customerNumber")]
    assert cursor.active == len(numbers) > 10  # the active ones (a shop customer was inactive)
    assert cursor.numbers == (min(n for n in numbers if n), max(n for n in numbers if n))
    assert cursor.walk == cursor.numbers  # 18 active customers are over the (patched) limit


async def test_a_numbered_walk_finds_new_customers_and_lists_nothing_twice(
    world: Worlds, small_limit: None
) -> None:
    """The next pass walks the numbers block by block (one call per block up to the newest customer,
    and the inactive list); a customer Tripletex numbered after the highest is found and created in
    the shop; an idle pass then writes nothing."""
    w = await world(shop=SHOP, tripletex=TRIPLETEX, options=ONLY)
    assert (await w.sync()).in_sync
    cursor = CustomerCursor.parse(w.store.cursor("tripletex", "customer"))
    assert cursor is not None and cursor.numbers is not None
    low, high = cursor.numbers
    new = await w.admin.customers.create(new_customer("Ny Kunde AS"))
    assert new.customerNumber is not None and new.customerNumber > high
    before = customer_gets(w)
    summary = await w.sync()
    assert summary.in_sync and summary.of("customer", "webshop").created == 1
    # The blocks up to the newest customer, and one more only if its block was used to the end.
    blocks = len(range(low, new.customerNumber + 1, 8)) + ((new.customerNumber - low + 1) % 8 == 0)
    # The walk and the inactive list; one more GET for the new customer's mapped fields.
    assert customer_gets(w) - before == blocks + 1 + 1
    assert w.store.webshop_id_for("customer", new.id or 0) is not None
    before_writes = (w.tx_writes(), w.shop_writes())
    assert (await w.sync()).total().writes == 0
    assert (w.tx_writes(), w.shop_writes()) == before_writes


async def test_a_full_reconcile_does_not_walk(world: Worlds, small_limit: None) -> None:
    """A full reconcile lists customers without the numbers (the whole list here: the simulator's real
    limit is not reached), so a customer numbered below the lowest is found too."""
    w = await world(shop=SHOP, tripletex=TRIPLETEX, options=ONLY)
    assert (await w.sync()).in_sync
    low = await w.admin.customers.create(new_customer("Lavt Nummer AS", customerNumber=5))
    before = customer_gets(w)
    summary = await w.engine().run_pass(full=True)
    assert summary.in_sync and summary.of("customer", "webshop").created == 1
    assert customer_gets(w) - before <= 3  # whole lists of active and inactive, and the new one's fields
    assert w.store.webshop_id_for("customer", low.id or 0) is not None


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listings of more than 5 rows count as too large; remembered parts hold at most 3 rows."""
    monkeypatch.setattr(tripletex_side, "LIST_LIMIT", 5)
    monkeypatch.setattr(partitions, "PART_ROWS", 3)


def gets(w: World, path: str) -> int:
    return int(w.tx_requests().get(f"GET /v2/{path}", 0))


async def test_products_and_orders_are_listed_in_the_remembered_parts(
    world: Worlds, small_parts: None
) -> None:
    """After a listing over the limit the cursor holds where to cut; the next pass lists one part per
    call (no refused request, no empty half) and still sees everything: a product Tripletex adds
    above every price is created in the shop; an idle pass then writes nothing."""
    shop = {"customers": 8, "products": 8, "orders": 7}
    w = await world(
        shop=shop, tripletex={"seed": 3, "customers": 0, "products": 3, "orders": 0}, options=WIDE
    )
    await unique_product_names(w)
    assert (await w.sync()).in_sync
    cuts = {e: json.loads(w.store.cursor("tripletex", e) or "{}").get("cuts") for e in ("product", "order")}
    assert cuts["product"] and cuts["order"]  # 11 products and 7 orders are over the (patched) limit
    vat = (
        await w.admin.products.get((await w.admin.products.list(fields="id", count=1)).values[0].id or 0)
    ).vatType
    await w.admin.products.create(
        Product(name="Dyr vare", number="DYR-1", priceExcludingVatCurrency=Decimal("999999"), vatType=vat)
    )
    before = (gets(w, "product"), gets(w, "order"))
    summary = await w.sync()
    assert summary.in_sync and summary.of("product", "webshop").created == 1
    # One listing per part; products: one more GET for the new product's mapped fields.
    assert gets(w, "product") - before[0] == len(cuts["product"]) + 1 + 1
    assert gets(w, "order") - before[1] == len(cuts["order"]) + 1
    before_writes = (w.tx_writes(), w.shop_writes())
    assert (await w.sync()).total().writes == 0
    assert (w.tx_writes(), w.shop_writes()) == before_writes
