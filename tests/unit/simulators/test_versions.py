"""Version rules: starting versions per kind, +1 per effective change, no-op PUTs, stale versions."""

from __future__ import annotations

from typing import Any

import pytest

from shopsync.simulators.tripletex.bodies import map_object
from shopsync.simulators.tripletex.config import SimulatorConfig
from shopsync.simulators.tripletex.customers import create_customers, update_customers
from shopsync.simulators.tripletex.errors import ApiError
from shopsync.simulators.tripletex.orders import create_lines, create_orders, update_line, update_order
from shopsync.simulators.tripletex.products import create_products, update_products
from shopsync.simulators.tripletex.state import Simulator


@pytest.fixture
def sim() -> Simulator:
    """An empty simulated company."""
    return Simulator(SimulatorConfig())


def customer(sim: Simulator, **body: Any) -> dict[str, Any]:
    [doc] = create_customers(sim, "h", [map_object("Customer", {"name": "Kunde AS", **body})], batch=False)
    return doc


def put_customer(sim: Simulator, obj_id: int, **body: Any) -> dict[str, Any]:
    [doc] = update_customers(sim, "h", [(obj_id, map_object("Customer", body))], batch=False)
    return doc


def test_starting_versions_per_kind(sim: Simulator) -> None:
    """Customers start at 1, products and orders at 0, order lines at 1 (as real servers do)."""
    c = customer(sim)
    [p] = create_products(sim, "h", [map_object("Product", {"name": "Vare"})], batch=False)
    order = {"customer": {"id": c["id"]}, "orderDate": "2026-01-05", "deliveryDate": "2026-01-06"}
    [o] = create_orders(sim, "h", [map_object("Order", {**order, "orderLines": [{"count": 1}]})], batch=False)
    line = sim.store.get("OrderLine", o["orderLines"][0])
    assert (c["version"], p["version"], o["version"], line and line["version"]) == (1, 0, 0, 1)


def test_each_effective_change_adds_one(sim: Simulator) -> None:
    """Two real changes give version 3; the stored object agrees."""
    c = customer(sim)
    put_customer(sim, c["id"], email="a@b.no")
    after = put_customer(sim, c["id"], email="c@d.no", version=2)
    assert after["version"] == 3
    assert (sim.store.get("Customer", c["id"]) or {})["version"] == 3


def test_put_that_changes_nothing_keeps_the_version(sim: Simulator) -> None:
    """Sending the current values back is not a change."""
    c = customer(sim, email="a@b.no")
    assert put_customer(sim, c["id"], name="Kunde AS", email="a@b.no")["version"] == 1
    assert len(sim.store.changes("Customer", c["id"])) == 1


def test_stale_version_is_409_8000_and_changes_nothing(sim: Simulator) -> None:
    """A version older than the stored one is a RevisionException; no version means no check."""
    c = customer(sim)
    put_customer(sim, c["id"], email="a@b.no")
    with pytest.raises(ApiError) as info:
        put_customer(sim, c["id"], email="x@y.no", version=1)
    assert (info.value.status, info.value.code, info.value.message) == (409, 8000, "RevisionException")
    assert put_customer(sim, c["id"], email="z@y.no")["version"] == 3


def test_address_change_through_customer_bumps_both(sim: Simulator) -> None:
    """Changing the postal address through the customer changes the address and the customer."""
    c = customer(sim)
    address_before = sim.store.get("Address", c["postalAddress"]) or {}
    after = put_customer(sim, c["id"], postalAddress={"addressLine1": "Ny gate 2"})
    address_after = sim.store.get("Address", c["postalAddress"]) or {}
    assert after["version"] == 2
    assert address_after["version"] == address_before["version"] + 1
    assert address_after["addressLine1"] == "Ny gate 2"


def test_product_and_line_changes(sim: Simulator) -> None:
    """Products and lines follow the same rules; a line change bumps its order too."""
    c = customer(sim)
    [p] = create_products(sim, "h", [map_object("Product", {"name": "Vare", "number": "1"})], batch=False)
    [p2] = update_products(sim, "h", [(p["id"], map_object("Product", {"name": "Vare"}))], batch=False)
    assert p2["version"] == 0
    order = {"customer": {"id": c["id"]}, "orderDate": "2026-01-05", "deliveryDate": "2026-01-06"}
    [o] = create_orders(sim, "h", [map_object("Order", order)], batch=False)
    [line] = create_lines(
        sim, "h", [map_object("OrderLine", {"order": {"id": o["id"]}, "count": 2})], batch=False
    )
    assert (sim.store.get("Order", o["id"]) or {})["version"] == 1
    changed = update_line(sim, "h", line["id"], map_object("OrderLine", {"count": 3, "version": 1}))
    assert changed["version"] == 2
    assert (sim.store.get("Order", o["id"]) or {})["version"] == 2
    same = update_order(sim, "h", o["id"], map_object("Order", {"reference": ""}), replace_lines=False)
    assert same["version"] == 2
