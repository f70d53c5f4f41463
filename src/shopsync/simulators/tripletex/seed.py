"""A realistic, deterministic Norwegian company: customers, products and orders from ``--seed N``.

Faker ``no_NO`` gives names, streets, postcodes and cities; organisation numbers carry a valid MOD11
check digit; products have unique names and numbers, prices and the VAT type their kind of goods
takes (25 %, 15 % food, 12 % tickets, 0 % books); orders in 2025 have 1-5 lines. The same seed and
counts always give the same objects and ids. Rows are bulk-inserted (100,000 customers load in
seconds).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from faker import Faker

from shopsync.orgnr import generate_orgnr
from shopsync.simulators.tripletex import customers, orders, products
from shopsync.simulators.tripletex.addresses import _derive
from shopsync.simulators.tripletex.config import SimulatorConfig
from shopsync.simulators.tripletex.errors import ValidationCollector
from shopsync.simulators.tripletex.orderlines import plan_line
from shopsync.simulators.tripletex.refdata import NORWAY_ID, SESSION_EMPLOYEE_ID
from shopsync.simulators.tripletex.state import Simulator
from shopsync.simulators.tripletex.writes import money

__all__ = ["ean13", "seed_data"]

_ADJECTIVES = ["Blå", "Rød", "Grønn", "Svart", "Hvit", "Liten", "Stor", "Klassisk", "Økologisk", "Premium",
               "Myk", "Varm", "Lett", "Nordisk", "Rustikk", "Moderne"]  # fmt: skip
#: (noun, VAT type id): 3 = 25 %, 31 = 15 % (food), 32 = 12 % (tickets), 5 = 0 % (books).
_NOUNS = [("Ullgenser", 3), ("Votter", 3), ("Lue", 3), ("Skjerf", 3), ("Sokker", 3), ("Kaffekopp", 3),
          ("Termokopp", 3), ("Ryggsekk", 3), ("Paraply", 3), ("Lommelykt", 3), ("Turstol", 3),
          ("Sovepose", 3), ("Regnjakke", 3), ("Håndkle", 3), ("Pute", 3), ("Lampe", 3), ("Kniv", 3),
          ("Skjærebrett", 3), ("Stearinlys", 3), ("Vase", 3), ("Kaffe", 31), ("Te", 31), ("Brunost", 31),
          ("Honning", 31), ("Sjokolade", 31), ("Knekkebrød", 31), ("Syltetøy", 31), ("Kinobillett", 32),
          ("Museumsbillett", 32), ("Kokebok", 5), ("Turbok", 5), ("Barnebok", 5)]  # fmt: skip
_COMPANY_FORMS = ["AS", "AS", "AS", "ANS", "DA", "Handel AS", "Eiendom AS", "Consulting AS", "& Sønn AS"]
_ORDER_YEAR = 2025


def ean13(rng: random.Random) -> str:
    """A valid EAN-13 with the Norwegian GS1 prefix 70."""
    digits = "70" + "".join(rng.choice("0123456789") for _ in range(10))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def seed_data(sim: Simulator, config: SimulatorConfig) -> None:
    """Fill an empty store with ``config.customers`` / ``products`` / ``orders`` objects."""
    seed = config.seed or 0
    fake = Faker("no_NO")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    stamp = sim.now()
    with sim.store.transaction():
        customer_ids = _customers(sim, fake, rng, config.customers, stamp.sortable, stamp.display)
        product_docs = _products(sim, rng, config.products, stamp.sortable, stamp.display)
        _orders(sim, rng, config.orders, customer_ids, product_docs, stamp.sortable, stamp.display)


def _log(sim: Simulator, schema: str, ids: list[int], display: str) -> None:
    sim.store.add_changes(schema, ((i, "CREATE", display, SESSION_EMPLOYEE_ID) for i in ids))


def _customers(
    sim: Simulator, fake: Faker, rng: random.Random, count: int, sortable: str, display: str
) -> list[int]:
    docs: list[dict[str, Any]] = []
    addresses: list[dict[str, Any]] = []
    active: list[int] = []
    for i in range(count):
        street, postcode, city = fake.street_address(), fake.postcode(), fake.city()
        person = rng.random() < 0.3
        doc: dict[str, Any] = {"id": sim.store.next_id("Customer"), "version": 1, **customers.DEFAULTS}
        if person:
            first, last = fake.first_name(), fake.last_name()
            doc["name"] = f"{first} {last}"
            doc["isPrivateIndividual"] = True
            doc["email"] = f"{first}.{last}{rng.randrange(100)}@example.no".lower().replace(" ", "")
        else:
            base = fake.last_name() if rng.random() < 0.6 else fake.company().rstrip(".")
            doc["name"] = f"{base} {rng.choice(_COMPANY_FORMS)}"
            doc["organizationNumber"] = generate_orgnr(rng)
            domain = "".join(c for c in base.lower() if c.isalnum()) or "firma"
            doc["email"] = f"post@{domain}.no"
            doc["invoiceEmail"] = f"faktura@{domain}.no"
            doc["phoneNumber"] = fake.phone_number()
        doc["phoneNumberMobile"] = f"{rng.choice('49')}{rng.randrange(10**7):07d}"
        doc["customerNumber"] = customers.FIRST_NUMBER + i
        doc["language"] = "EN" if rng.random() < 0.05 else "NO"
        doc["isInactive"] = rng.random() < 0.03
        for field in ("physicalAddress", "postalAddress"):
            address = {"id": sim.store.next_id("Address"), "version": 0, "addressLine1": street,
                       "postalCode": postcode, "city": city, "country": NORWAY_ID}  # fmt: skip
            _derive(address, sim)
            addresses.append(address)
            doc[field] = address["id"]
        doc["displayName"] = f"{doc['name']} ({doc['customerNumber']})"
        docs.append(doc)
        if not doc["isInactive"]:
            active.append(doc["id"])
    sim.store.insert_many("Address", addresses, sortable)
    sim.store.insert_many("Customer", docs, sortable)
    _log(sim, "Customer", [d["id"] for d in docs], display)
    return active


def _products(
    sim: Simulator, rng: random.Random, count: int, sortable: str, display: str
) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    names: set[str] = set()
    for i in range(count):
        noun, vat = rng.choice(_NOUNS)
        name = f"{rng.choice(_ADJECTIVES)} {noun.lower() if rng.random() < 0.5 else noun}"
        suffix = 2
        unique = name
        while unique in names:
            unique, suffix = f"{name} {suffix}", suffix + 1
        names.add(unique)
        price = Decimal(rng.randrange(29, 2500)) + rng.choice((Decimal(0), Decimal("0.50"), Decimal("0.90")))
        doc: dict[str, Any] = {"id": sim.store.next_id("Product"), "version": 0, **products.DEFAULTS}
        doc.update(
            name=unique,
            number=str(1001 + i),
            vatType=vat,
            priceExcludingVatCurrency=money(price),
            costExcludingVatCurrency=money(price * Decimal(rng.randrange(35, 70)) / 100),
            isInactive=rng.random() < 0.02,
            isStockItem=vat in (3, 31),
        )
        if vat in (3, 31, 5):
            doc["ean"] = ean13(rng)
        products._prices(sim, doc, {"priceExcludingVatCurrency": doc["priceExcludingVatCurrency"]}, None)
        products._finish(doc)
        docs.append(doc)
    sim.store.insert_many("Product", docs, sortable)
    _log(sim, "Product", [d["id"] for d in docs], display)
    return [d for d in docs if not d["isInactive"]]


def _orders(
    sim: Simulator,
    rng: random.Random,
    count: int,
    customer_ids: list[int],
    product_docs: list[dict[str, Any]],
    sortable: str,
    display: str,
) -> None:
    if not customer_ids or not product_docs:
        return
    names = dict(sim.store.rows("SELECT id, json_extract(doc, '$.name') FROM customer"))
    start = date(_ORDER_YEAR, 1, 1)
    docs: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    vc = ValidationCollector()
    for i in range(count):
        ordered = start + timedelta(days=rng.randrange(365))
        customer_id = rng.choice(customer_ids)
        number = str(sim.next_order_number())
        doc: dict[str, Any] = {"id": sim.store.next_id("Order"), "version": 0, **orders.DEFAULTS}
        doc.update(
            customer=customer_id,
            customerName=names.get(customer_id, ""),
            number=number,
            displayName=f"{number} Ordre",
            orderDate=ordered.isoformat(),
            deliveryDate=(ordered + timedelta(days=rng.randrange(8))).isoformat(),
            reference=f"WEB-{100000 + i}",
            currency=1,
            invoicesDueIn=14,
            invoicesDueInType="DAYS",
            isClosed=ordered.month < 6 and rng.random() < 0.4,
            orderLines=[],
        )
        for product in rng.sample(product_docs, k=min(len(product_docs), rng.randrange(1, 6))):
            mapped: dict[str, Any] = {"product": {"id": product["id"]}, "count": str(rng.randrange(1, 6))}
            if rng.random() < 0.1:
                mapped["discount"] = "10"
            line = plan_line(sim, doc, mapped, None, vc)
            line["id"] = sim.store.next_id("OrderLine")
            doc["orderLines"].append(line["id"])
            lines.append(line)
        docs.append(doc)
    sim.store.insert_many("Order", docs, sortable)
    sim.store.insert_many("OrderLine", lines, sortable)
    _log(sim, "Order", [d["id"] for d in docs], display)
    _log(sim, "OrderLine", [d["id"] for d in lines], display)
