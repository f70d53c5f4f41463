"""Read and edit both systems through their own APIs, and check that they agree.

The check never looks at the state store: it pairs records by their natural keys (customers by
organisation number, else e-mail; products by SKU = product number; orders by number) and counts:

* ``duplicates`` — a natural key held more often on one side than on the other (for customers and
  products, which are created both ways), or a webshop order number held by more than one Tripletex
  order, or an order with duplicated lines;
* ``missing`` — a webshop record without a Tripletex counterpart (or a Tripletex customer/product
  without a shop counterpart);
* ``lost_edits`` — an edit made on one side whose value is not on the other side, and paired records
  whose mapped values (name, e-mail, lines) differ.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import SecretStr

from shopsync.connectors.webshop import Customer as ShopCustomer
from shopsync.connectors.webshop import Order as ShopOrder
from shopsync.connectors.webshop import Product as ShopProduct
from shopsync.connectors.webshop import WebshopAPIConfig, WebshopConnector
from shopsync.tripletex import Customer, Order, Product, TripletexClient, TripletexSettings

from .harness import SIM_SECRETS

SHIPPING = "Frakt"
#: Far enough back and ahead to cover every seeded and test order.
WINDOW_FROM, WINDOW_TO = dt.date(2000, 1, 1), dt.date(2100, 1, 1)


@asynccontextmanager
async def clients(
    tripletex_url: str, webshop_url: str
) -> AsyncIterator[tuple[TripletexClient, WebshopConnector]]:
    """A Tripletex client and a webshop connector on the simulators, with their default credentials."""
    settings = TripletexSettings(
        base_url=tripletex_url,
        consumer_token=SecretStr(SIM_SECRETS["SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN"]),
        employee_token=SecretStr(SIM_SECRETS["SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN"]),
    )
    api = WebshopAPIConfig(base_url=webshop_url, auth={"token": SIM_SECRETS["SHOPSYNC_WEBSHOP_TOKEN"]})
    async with TripletexClient(settings) as tx, WebshopConnector(api) as shop:
        yield tx, shop


@dataclass
class Sides:
    """Everything both systems hold (live shop records; active and inactive Tripletex records)."""

    shop_customers: list[ShopCustomer]
    shop_products: list[ShopProduct]
    shop_orders: list[ShopOrder]
    tx_customers: list[Customer]
    tx_products: list[Product]
    tx_orders: list[Order]


async def _shop_all(
    shop: WebshopConnector, resource: Literal["customers", "products", "orders"]
) -> list[Any]:
    latest: dict[str, Any] = {}
    async for page in shop.changes(resource, None):
        for record in page.items:
            latest[str(record.id)] = record
        for tomb in page.tombstones:
            latest.pop(tomb.id, None)
    return list(latest.values())


async def read_sides(tx: TripletexClient, shop: WebshopConnector) -> Sides:
    """Read both systems completely."""
    customers = [c async for c in tx.customers.iterate(fields="*", is_inactive=False)]
    customers += [c async for c in tx.customers.iterate(fields="*", is_inactive=True)]
    return Sides(
        shop_customers=await _shop_all(shop, "customers"),
        shop_products=await _shop_all(shop, "products"),
        shop_orders=await _shop_all(shop, "orders"),
        tx_customers=customers,
        tx_products=[p async for p in tx.products.iterate(fields="*")],
        tx_orders=[
            o
            async for o in tx.orders.iterate(
                fields="*,orderLines(*)", order_date_from=WINDOW_FROM, order_date_to=WINDOW_TO
            )
        ],
    )


def shop_customer_key(c: ShopCustomer) -> str:
    """Organisation number (digits only) for companies that have one, else the e-mail (casefolded)."""
    org = "".join(ch for ch in (c.organization_number or "") if ch.isdigit())
    return f"org:{org}" if org else f"email:{c.email.casefold()}"


def tx_customer_key(c: Customer) -> str:
    """The same key for a Tripletex customer."""
    org = "".join(ch for ch in (c.organizationNumber or "") if ch.isdigit())
    return f"org:{org}" if org else f"email:{(c.email or '').casefold()}"


def shop_customer_name(c: ShopCustomer) -> str:
    """The name Tripletex should hold for a shop customer."""
    if c.type == "company" and c.company_name:
        return c.company_name
    return " ".join(part for part in (c.first_name, c.last_name) if part)


@dataclass
class Edit:
    """A value written on one side that must arrive on the other."""

    entity: Literal["customer", "product"]
    side: Literal["webshop", "tripletex"]
    key: str
    name: str


@dataclass
class Check:
    """What the comparison of both sides found."""

    records_checked: int = 0
    #: (entity, webshop id) of every record with a lost edit, for post-mortems.
    suspects: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    lost_edits: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No duplicate, nothing missing, no edit lost."""
        return not (self.duplicates or self.missing or self.lost_edits)

    def describe(self) -> str:
        """A short report for assertion messages."""
        parts = [f"checked {self.records_checked}"]
        for label, items in (
            ("duplicates", self.duplicates),
            ("missing", self.missing),
            ("lost", self.lost_edits),
        ):
            if items:
                parts.append(f"{label} {len(items)}: " + "; ".join(items[:10]))
        return " | ".join(parts)


