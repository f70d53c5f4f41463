"""MemoryConnector: the contract's rules in memory, every call recorded, faults on demand."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from shopsync.connectors.base import (
    AmbiguousWriteError,
    Conflict,
    Connector,
    NotFound,
    PreconditionFailed,
    Product,
    ValidationFailed,
)
from shopsync.connectors.memory import Call, MemoryConnector
from shopsync.connectors.webshop import WebshopAPIConfig, WebshopConnector

NEW = {"sku": "KOPP-01", "name": "Kaffekopp", "price": "89.50", "currency": "NOK", "vat_rate": "25.00"}


def ticking() -> MemoryConnector:
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    seconds = itertools.count()
    return MemoryConnector(page_size=2, clock=lambda: start + dt.timedelta(seconds=next(seconds)))


def test_both_connectors_satisfy_the_protocol() -> None:
    """The engine can take either: they implement the same ``Connector`` protocol."""
    assert isinstance(MemoryConnector(), Connector)
    assert isinstance(WebshopConnector(WebshopAPIConfig()), Connector)


async def test_every_protocol_call_is_recorded_with_its_arguments() -> None:
    """Tests can assert exactly what the engine asked for; ``put`` (set-up) is not recorded."""
    shop = ticking()
    shop.put("products", {**NEW, "sku": "SETUP"})
    created = await shop.create("products", NEW, idempotency_key="k1")
    await shop.update("products", str(created.id), {"price": "99.00"}, if_match=1)
    await shop.find("products", sku="KOPP-01")
    assert [c.method for c in shop.calls] == ["create", "update", "find"]
    assert shop.calls[1] == Call(
        "update", "products", {"id": created.id, "patch": {"price": "99.00"}, "if_match": 1}
    )
    assert shop.calls_of("create")[0].args["idempotency_key"] == "k1"


async def test_idempotency_keys_replay_and_refuse_a_different_body() -> None:
    """The same key and body replays the first answer; the same key with another body is a 409."""
    shop = ticking()
    first = await shop.create("products", NEW, idempotency_key="k")
    again = await shop.create("products", NEW, idempotency_key="k")
    assert again == first and len(shop.records("products")) == 1
    with pytest.raises(Conflict):
        await shop.create("products", {**NEW, "name": "Other"}, idempotency_key="k")


async def test_versions_if_match_and_no_op_updates() -> None:
    """Each effective change bumps the version; a stale If-Match is refused; a no-op keeps the version."""
    shop = ticking()
    product = await shop.create("products", NEW)
    updated = await shop.update("products", str(product.id), {"price": "99.00"}, if_match=1)
    assert isinstance(updated, Product) and updated.version == 2 and updated.price == 99
    same = await shop.update("products", str(product.id), {"price": "99.00"})
    assert same.version == 2
    with pytest.raises(PreconditionFailed):
        await shop.update("products", str(product.id), {"price": "1.00"}, if_match=1)
    with pytest.raises(PreconditionFailed):
        await shop.delete("products", str(product.id), if_match=1)


async def test_input_is_validated_and_unique_keys_enforced() -> None:
    """Invalid records are refused with field messages; duplicate SKUs conflict."""
    shop = ticking()
    with pytest.raises(ValidationFailed) as info:
        await shop.create("products", {**NEW, "price": 12.5})
    assert info.value.fields[0].field == "price"
    await shop.create("products", NEW)
    with pytest.raises(Conflict):
        await shop.create("products", NEW)


async def test_the_change_feed_pages_resumes_and_reports_deletions() -> None:
    """Changes come in order, in pages; a cursor resumes after its page; deletes become tombstones."""
    shop = ticking()
    made = [await shop.create("products", {**NEW, "sku": f"S{n}"}) for n in range(3)]
    pages = [p async for p in shop.changes("products", None)]
    assert [[i.id for i in p.items] for p in pages] == [[made[0].id, made[1].id], [made[2].id]]
    cursor = pages[-1].cursor
    assert [p.items for p in [p async for p in shop.changes("products", cursor)]] == [[]]
    await shop.delete("products", str(made[0].id))
    news = [p async for p in shop.changes("products", cursor)]
    assert [t.id for p in news for t in p.tombstones] == [made[0].id]
    with pytest.raises(NotFound):
        await shop.get("products", str(made[0].id))
    assert await shop.all_ids("products") == {made[1].id, made[2].id}


async def test_faults_can_fire_before_or_after_the_write() -> None:
    """``after_commit`` stores the record and then fails: the ambiguous case the engine must settle."""
    shop = ticking()
    shop.fail_next("create", AmbiguousWriteError("lost answer"), after_commit=True)
    with pytest.raises(AmbiguousWriteError):
        await shop.create("products", NEW)
    assert [p.sku for p in shop.records("products") if isinstance(p, Product)] == ["KOPP-01"]
    shop.fail_next("get", NotFound("gone"))
    with pytest.raises(NotFound):
        await shop.get("products", str(shop.records("products")[0].id))


async def test_settings_and_capabilities() -> None:
    """Settings are as given; capabilities state tombstones and the unique keys."""
    shop = MemoryConnector(tombstones=False)
    assert (await shop.shop_settings()).currency == "NOK"
    caps = shop.capabilities("products")
    assert (
        not caps.tombstones
        and caps.natural_key == "sku"
        and shop.capabilities("customers").natural_key is None
    )
    assert isinstance(shop.records("products"), list) and "MemoryConnector" in repr(shop)
    product = shop.put("products", Product.model_validate({**NEW}))
    assert product.version == 1
