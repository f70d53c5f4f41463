"""A deterministic Norwegian shop: customers, products and orders generated from a seed.

Faker (``no_NO``) fills pools of names, streets, towns and company names once; records are then
combined from the pools with ``random.Random(seed)``, which keeps 100,000 customers to a second or
two and makes the same seed give the same shop on every machine. About one customer in four is a
company with a MOD11-valid organisation number; products spread over the 25/15/12/0 % VAT rates with
prices including VAT in kroner and øre; orders have 1-5 lines and a shipping cost. Timestamps lie in
2025 (fixed, so they do not depend on the day the shop starts); order times carry the Oslo offset.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker

from shopsync.orgnr import generate_orgnr
from shopsync.simulators.webshop.clock import format_ts, to_us
from shopsync.simulators.webshop.config import WebshopConfig
from shopsync.simulators.webshop.store import Store

__all__ = ["PRODUCT_CATALOGUE", "make_org_number", "seed_shop"]

OSLO = ZoneInfo("Europe/Oslo")
_START = datetime(2025, 1, 1, tzinfo=UTC)
_SPAN_S = 330 * 24 * 3600  # creations spread over most of 2025, updates follow within a month

#: Product names per VAT rate: goods 25 %, food 15 %, transport/tickets 12 %, books and gift cards 0 %.
PRODUCT_CATALOGUE: dict[str, tuple[str, ...]] = {
    "25.00": (
        "Ullgenser",
        "Sykkelhjelm",
        "Kaffetrakter",
        "Regnjakke",
        "Termokopp",
        "Ryggsekk 30 l",
        "Hodelykt",
        "Strikkeluer",
        "Skismøring",
        "Brødkniv",
        "Lunsjboks",
        "Vintersokker",
    ),
    "15.00": (
        "Kaffe, hele bønner 500 g",
        "Brunost 500 g",
        "Flatbrød",
        "Tyttebærsyltetøy",
        "Sjokolade 200 g",
        "Te, økologisk",
        "Knekkebrød",
        "Honning 350 g",
    ),
    "12.00": ("Kinobillett", "Bussbillett, sone 1", "Fergebillett", "Museumsbillett", "Hotellovernatting"),
    "0.00": ("Bok: Norske folkeeventyr", "Gavekort", "Avisabonnement, 1 mnd", "Bok: Kokebok for hytta"),
}
_VAT_WEIGHTS = {"25.00": 6, "15.00": 3, "12.00": 1, "0.00": 1}
_STATUSES = ("completed",) * 6 + ("processing",) * 2 + ("pending", "cancelled", "refunded")
_LANGUAGES = ("nb",) * 8 + ("nn", "en", "sv", "da", "de")


def make_org_number(rng: random.Random) -> str:
    """A random Norwegian organisation number (starts with 8 or 9) with a valid MOD11 check digit."""
    return generate_orgnr(rng)


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch in ".-")


class _Pools:
    """Faker-made values to combine (Faker per record would make 100k customers slow)."""

    def __init__(self, seed: int) -> None:
        fake = Faker("no_NO")
        fake.seed_instance(seed)
        self.first = [fake.first_name() for _ in range(300)]
        self.last = [fake.last_name() for _ in range(300)]
        self.streets = [fake.street_name() for _ in range(400)]
        self.towns = [(fake.postcode(), fake.city()) for _ in range(300)]
        self.companies = [fake.company() for _ in range(400)]
        self.domains = ["example.no", "example.com", "posten.example.no", "epost.example.no"]


def _address(rng: random.Random, pools: _Pools) -> dict[str, Any]:
    postal_code, city = rng.choice(pools.towns)
    line2 = rng.choice((None, None, None, None, f"H0{rng.randint(1, 4)}0{rng.randint(1, 9)}", "c/o Hansen"))
    line1 = f"{rng.choice(pools.streets)} {rng.randint(1, 120)}"
    return {"line1": line1, "line2": line2, "postal_code": postal_code, "city": city, "country": "NO"}


def _stamps(rng: random.Random) -> tuple[datetime, datetime]:
    created = _START + timedelta(seconds=rng.randrange(_SPAN_S), microseconds=rng.randrange(1_000_000))
    updated = created if rng.random() < 0.6 else created + timedelta(seconds=rng.randrange(30 * 24 * 3600))
    return created, updated


def _meta(record_id: int, created: datetime, updated: datetime) -> dict[str, Any]:
    return {
        "created_at": format_ts(created),
        "updated_at": format_ts(updated),
        "version": 1 if created == updated else 2,
    }


def _phone(rng: random.Random) -> str:
    return f"+47 {rng.choice('49')}{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(100, 999)}"


def _customers(
    rng: random.Random, pools: _Pools, count: int, first_id: int
) -> list[tuple[dict[str, Any], int, str, None]]:
    rows: list[tuple[dict[str, Any], int, str, None]] = []
    for n in range(count):
        record_id = first_id + n
        first, last = rng.choice(pools.first), rng.choice(pools.last)
        company = rng.random() < 0.25
        created, updated = _stamps(rng)
        email_name = (
            _ascii(rng.choice(pools.companies).split()[0]) if company else f"{_ascii(first)}.{_ascii(last)}"
        )
        doc = {
            "id": str(record_id),
            "type": "company" if company else "private",
            "first_name": first,
            "last_name": last,
            "company_name": rng.choice(pools.companies) if company else None,
            "organization_number": make_org_number(rng) if company else None,
            "email": f"{email_name}{record_id}@{rng.choice(pools.domains)}",
            "phone": rng.choice((None, _phone(rng))),
            "language": rng.choice(_LANGUAGES),
            "billing_address": _address(rng, pools),
            "shipping_address": _address(rng, pools) if rng.random() < 0.2 else None,
            "active": rng.random() < 0.95,
            **_meta(record_id, created, updated),
        }
        rows.append((doc, to_us(updated), str(doc["email"]).lower(), None))
    return rows


def _price(rng: random.Random) -> str:
    kroner = rng.choice((rng.randint(19, 199), rng.randint(200, 999), rng.randint(1000, 4999)))
    ore = rng.choice((0, 0, 50, 90, 90, 95, rng.randint(1, 99)))
    return f"{kroner}.{ore:02d}"


def _products(rng: random.Random, count: int, first_id: int) -> list[tuple[dict[str, Any], int, str, None]]:
    rates = [rate for rate, weight in _VAT_WEIGHTS.items() for _ in range(weight)]
    rows: list[tuple[dict[str, Any], int, str, None]] = []
    for n in range(count):
        record_id = first_id + n
        # every rate appears among the first four products, so even a tiny shop covers them all
        rate = tuple(_VAT_WEIGHTS)[n] if n < len(_VAT_WEIGHTS) else rng.choice(rates)
        name = rng.choice(PRODUCT_CATALOGUE[rate])
        created, updated = _stamps(rng)
        doc = {
            "id": str(record_id),
            "sku": f"{_ascii(name.split()[0].rstrip(',:'))[:8].upper()}-{record_id}",
            "name": name,
            "description": f"{name}. Levert fra lager i Norge.",
            "price": _price(rng),
            "currency": "NOK",
            "vat_rate": rate,
            "active": rng.random() < 0.9,
            "stock_quantity": rng.randint(0, 200),
            **_meta(record_id, created, updated),
        }
        rows.append((doc, to_us(updated), str(doc["sku"]), None))
    return rows


def _orders(
    rng: random.Random,
    count: int,
    first_id: int,
    first_number: int,
    first_line: int,
    customers: list[dict[str, Any]],
    products: list[dict[str, Any]],
) -> tuple[list[tuple[dict[str, Any], int, str, int]], int]:
    rows: list[tuple[dict[str, Any], int, str, int]] = []
    line_id = first_line
    for n in range(count):
        record_id = first_id + n
        customer = rng.choice(customers)
        created, updated = _stamps(rng)
        lines = []
        for product in rng.sample(products, k=min(len(products), rng.randint(1, 5))):
            discount = rng.choice(("0.00",) * 6 + ("10.00", "15.00", "50.00"))
            lines.append(
                {
                    "id": str(line_id),
                    "product_id": product["id"],
                    "sku": product["sku"],
                    "name": product["name"],
                    "quantity": rng.choice(("1", "1", "1", "2", "3")),
                    "unit_price": product["price"],
                    "vat_rate": product["vat_rate"],
                    "discount_percent": discount,
                }
            )
            line_id += 1
        goods = sum(Decimal(line["unit_price"]) * Decimal(line["quantity"]) for line in lines)
        shipping = "0.00" if goods >= 1000 else rng.choice(("79.00", "99.00", "149.00"))
        doc = {
            "id": str(record_id),
            "number": str(first_number + n),
            "customer_id": customer["id"],
            "status": rng.choice(_STATUSES),
            "ordered_at": format_ts(created.astimezone(OSLO)),
            "currency": "NOK",
            "billing_address": customer["billing_address"],
            "shipping_address": customer["shipping_address"],
            "lines": lines,
            "shipping_cost": shipping,
            "shipping_vat_rate": "25.00",
            "note": rng.choice((None, None, None, "Leveres på døra.", "Ring før levering.")),
            **_meta(record_id, created, updated),
        }
        rows.append((doc, to_us(updated), doc["number"], int(customer["id"])))
    return rows, line_id


def seed_shop(store: Store, config: WebshopConfig) -> None:
    """Fill an empty store with ``config.customers`` customers, products and orders from ``config.seed``."""
    seed = config.seed if config.seed is not None else 0
    rng = random.Random(seed)
    pools = _Pools(seed)
    with store.transaction():
        first = store.next_ids("customers", config.customers)
        customers = _customers(rng, pools, config.customers, first)
        store.insert_many("customers", customers)
        first = store.next_ids("products", config.products)
        products = _products(rng, config.products, first)
        store.insert_many("products", products)
        if not customers or not products or not config.orders:
            return
        first = store.next_ids("orders", config.orders)
        number = store.next_ids("order_number", config.orders)
        line = store.next_ids("order_lines", 0)
        orders, next_line = _orders(
            rng, config.orders, first, number, line, [c[0] for c in customers], [p[0] for p in products]
        )
        store.insert_many("orders", orders)
        store.next_ids("order_lines", next_line - line)
