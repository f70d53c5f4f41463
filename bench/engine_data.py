"""The data side of ``bench.engine_sync``: count, clean and edit what both simulators hold, via their APIs."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from pydantic import SecretStr

from shopsync.connectors.webshop import Order as ShopOrder
from shopsync.connectors.webshop import WebshopAPIConfig, WebshopConnector
from shopsync.engine import EngineOptions
from shopsync.engine.tripletex_side import OSLO
from shopsync.tripletex import Customer, Product, TripletexClient, TripletexSettings

__all__ = ["SECRETS", "edit_both_sides", "tripletex_counts", "unique_names"]

#: The simulators' default credentials, as the CLI reads them.
SECRETS = {
    "SHOPSYNC_WEBSHOP_TOKEN": "sim-webshop",
    "SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN": "sim-consumer",
    "SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN": "sim-employee",
}


async def _clients(tx_url: str, shop_url: str) -> tuple[TripletexClient, WebshopConnector]:
    settings = TripletexSettings(
        base_url=tx_url + "/v2",
        consumer_token=SecretStr(SECRETS["SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN"]),
        employee_token=SecretStr(SECRETS["SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN"]),
    )
    shop = WebshopConnector(
        WebshopAPIConfig(
            base_url=shop_url,
            auth={"token": SECRETS["SHOPSYNC_WEBSHOP_TOKEN"]},
            pacing={"requests_per_second": 1000},
        )
    )
    return TripletexClient(settings), shop


async def tripletex_counts(tx_url: str, shop_url: str) -> dict[str, int]:
    """Records per entity in Tripletex (customers: active and inactive scans counted apart; orders:
    those in the engine's default order-date window, which its scans list, and all of them)."""
    tx, shop = await _clients(tx_url, shop_url)
    today = dt.datetime.now(OSLO).date()
    scanned = {
        "order_date_from": today - dt.timedelta(days=EngineOptions().order_window_days),
        "order_date_to": today + dt.timedelta(days=2),
    }
    everything = {"order_date_from": dt.date(2000, 1, 1), "order_date_to": dt.date(2100, 1, 1)}
    async with tx, shop:
        active = [c.id async for c in tx.customers.iterate(fields="id", is_inactive=False)]
        inactive = [c.id async for c in tx.customers.iterate(fields="id", is_inactive=True)]
        products = [p.id async for p in tx.products.iterate(fields="id")]
        orders = [o.id async for o in tx.orders.iterate(fields="id", **scanned)]  # type: ignore[arg-type]
        all_orders = [o.id async for o in tx.orders.iterate(fields="id", **everything)]  # type: ignore[arg-type]
    return {
        "customer": len(active),
        "customer_inactive": len(inactive),
        "product": len(products),
        "order": len(orders),
        "order_all": len(all_orders),
    }


async def unique_names(tx_url: str, shop_url: str) -> None:
    """Tripletex refuses duplicate product names; the seeded shop repeats them: append the SKU."""
    tx, shop = await _clients(tx_url, shop_url)
    async with tx, shop:
        seen: set[str] = set()
        async for page in shop.changes("products", None):
            for p in page.items:
                if p.name in seen:  # type: ignore[union-attr]
                    await shop.update("products", str(p.id), {"name": f"{p.name} {p.sku}"})  # type: ignore[union-attr]
                seen.add(p.name)  # type: ignore[union-attr]


async def edit_both_sides(tx_url: str, shop_url: str, share: float, rng: random.Random) -> dict[str, int]:
    """Edit ``share`` of every entity on each side (names; order line quantities); edits per entity."""
    tx, shop = await _clients(tx_url, shop_url)
    edited: dict[str, int] = {}
    async with tx, shop:
        for resource, entity in (("customers", "customer"), ("products", "product"), ("orders", "order")):
            records = [r async for page in shop.changes(resource, None) for r in page.items]  # type: ignore[arg-type]
            picked = rng.sample(records, max(1, math.ceil(len(records) * share)))
            for record in picked:
                if isinstance(record, ShopOrder):
                    lines = [line.model_dump(mode="json", exclude_none=True) for line in record.lines]
                    lines[0]["quantity"] = str(Decimal(lines[0]["quantity"]) + 1)
                    await shop.update("orders", str(record.id), {"lines": lines})
                elif entity == "customer":
                    field = "company_name" if record.type == "company" else "last_name"  # type: ignore[union-attr]
                    await shop.update("customers", str(record.id), {field: f"{getattr(record, field)} B"})
                else:
                    await shop.update("products", str(record.id), {"name": f"{record.name} B"})  # type: ignore[union-attr]
            edited[f"webshop {entity}"] = len(picked)
        customers = [c async for c in tx.customers.iterate(fields="id,version,name,isPrivateIndividual")]
        companies = [c for c in customers if not c.isPrivateIndividual]
        for c in rng.sample(companies, max(1, math.ceil(len(customers) * share))):
            await tx.customers.update(Customer(id=c.id, version=c.version, name=f"{c.name} T"))
        products = [p async for p in tx.products.iterate(fields="id,version,name")]
        for p in rng.sample(products, max(1, math.ceil(len(products) * share))):
            await tx.products.update(Product(id=p.id, version=p.version, name=f"{p.name} T"))
        edited["tripletex customer"] = max(1, math.ceil(len(customers) * share))
        edited["tripletex product"] = max(1, math.ceil(len(products) * share))
    return edited
