"""``process_queue``: the queued work (what webhooks enqueue) synced without feed reads or scans."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shopsync.connectors.webshop import WebshopConnector
from shopsync.engine.tripletex_side import TripletexSide
from shopsync.tripletex import Customer

from .conftest import World, Worlds
from .test_orders import WIDE, unique_product_names

SHOP = {"customers": 6, "products": 4, "orders": 3}


def forbid_feeds_and_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any change-feed read or Tripletex scan fail the test."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("process_queue must not read a feed or scan Tripletex")

    for name in ("scan", "scan_dates", "changed_since"):
        monkeypatch.setattr(TripletexSide, name, refuse)
    monkeypatch.setattr(WebshopConnector, "changes", refuse)
    monkeypatch.setattr(WebshopConnector, "all_ids", refuse)


async def synced(world: Worlds) -> World:
    w = await world(shop=SHOP, options=WIDE)
    await unique_product_names(w)
    assert (await w.sync()).in_sync
    return w


def new_customer(email: str) -> dict[str, Any]:
    address = {"line1": "Storgata 1", "postal_code": "0155", "city": "Oslo", "country": "NO"}
    return {
        "type": "private",
        "first_name": "Kari",
        "last_name": "Kø",
        "email": email,
        "billing_address": address,
    }


async def test_queued_records_of_both_sides_sync_without_feeds_or_scans(
    world: Worlds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shop edit, a Tripletex edit and a new shop customer, each queued as a webhook would: one call
    syncs all three (the new customer matched by searching, not scanning) and empties the queue."""
    w = await synced(world)
    a, b = (await w.shop_list("customers"))[:2]
    await w.shop_call("PATCH", f"/customers/{a['id']}", {"phone": "45454545"})
    tid_b = w.store.tripletex_id_for("customer", b["id"])
    assert tid_b is not None
    current = await w.admin.customers.get(tid_b)
    await w.admin.customers.update(
        Customer(id=tid_b, version=current.version, email="fra.regnskap@example.no")
    )
    created = await w.shop_call("POST", "/customers", new_customer("kari.ko@example.no"))
    for side, record in (("webshop", a["id"]), ("tripletex", tid_b), ("webshop", created["id"])):
        w.store.enqueue("customer", side, record, "webhook")
    forbid_feeds_and_scans(monkeypatch)
    summary = await w.engine().process_queue()
    assert summary is not None and summary.in_sync, summary
    assert summary.entities == ("customer",)
    assert (
        summary.of("customer", "tripletex").updated == 1 and summary.of("customer", "tripletex").created == 1
    )
    assert summary.of("customer", "webshop").updated == 1
    tid_a = w.store.tripletex_id_for("customer", a["id"])
    assert tid_a is not None
    assert (await w.admin.customers.get(tid_a, fields="phoneNumberMobile")).phoneNumberMobile == "45454545"
    assert (await w.shop_call("GET", f"/customers/{b['id']}"))["email"] == "fra.regnskap@example.no"
    assert w.store.tripletex_id_for("customer", created["id"]) is not None
    assert w.store.queued_work() == []
    assert await w.engine().process_queue() is None
    monkeypatch.undo()
    writes = (w.tx_writes(), w.shop_writes())
    assert (await w.sync()).total().writes == 0 and (w.tx_writes(), w.shop_writes()) == writes


async def test_a_queued_shop_customer_matching_a_tripletex_customer_is_linked(
    world: Worlds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matching by search finds an existing Tripletex customer whose e-mail differs only in case."""
    w = await world(shop={"customers": 0, "products": 0, "orders": 0}, options={"entities": ("customer",)})
    existing = await w.admin.customers.create(
        Customer(name="Kari Kø", email="kari.ko@example.no", isPrivateIndividual=True)
    )
    created = await w.shop_call("POST", "/customers", new_customer("Kari.Ko@Example.no"))
    w.store.enqueue("customer", "webshop", created["id"], "webhook")
    forbid_feeds_and_scans(monkeypatch)
    summary = await w.engine().process_queue()
    assert summary is not None and summary.of("customer", "tripletex").linked == 1
    assert w.store.tripletex_id_for("customer", created["id"]) == existing.id


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
async def test_a_record_waiting_for_its_customer_is_deferred_not_spun_on(
    world: Worlds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An order whose new customer is not synced yet waits with a back-off (process_queue then has
    nothing due); once its customer is queued and synced, a full pass brings the order over."""
    w = await synced(world)
    customer = await w.shop_call("POST", "/customers", new_customer("ny.kunde@example.no"))
    template = (await w.shop_list("orders"))[0]
    lines = [{k: v for k, v in line.items() if k != "id"} for line in template["lines"]]
    order = await w.shop_call(
        "POST",
        "/orders",
        {
            "number": "Q-1001",
            "customer_id": customer["id"],
            "ordered_at": template["ordered_at"],
            "billing_address": template["billing_address"],
            "lines": lines,
            "shipping_cost": template["shipping_cost"],
        },
    )
    w.store.enqueue("order", "webshop", order["id"], "webhook")
    forbid_feeds_and_scans(monkeypatch)
    engine = w.engine()
    first = await engine.process_queue()
    assert first is not None and first.of("order", "webshop").waiting == 1
    [waiting] = w.store.queued_work("order")
    assert waiting.attempts == 1 and waiting.not_before > dt.datetime.now(dt.UTC)
    assert "customer" in waiting.reason
    assert await engine.process_queue() is None  # nothing due: the order is deferred
    w.store.enqueue("customer", "webshop", customer["id"], "webhook")
    second = await engine.process_queue()
    assert second is not None and second.of("customer", "tripletex").created == 1
    monkeypatch.undo()
    w.store.enqueue("order", "webshop", order["id"], "webhook")  # a new webhook makes it due again
    third = await engine.process_queue()
    assert third is not None and third.of("order", "tripletex").created == 1 and third.in_sync
    assert w.store.queued_work() == []


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
async def test_a_queued_item_that_cannot_name_a_tripletex_record_is_dead_lettered(world: Worlds) -> None:
    """A queued Tripletex id that is not a number cannot be read: it is dead-lettered with the reason."""
    w = await world(shop={"customers": 2, "products": 0, "orders": 0}, options={"entities": ("customer",)})
    w.store.enqueue("customer", "tripletex", "abc", "webhook")
    assert await w.engine().process_queue() is None
    [letter] = w.store.open_dead_letters("customer")
    assert (letter.side, letter.record_id) == ("tripletex", "abc") and "not a Tripletex id" in letter.reason
    assert w.store.queued_work() == []
    with pytest.raises(ValueError, match="whole numbers"):
        await w.engine().sync_records("customer", "tripletex", ["abc"])