def _compare_counts(check: Check, entity: str, shop: Counter[str], tx: Counter[str]) -> None:
    for key in sorted(set(shop) | set(tx)):
        s, t = shop.get(key, 0), tx.get(key, 0)
        if s and t and s != t:
            check.duplicates.append(f"{entity} {key}: {s} in the shop, {t} in Tripletex")
        elif s and not t:
            check.missing.append(f"{entity} {key}: not in Tripletex")
        elif t and not s:
            check.missing.append(f"{entity} {key}: not in the shop")


def check_sides(sides: Sides, edits: list[Edit] = ()) -> Check:  # type: ignore[assignment]
    """Pair both sides by natural key and report duplicates, missing records and lost edits."""
    check = Check()
    shop_c = {shop_customer_key(c): c for c in sides.shop_customers}
    tx_c = {tx_customer_key(c): c for c in sides.tx_customers}
    _compare_counts(
        check,
        "customer",
        Counter(shop_customer_key(c) for c in sides.shop_customers),
        Counter(tx_customer_key(c) for c in sides.tx_customers),
    )
    for key, sc in shop_c.items():
        tc = tx_c.get(key)
        if tc is None:
            continue
        check.records_checked += 1
        if (tc.name or "") != shop_customer_name(sc) and sc.type == "company":
            check.lost_edits.append(f"customer {key}: name {sc.company_name!r} vs {tc.name!r}")
        if (tc.email or "").casefold() != sc.email.casefold():
            check.lost_edits.append(f"customer {key}: email {sc.email!r} vs {tc.email!r}")

    shop_p = {p.sku: p for p in sides.shop_products}
    tx_p = {p.number or "": p for p in sides.tx_products}
    _compare_counts(
        check,
        "product",
        Counter(p.sku for p in sides.shop_products),
        Counter(p.number or "" for p in sides.tx_products),
    )
    for sku, sp in shop_p.items():
        tp = tx_p.get(sku)
        if tp is None:
            continue
        check.records_checked += 1
        if (tp.name or "") != sp.name:
            check.lost_edits.append(f"product {sku}: name {sp.name!r} vs {tp.name!r}")

    tx_orders = Counter(o.number or "" for o in sides.tx_orders)
    by_number = {o.number or "": o for o in sides.tx_orders}
    for so in sides.shop_orders:
        number = so.number or ""
        check.records_checked += 1
        if tx_orders[number] == 0:
            check.missing.append(f"order {number}: not in Tripletex")
            continue
        if tx_orders[number] > 1:
            check.duplicates.append(f"order {number}: {tx_orders[number]} in Tripletex")
        _check_lines(check, so, by_number[number])

    for edit in edits:
        _check_edit(check, edit, shop_c, tx_c, shop_p, tx_p)
    return check


def _check_lines(check: Check, shop: ShopOrder, tx: Order) -> None:
    lines = tx.orderLines or []
    goods = Counter((line.description or "", str(Decimal(line.count or 0).normalize())) for line in lines)
    shipping = goods.pop((SHIPPING, "1"), 0)
    expected = Counter((line.name, str(line.quantity.normalize())) for line in shop.lines)
    if shipping > 1 or sum(goods.values()) > sum(expected.values()):
        check.duplicates.append(f"order {shop.number}: {len(lines)} lines in Tripletex for {len(shop.lines)}")
    elif goods != expected:
        check.lost_edits.append(f"order {shop.number}: lines {dict(goods)} vs {dict(expected)}")


def _check_edit(
    check: Check,
    edit: Edit,
    shop_c: dict[str, ShopCustomer],
    tx_c: dict[str, Customer],
    shop_p: dict[str, ShopProduct],
    tx_p: dict[str, Product],
) -> None:
    if edit.entity == "customer":
        sc, tc = shop_c.get(edit.key), tx_c.get(edit.key)
        values = (sc.company_name if sc else None, tc.name if tc else None)
    else:
        sp, tp = shop_p.get(edit.key), tx_p.get(edit.key)
        values = (sp.name if sp else None, tp.name if tp else None)
    if values != (edit.name, edit.name):
        shop_record = shop_c.get(edit.key) if edit.entity == "customer" else shop_p.get(edit.key)
        if shop_record is not None:
            check.suspects.append((edit.entity, str(shop_record.id)))
        check.lost_edits.append(
            f"{edit.entity} {edit.key} edited in {edit.side} to {edit.name!r}: shop {values[0]!r}, "
            f"Tripletex {values[1]!r}"
        )
