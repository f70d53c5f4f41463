"""The seeded data set: deterministic, realistic and internally consistent."""

from __future__ import annotations

import json
import random
from decimal import ROUND_HALF_UP, Decimal

from shopsync.orgnr import is_valid_orgnr
from shopsync.simulators.tripletex.config import SimulatorConfig
from shopsync.simulators.tripletex.refdata import OUTGOING_VAT_IDS
from shopsync.simulators.tripletex.seed import ean13, seed_data
from shopsync.simulators.tripletex.state import Simulator

CONFIG = SimulatorConfig(seed=7, customers=60, products=25, orders=40)


def seeded(config: SimulatorConfig = CONFIG) -> Simulator:
    sim = Simulator(config)
    seed_data(sim, config)
    return sim


def dump(sim: Simulator, table: str) -> list[str]:
    return [r[0] for r in sim.store.rows(f"SELECT doc FROM {table} ORDER BY id")]


def test_same_seed_same_objects_and_ids() -> None:
    """Two simulators seeded alike hold byte-identical customers, products, orders and lines."""
    a, b = seeded(), seeded()
    for table in ("customer", "address", "product", "orders", "order_line"):
        assert dump(a, table) == dump(b, table)


def test_other_seed_other_data() -> None:
    """A different seed gives different customers."""
    other = seeded(CONFIG.model_copy(update={"seed": 8}))
    assert dump(seeded(), "customer") != dump(other, "customer")


def test_counts_and_norwegian_shape() -> None:
    """The configured counts; companies have valid orgnr, addresses are Norwegian with postcodes."""
    sim = seeded()
    customers = [json.loads(d) for d in dump(sim, "customer")]
    assert len(customers) == 60
    assert len(dump(sim, "product")) == 25
    assert len(dump(sim, "orders")) == 40
    companies = [c for c in customers if not c.get("isPrivateIndividual")]
    assert companies and all(is_valid_orgnr(c["organizationNumber"]) for c in companies)
    assert [c["customerNumber"] for c in customers] == list(range(10001, 10061))
    address = sim.store.get("Address", customers[0]["postalAddress"]) or {}
    assert address["country"] == 161 and len(address["postalCode"]) == 4 and address["city"]


def test_products_are_unique_and_priced_with_their_vat() -> None:
    """Unique names and numbers; the price including VAT follows the product's VAT rate."""
    sim = seeded()
    products = [json.loads(d) for d in dump(sim, "product")]
    assert len({p["name"] for p in products}) == len(products)
    assert len({p["number"] for p in products}) == len(products)
    for p in products:
        assert p["vatType"] in OUTGOING_VAT_IDS
        rate = Decimal((sim.refdata.get("VatType", p["vatType"]) or {})["percentage"]) / 100
        expected = (Decimal(p["priceExcludingVatCurrency"]) * (1 + rate)).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        assert Decimal(p["priceIncludingVatCurrency"]) == expected


def test_orders_have_lines_that_point_back() -> None:
    """Every order has 1-5 lines, each line names its order and carries computed amounts."""
    sim = seeded()
    for raw in dump(sim, "orders"):
        order = json.loads(raw)
        assert 1 <= len(order["orderLines"]) <= 5
        lines = sim.store.get_many("OrderLine", order["orderLines"])
        assert all(line["order"] == order["id"] for line in lines.values())
        assert all(Decimal(line["amountIncludingVatCurrency"]) > 0 for line in lines.values())


def test_ean13_check_digit() -> None:
    """Generated EANs are Norwegian (70…) with a correct check digit."""
    code = ean13(random.Random(1))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code[:12]))
    assert code.startswith("70") and len(code) == 13 and int(code[12]) == (10 - total % 10) % 10
