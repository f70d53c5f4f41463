"""Validation: 422 code 18000 messages for the rules clients run into."""

from __future__ import annotations

from typing import Any

import pytest

from shopsync.simulators.tripletex.bodies import map_object
from shopsync.simulators.tripletex.config import SimulatorConfig
from shopsync.simulators.tripletex.customers import create_customers
from shopsync.simulators.tripletex.errors import ApiError
from shopsync.simulators.tripletex.orders import create_orders
from shopsync.simulators.tripletex.products import create_products
from shopsync.simulators.tripletex.state import Simulator


@pytest.fixture
def sim() -> Simulator:
    """An empty simulated company."""
    return Simulator(SimulatorConfig())


def failure(call: Any) -> list[tuple[str | None, str | None]]:
    """(field, path) of every validation message of a 422 18000."""
    with pytest.raises(ApiError) as info:
        call()
    assert (info.value.status, info.value.code) == (422, 18000)
    return [(m["field"], m["path"]) for m in info.value.validation_messages or []]


def test_customer_needs_a_name_and_valid_email(sim: Simulator) -> None:
    """Missing name and a malformed e-mail are both reported, with ``null.<field>`` paths."""
    body = map_object("Customer", {"email": "not-an-address"})
    assert failure(lambda: create_customers(sim, "h", [body], batch=False)) == [
        ("name", "null.name"),
        ("email", "null.email"),
    ]


def test_id_or_version_in_a_post_is_rejected(sim: Simulator) -> None:
    """ "ID kan ikke settes når man oppretter et objekt."."""
    body = map_object("Customer", {"id": 5, "name": "X"})
    with pytest.raises(ApiError) as info:
        create_customers(sim, "h", [body], batch=False)
    assert info.value.validation_messages
    assert info.value.validation_messages[0]["message"] == "ID kan ikke settes når man oppretter et objekt."


def test_batch_fails_whole_and_indexes_paths(sim: Simulator) -> None:
    """One bad item fails the call; the message path is indexed from the array."""
    items = [map_object("Customer", {"name": "Ok"}), map_object("Customer", {"name": ""})]
    assert failure(lambda: create_customers(sim, "h", items, batch=True)) == [("name", "[1].name")]
    assert sim.store.count("Customer", "1=1", ()) == 0


def test_product_number_and_name_must_be_unique(sim: Simulator) -> None:
    """A second product with the same number or name is 422 18000 ("Produktnummeret N er i bruk.")."""
    create_products(sim, "h", [map_object("Product", {"name": "Vare", "number": "10"})], batch=False)
    with pytest.raises(ApiError) as info:
        create_products(sim, "h", [map_object("Product", {"name": "Vare", "number": "10"})], batch=False)
    messages = {m["field"]: m["message"] for m in info.value.validation_messages or []}
    assert messages["number"] == "Produktnummeret 10 er i bruk."
    assert "name" in messages


def test_unknown_or_incoming_vat_type_is_invalid(sim: Simulator) -> None:
    """Only outgoing VAT types may be used on products ("Ugyldig mva-kode.")."""
    for vat in (1, 999):
        body = map_object("Product", {"name": f"V{vat}", "vatType": {"id": vat}})
        assert failure(lambda b=body: create_products(sim, "h", [b], batch=False)) == [
            ("vatType", "null.vatType")
        ]


def test_order_needs_customer_dates_and_sane_lines(sim: Simulator) -> None:
    """No customer, no dates, a missing product and a negative count are all reported."""
    body = map_object("Order", {"orderLines": [{"product": {"id": 42}, "count": -1}]})
    fields = [f for f, _ in failure(lambda: create_orders(sim, "h", [body], batch=False))]
    assert fields == [
        "customer",
        "orderDate",
        "deliveryDate",
        "orderLines[0].product.id",
        "orderLines[0].count",
    ]


def test_order_batch_is_limited_to_100(sim: Simulator) -> None:
    """``POST /order/list`` takes at most 100 orders."""
    with pytest.raises(ApiError) as info:
        create_orders(sim, "h", [map_object("Order", {})] * 101, batch=True)
    assert info.value.status == 422
