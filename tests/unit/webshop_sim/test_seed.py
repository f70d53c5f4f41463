"""The seeded Norwegian shop: deterministic, valid against the contract's rules, and complete."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from shopsync.simulators.webshop import WebshopConfig
from shopsync.simulators.webshop.records import (
    BuildContext,
    build_customer,
    build_order,
    build_product,
    data_fields,
)
from shopsync.simulators.webshop.state import ShopState
from shopsync.simulators.webshop.validation import mod11_valid

CONFIG = WebshopConfig(seed=3, customers=120, products=40, orders=60)


def _all(shop: ShopState, resource: str) -> list[dict[str, Any]]:
    page = shop.service.feed(resource, updated_since=None, cursor=None, limit=500)
    items: list[dict[str, Any]] = page["items"]
    return items


def test_same_seed_same_shop() -> None:
    """Two shops from one seed hold identical records; another seed gives another shop."""
    first, second = ShopState.build(CONFIG), ShopState.build(CONFIG)
    other = ShopState.build(CONFIG.model_copy(update={"seed": 4}))
    for resource in ("customers", "products", "orders"):
        assert _all(first, resource) == _all(second, resource)
    assert _all(first, "customers") != _all(other, "customers")


def test_seeded_records_pass_the_shops_own_validation() -> None:
    """Every seeded record is one the API would accept (MOD11, postal codes, money, references)."""
    shop = ShopState.build(CONFIG)
    ctx = BuildContext(currency="NOK", live_docs=shop.store.live_docs, now_text=lambda: "")
    for resource, build in (
        ("customers", build_customer),
        ("products", build_product),
        ("orders", build_order),
    ):
        for doc in _all(shop, resource):
            body = data_fields(doc)
            if resource == "orders":
                body["lines"] = [{k: v for k, v in line.items() if k != "id"} for line in body["lines"]]
            _fields, errors = build(body, None, ctx)
            assert errors == [], (resource, doc["id"], errors)


def test_seed_covers_what_the_sync_must_handle() -> None:
    """Companies with valid org numbers, all four VAT rates, øre prices, multi-line orders with shipping."""
    shop = ShopState.build(CONFIG)
    customers, products, orders = (_all(shop, r) for r in ("customers", "products", "orders"))
    companies = [c for c in customers if c["type"] == "company"]
    assert companies and all(mod11_valid(c["organization_number"]) for c in companies)
    assert any(c["type"] == "private" for c in customers)
    assert {p["vat_rate"] for p in products} == {"25.00", "15.00", "12.00", "0.00"}
    assert all(re.fullmatch(r"\d+\.\d{2}", p["price"]) for p in products)
    assert any(not p["price"].endswith(".00") for p in products)
    assert any(len(o["lines"]) > 1 for o in orders)
    assert any(Decimal(o["shipping_cost"]) > 0 for o in orders)
    assert all(o["ordered_at"].endswith(("+01:00", "+02:00")) for o in orders)
    assert len({o["number"] for o in orders}) == len(orders)


def test_new_records_continue_the_sequences() -> None:
    """Ids and order numbers of new records follow the seeded ones."""
    shop = ShopState.build(CONFIG)
    body = {
        "customer_id": "1001",
        "lines": [{"name": "x", "quantity": "1", "unit_price": "1.00", "vat_rate": "25.00"}],
    }
    order = shop.service.create("orders", body)
    assert order["id"] == str(3001 + 60)
    assert order["number"] == str(100001 + 60)
