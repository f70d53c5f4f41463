"""Edits and new records made on each side through the systems' own APIs, as a user would.

``EditPlan`` keeps the sides apart: a record edited in the shop is never edited in Tripletex in the same
test (its partner has the same natural key), so every expected value is unambiguous — true conflicts
are the engine's own tests' business.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from shopsync.connectors.webshop import Customer as ShopCustomer
from shopsync.connectors.webshop import Order as ShopOrder
from shopsync.connectors.webshop import Product as ShopProduct
from shopsync.connectors.webshop import ValidationFailed, WebshopConnector
from shopsync.simulators.webshop.seed import make_org_number
from shopsync.tripletex import Address, Country, Customer, Product, TripletexClient, VatType

from .sides import Edit, Sides, read_sides, shop_customer_key, tx_customer_key

T = TypeVar("T")


@dataclass
class EditPlan:
    """Which natural keys each side has edited; the newest expected name per record."""

    rng: random.Random
    shop_keys: set[tuple[str, str]] = field(default_factory=set)
    tx_keys: set[tuple[str, str]] = field(default_factory=set)
    expected: dict[tuple[str, str], Edit] = field(default_factory=dict)
    rounds: int = 0

    @property
    def edits(self) -> list[Edit]:
        """The latest expected value of every edited record."""
        return list(self.expected.values())

    def _free(self, entity: str, key: str, side: str) -> bool:
        other = self.tx_keys if side == "webshop" else self.shop_keys
        return (entity, key) not in other

    def _note(self, edit: Edit) -> None:
        (self.shop_keys if edit.side == "webshop" else self.tx_keys).add((edit.entity, edit.key))
        self.expected[(edit.entity, edit.key)] = edit


async def edit_round(tx: TripletexClient, shop: WebshopConnector, plan: EditPlan, per_kind: int = 2) -> int:
    """Edit names on both sides, change a shop order's lines and create new records on both sides.

    Returns how many writes were made.
    """
    plan.rounds += 1
    tag = f"r{plan.rounds}"
    sides = await read_sides(tx, shop)
    writes = await _edit_shop(shop, sides, plan, tag, per_kind)
    writes += await _edit_tripletex(tx, sides, plan, tag, per_kind)
    writes += await _create_shop(shop, sides, plan, tag)
    writes += await _create_tripletex(tx, sides, plan, tag)
    return writes


def _pick(rng: random.Random, items: list[T], n: int) -> list[T]:
    return rng.sample(items, min(n, len(items)))


async def _edit_shop(shop: WebshopConnector, sides: Sides, plan: EditPlan, tag: str, n: int) -> int:
    companies = [
        c
        for c in sides.shop_customers
        if c.type == "company" and c.company_name and plan._free("customer", shop_customer_key(c), "webshop")
    ]
    writes = 0
    for c in _pick(plan.rng, companies, n):
        name = f"{(c.company_name or '').split(' ~')[0]} ~{tag}"
        await shop.update("customers", str(c.id), {"company_name": name})
        plan._note(Edit("customer", "webshop", shop_customer_key(c), name))
        writes += 1
    products = [p for p in sides.shop_products if plan._free("product", p.sku, "webshop")]
    for p in _pick(plan.rng, products, n):
        name = f"{p.name.split(' ~')[0]} ~{tag}"
        await shop.update("products", str(p.id), {"name": name})
        plan._note(Edit("product", "webshop", p.sku, name))
        writes += 1
    open_orders = [o for o in sides.shop_orders if o.status in ("pending", "processing") and o.lines]
    for order in _pick(plan.rng, open_orders, 1):
        lines = [line.model_dump(mode="json", exclude_none=True) for line in order.lines]
        lines[0]["quantity"] = str(Decimal(lines[0]["quantity"]) + 1)
        try:
            await shop.update("orders", str(order.id), {"lines": lines})
            writes += 1
        except ValidationFailed:
            pass  # the shop may refuse to change this order; nothing was written
    return writes


async def _edit_tripletex(tx: TripletexClient, sides: Sides, plan: EditPlan, tag: str, n: int) -> int:
    companies = [
        c
        for c in sides.tx_customers
        if not c.isPrivateIndividual
        and c.organizationNumber
        and not c.isInactive
        and plan._free("customer", tx_customer_key(c), "tripletex")
    ]
    writes = 0
    for c in _pick(plan.rng, companies, n):
        name = f"{(c.name or '').split(' ~')[0]} ~{tag}"
        await tx.customers.update(Customer(id=c.id, version=c.version, name=name))
        plan._note(Edit("customer", "tripletex", tx_customer_key(c), name))
        writes += 1
    products = [p for p in sides.tx_products if p.number and plan._free("product", p.number, "tripletex")]
    for p in _pick(plan.rng, products, n):
        name = f"{(p.name or '').split(' ~')[0]} ~{tag}"
        await tx.products.update(Product(id=p.id, version=p.version, name=name))
        plan._note(Edit("product", "tripletex", p.number or "", name))
        writes += 1
    return writes


async def _create_shop(shop: WebshopConnector, sides: Sides, plan: EditPlan, tag: str) -> int:
    org = make_org_number(plan.rng)
    customer = await shop.create(
        "customers",
        {
            "type": "company",
            "company_name": f"Nyhandel {tag} AS",
            "organization_number": org,
            "email": f"post{tag}.{org}@nyhandel.example.no",
            "billing_address": {
                "line1": "Storgata 1",
                "postal_code": "0155",
                "city": "Oslo",
                "country": "NO",
            },
        },
    )
    assert isinstance(customer, ShopCustomer)
    plan._note(Edit("customer", "webshop", shop_customer_key(customer), f"Nyhandel {tag} AS"))
    sku = f"NY-{tag}-{plan.rng.randrange(10**6)}"
    product = await shop.create(
        "products",
        {"sku": sku, "name": f"Nyhet {tag}", "price": "249.00", "currency": "NOK", "vat_rate": "25.00"},
    )
    assert isinstance(product, ShopProduct)
    plan._note(Edit("product", "webshop", sku, f"Nyhet {tag}"))
    writes = 2
    template = next((o for o in sides.shop_orders if o.customer_id), None)
    if template is not None:
        body = template.model_dump(
            mode="json", exclude={"id", "number", "version", "created_at", "updated_at"}
        )
        body["customer_id"] = customer.id
        body["status"] = "processing"
        body["lines"] = [
            {
                "product_id": product.id,
                "sku": sku,
                "name": f"Nyhet {tag}",
                "quantity": "2",
                "unit_price": "249.00",
                "vat_rate": "25.00",
            }
        ]
        order = await shop.create("orders", body)
        assert isinstance(order, ShopOrder)
        writes += 1
    return writes


async def _create_tripletex(tx: TripletexClient, sides: Sides, plan: EditPlan, tag: str) -> int:
    org = make_org_number(plan.rng)
    name = f"Regnskapskunde {tag} AS"
    # The shop needs a billing address, so a Tripletex customer that is to reach it needs one too.
    known = next(
        (c.postalAddress for c in sides.tx_customers if c.postalAddress and c.postalAddress.city), None
    )
    postal = Address(addressLine1="Kirkegata 7", postalCode="0153", city="Oslo")
    if known is not None and known.country is not None:
        postal = postal.model_copy(update={"country": Country(id=known.country.id)})
    created = await tx.customers.create(
        Customer(
            name=name,
            organizationNumber=org,
            email=f"faktura{tag}.{org}@kunde.example.no",
            isCustomer=True,
            postalAddress=postal,
        )
    )
    plan._note(Edit("customer", "tripletex", tx_customer_key(created), name))
    template = next((p for p in sides.tx_products if p.vatType is not None), None)
    number = f"TX-{tag}-{plan.rng.randrange(10**6)}"
    product = Product(name=f"Varenummer {tag}", number=number, priceExcludingVatCurrency=Decimal("100.00"))
    if template is not None and template.vatType is not None:
        product = product.model_copy(update={"vatType": VatType(id=template.vatType.id)})
    await tx.products.create(product)
    plan._note(Edit("product", "tripletex", number, f"Varenummer {tag}"))
    return 2


async def unique_product_names(shop: WebshopConnector) -> int:
    """Rename shop products whose name another product already has (Tripletex refuses duplicate product
    names; the seeded shop does not care): the later ones get their SKU appended. Returns the renames."""
    seen: set[str] = set()
    renamed = 0
    async for page in shop.changes("products", None):
        for product in page.items:
            assert isinstance(product, ShopProduct)
            if product.name in seen:
                await shop.update("products", str(product.id), {"name": f"{product.name} {product.sku}"})
                renamed += 1
            seen.add(product.name)
    return renamed
