"""The dry run's stand-ins: placeholder ids, answers shaped like the systems', planned actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from shopsync.connectors import base as shop
from shopsync.engine.dry_run import DryTripletex, DryWebshop, Placeholders, _merge_patch, actions_from_events
from shopsync.engine.summary import PlannedAction
from shopsync.state import Event
from shopsync.tripletex import Order, Product

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


class _Resource:
    """A Tripletex resource that must never be written."""

    async def create_many(self, objs: Any) -> Any:
        raise AssertionError("written")

    async def update(self, obj: Any, **_: Any) -> Any:
        raise AssertionError("written")

    async def iterate(self, **_: Any) -> Any:
        return "read through"


class _Client:
    products = _Resource()
    orders = _Resource()
    settings = "not a resource"


def _event(n: int, action: str, side: str | None, webshop_id: str | None, tripletex_id: int | None) -> Event:
    return Event(n, "customer", webshop_id, tripletex_id, side, action, {"fields": ["name"]}, NOW)


async def test_tripletex_writes_answer_without_being_sent() -> None:
    """Creates get placeholder ids below zero, updates the next version; new lines come after kept ones."""
    ids = Placeholders()
    tx: Any = DryTripletex(_Client(), ids)  # type: ignore[arg-type]
    assert tx.settings == "not a resource" and await tx.products.iterate() == "read through"
    [created] = await tx.products.create_many([Product(name="Kaffe", number="K-1")])
    assert created.id is not None and created.id < 0 and created.version == 0
    assert await tx.products.get(created.id) is created
    updated = await tx.products.update(Product(id=5, version=3, name="Te"))
    assert (updated.id, updated.version, updated.name) == (5, 4, "Te")
    order = Order.model_validate(
        {"id": 9, "version": 1, "orderLines": [{"description": "ny"}, {"id": 77, "description": "gammel"}]}
    )
    answer = await tx.orders.update(order, update_lines_and_groups=True)
    assert answer.orderLines[0].id == 77
    assert answer.orderLines[1].id < 0 and answer.orderLines[1].description == "ny"


async def test_webshop_writes_answer_as_the_shop_would_or_refuse_as_it_would() -> None:
    """A create becomes a stored record with a ``plan-N`` id; an update applies the merge patch; a
    record the contract model refuses raises ``ValidationFailed`` naming the field."""

    class Real:
        async def shop_settings(self) -> shop.ShopSettings:
            return shop.ShopSettings(currency="NOK", prices_include_vat=True)

    ids = Placeholders()
    web = DryWebshop(Real(), ids, lambda: NOW)  # type: ignore[arg-type]
    created = await web.create(
        "products", {"sku": "K-1", "name": "Kaffe", "price": "10.00", "vat_rate": "15.00"}
    )
    assert isinstance(created, shop.Product) and created.currency == "NOK"
    assert created.id == "plan-1" and created.version == 1
    assert ids.is_placeholder("webshop", created.id) and not ids.is_placeholder("webshop", "17")
    renamed = await web.update("products", "plan-1", {"name": "Te"})
    assert isinstance(renamed, shop.Product) and (renamed.name, renamed.version, renamed.price) == (
        "Te",
        2,
        Decimal("10.00"),
    )
    with pytest.raises(shop.ValidationFailed) as refused:
        await web.create("products", {"sku": "K-2", "price": "10.00", "vat_rate": "15.00"})
    assert refused.value.fields[0].field == "name"


def test_merge_patch_merges_objects_replaces_lists_and_removes_nulls() -> None:
    current = {"a": {"x": 1, "y": 2}, "lines": [1, 2], "gone": 1}
    patched = _merge_patch(current, {"a": {"y": 3}, "lines": [3], "gone": None})
    assert patched == {"a": {"x": 1, "y": 3}, "lines": [3]}


def test_planned_actions_from_a_timeline_leave_out_ids_not_known_before_the_pass() -> None:
    """A record created on a side has no id there yet; placeholders never show; waits are not events."""
    ids = Placeholders()
    fake = ids.tripletex_id()
    events = [
        _event(1, "created", "tripletex", "17", fake),
        _event(2, "created", "webshop", ids.webshop_id(), 42),
        _event(3, "updated", "webshop", "18", 43),
        _event(4, "linked", None, "19", 44),
        _event(5, "renamed", "tripletex", "17", fake),
    ]
    planned = actions_from_events(events, ids)
    assert [(a.action, a.side, a.webshop_id, a.tripletex_id) for a in planned] == [
        ("create", "tripletex", "17", None),
        ("create", "webshop", None, 42),
        ("update", "webshop", "18", 43),
        ("link", None, "19", 44),
    ]
    assert str(planned[2]) == "update customer in webshop (webshop 18, tripletex 43): name"
    assert PlannedAction("customer", "wait", "webshop", "5", None) == PlannedAction(
        "customer", "wait", "webshop", "5", None, {"reason": "x"}
    )
