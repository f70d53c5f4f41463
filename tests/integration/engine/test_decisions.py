"""A person's decisions end to end: conflicts resolved by hand, reviews decided, dead letters replayed."""

from __future__ import annotations

from typing import Any

import pytest

from shopsync.engine import AlreadySettled, InvalidDecision, UnknownItem
from shopsync.tripletex import Customer, Order

from .conftest import World, Worlds
from .test_orders import synced_world

CUSTOMERS = {"customers": 6, "products": 0, "orders": 0}
ONLY = {"entities": ("customer",)}
MANUAL = {**ONLY, "conflict_policy": "manual"}


async def held_conflict(w: World) -> tuple[dict[str, Any], int]:
    """Both sides rename one company customer differently under the manual policy: an open conflict."""
    await w.sync()
    record = next(r for r in await w.shop_list("customers") if r["type"] == "company")
    tid = w.store.tripletex_id_for("customer", record["id"])
    assert tid is not None
    await w.shop_call("PATCH", f"/customers/{record['id']}", {"company_name": "Butikknavn AS"})
    current = await w.admin.customers.get(tid)
    await w.admin.customers.update(Customer(id=tid, version=current.version, name="Regnskapsnavn AS"))
    assert (await w.sync()).exit_code == 1
    return record, tid


@pytest.mark.parametrize(
    ("winner", "expected"), [("webshop", "Butikknavn AS"), ("tripletex", "Regnskapsnavn AS")]
)
async def test_a_resolved_conflict_is_written_now_and_does_not_come_back(
    world: Worlds, winner: str, expected: str
) -> None:
    """The person's winner reaches the other side at once; the next passes write nothing, and the
    conflict stays resolved. A later edit on both sides is a new conflict (the decision no longer fits)."""
    w = await world(shop=CUSTOMERS, options=MANUAL)
    record, tid = await held_conflict(w)
    [conflict] = w.store.open_conflicts("customer")
    # While the conflict is held, a webhook for one side must not overwrite the other side's value.
    await w.engine().sync_records("customer", "webshop", [record["id"]])
    assert (await w.admin.customers.get(tid, fields="name")).name == "Regnskapsnavn AS"
    resolved = await w.engine().resolve_conflict(conflict.id, winner)
    assert (resolved.status, resolved.winner) == ("resolved", winner)
    assert (await w.shop_call("GET", f"/customers/{record['id']}"))["company_name"] == expected
    assert (await w.admin.customers.get(tid, fields="name")).name == expected
    assert w.store.open_conflicts() == [] and w.store.queued_work() == []
    writes = (w.tx_writes(), w.shop_writes())
    again = await w.sync()
    assert again.in_sync and again.total().writes == 0 and (w.tx_writes(), w.shop_writes()) == writes
    assert [c.status for c in w.store.conflicts_for("customer", record["id"])] == ["resolved"]
    timeline = [
        e.detail for e in w.store.timeline("customer", webshop_id=record["id"]) if e.action == "conflict"
    ]
    assert any(d.get("decided_by") == "person" and d.get("applied") for d in timeline)
    # Both sides change the name again: the old decision does not decide the new conflict.
    await w.shop_call("PATCH", f"/customers/{record['id']}", {"company_name": "Tredje AS"})
    current = await w.admin.customers.get(tid)
    await w.admin.customers.update(Customer(id=tid, version=current.version, name="Fjerde AS"))
    assert (await w.sync()).exit_code == 1
    assert [c.field for c in w.store.open_conflicts("customer")] == ["name"]


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
async def test_a_decision_without_apply_is_queued_for_the_next_queue_run(world: Worlds) -> None:
    """``apply=False`` only records and queues; ``process_queue`` then writes the winner's value."""
    w = await world(shop=CUSTOMERS, options=MANUAL)
    record, _tid = await held_conflict(w)
    [conflict] = w.store.open_conflicts("customer")
    engine = w.engine()
    writes = (w.tx_writes(), w.shop_writes())
    await engine.resolve_conflict(conflict.id, "tripletex", apply=False)
    assert (w.tx_writes(), w.shop_writes()) == writes
    [queued] = w.store.queued_work("customer")
    assert queued.reason == "conflict resolved: name -> tripletex"
    summary = await engine.process_queue()
    assert summary is not None and summary.in_sync
    assert (await w.shop_call("GET", f"/customers/{record['id']}"))["company_name"] == "Regnskapsnavn AS"
    with pytest.raises(AlreadySettled, match="already resolved"):
        await engine.resolve_conflict(conflict.id, "webshop")
    with pytest.raises(UnknownItem, match="no conflict with id 999"):
        await engine.resolve_conflict(999, "webshop")
    with pytest.raises(InvalidDecision, match="not 'both'"):
        await engine.resolve_conflict(conflict.id, "both")


async def twins(w: World) -> tuple[dict[str, Any], list[int]]:
    """Two Tripletex customers share a shop customer's e-mail: three open reviews."""
    record = next(c for c in await w.shop_list("customers") if c["type"] == "private")
    ids = []
    for name in ("Tvilling En", "Tvilling To"):
        created = await w.admin.customers.create(
            Customer.model_validate(
                {
                    "name": name,
                    "email": record["email"],
                    "isPrivateIndividual": True,
                    "postalAddress": {"addressLine1": "Gata 2", "postalCode": "5003", "city": "Bergen"},
                }
            )
        )
        assert created.id is not None
        ids.append(created.id)
    assert (await w.sync()).exit_code == 1
    return record, ids


async def test_review_link_then_create_then_idle(world: Worlds) -> None:
    """Linking to a candidate merges without overwriting filled values with empty ones and settles the
    candidate's own review; the other twin, decided ``create``, becomes a new shop customer."""
    w = await world(shop=CUSTOMERS, options=ONLY)
    record, (first, second) = await twins(w)
    engine = w.engine()
    review = w.store.review_for("customer", "webshop", record["id"])
    assert review is not None
    with pytest.raises(InvalidDecision, match="one of its candidates"):
        await engine.resolve_review(review.id, "link", 12345)
    linked = await engine.resolve_review(review.id, "link", first)
    assert linked.status == "linked"
    assert w.store.tripletex_id_for("customer", record["id"]) == first
    assert w.store.review_for("customer", "tripletex", first) is None
    tx = await w.admin.customers.get(first, fields="postalAddress(addressLine2),phoneNumberMobile")
    assert record["phone"] and tx.phoneNumberMobile  # the empty Tripletex value was filled from the shop
    shop_now = await w.shop_call("GET", f"/customers/{record['id']}")
    assert shop_now["phone"] == record["phone"]  # an empty Tripletex value never overwrote the shop's
    other = w.store.review_for("customer", "tripletex", second)
    assert other is not None
    created = await engine.resolve_review(other.id, "create")
    assert created.status == "created"
    partner = w.store.webshop_id_for("customer", second)
    assert partner is not None and partner != record["id"]
    assert (await w.shop_call("GET", f"/customers/{partner}"))["last_name"] == "To"
    writes = (w.tx_writes(), w.shop_writes())
    idle = await w.sync()
    assert idle.in_sync and (w.tx_writes(), w.shop_writes()) == writes
    with pytest.raises(AlreadySettled):
        await engine.resolve_review(other.id, "dismiss")


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
async def test_review_create_and_dismiss(world: Worlds) -> None:
    """``create`` for the shop record makes a third Tripletex customer (no new review); ``dismiss``
    leaves a twin alone for good: it is neither matched nor created again."""
    w = await world(shop=CUSTOMERS, options=ONLY)
    record, (first, second) = await twins(w)
    engine = w.engine()
    review = w.store.review_for("customer", "webshop", record["id"])
    assert review is not None
    with pytest.raises(InvalidDecision, match="only given to link"):
        await engine.resolve_review(review.id, "create", first)
    with pytest.raises(InvalidDecision, match="link, create, dismiss"):
        await engine.resolve_review(review.id, "merge")
    await engine.resolve_review(review.id, "create")
    tid = w.store.tripletex_id_for("customer", record["id"])
    assert tid is not None and tid not in (first, second)
    for twin in (first, second):
        item = w.store.review_for("customer", "tripletex", twin)
        assert item is not None
        assert (await engine.resolve_review(item.id, "dismiss")).status == "dismissed"
    summary = await w.sync()
    assert summary.in_sync, summary
    assert w.store.webshop_id_for("customer", first) is None and w.store.open_reviews() == []
    with pytest.raises(UnknownItem):
        await engine.resolve_review(4242, "dismiss")


async def test_replay_closes_fixed_dead_letters_and_keeps_failing_ones(world: Worlds) -> None:
    """A fixed record replays (its dead letter closed); a still-bad one stays open with attempts + 1 and
    the new reason; a deleted one says it no longer exists; unknown and closed ids are refused."""
    w = await world(shop={"customers": 5, "products": 0, "orders": 0}, options=ONLY)
    shop = await w.shop_list("customers")
    fixed, still_bad, deleted = shop[0], shop[1], shop[2]
    for record in (fixed, still_bad, deleted):
        await w.shop_call("PATCH", f"/customers/{record['id']}", {"email": "ola;kari@example.no"})
    first = await w.sync()
    assert first.of("customer", "webshop").dead_lettered == 3
    letters = {d.record_id: d for d in w.store.open_dead_letters("customer")}
    await w.shop_call("PATCH", f"/customers/{fixed['id']}", {"email": "ola.kari@example.no"})
    await w.shop_call("PATCH", f"/customers/{still_bad['id']}", {"email": "kari;ola@example.no"})
    await w.shop_call("DELETE", f"/customers/{deleted['id']}")
    engine = w.engine()
    with pytest.raises(UnknownItem, match="no dead letter with id 9999"):
        await engine.replay([letters[fixed["id"]].id, 9999])
    summary = await engine.replay()
    assert summary.of("customer", "tripletex").created == 1
    assert summary.of("customer", "webshop").dead_lettered == 1
    after = {d: w.store.dead_letter_by_id(letters[d].id) for d in letters}
    assert after[fixed["id"]].status == "replayed"  # type: ignore[union-attr]
    bad = after[still_bad["id"]]
    assert bad is not None and (bad.status, bad.attempts) == ("open", 2)
    assert (
        "Ugyldig e-postadresse" in bad.reason
        and bad.last_attempt_at > letters[still_bad["id"]].last_attempt_at
    )
    gone = after[deleted["id"]]
    assert gone is not None and gone.status == "open" and "no longer exists" in gone.reason
    with pytest.raises(AlreadySettled, match="already replayed"):
        await engine.replay([letters[fixed["id"]].id])


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
async def test_a_locked_order_conflict_is_settled_by_keeping_tripletex_s_value(world: Worlds) -> None:
    """A closed Tripletex order takes no edits: the shop's value cannot win, Tripletex's flows back."""
    w = await synced_world(world, shop={"customers": 4, "products": 4, "orders": 2})
    order = (await w.shop_list("orders"))[0]
    tid = w.store.tripletex_id_for("order", order["id"])
    assert tid is not None
    current = await w.admin.orders.get(tid, fields="id,version,deliveryComment")
    await w.admin.orders.update(Order(id=tid, version=current.version, isClosed=True))
    await w.shop_call("PATCH", f"/orders/{order['id']}", {"note": "Endret etter fakturering"})
    assert (await w.sync()).exit_code == 1
    [conflict] = w.store.open_conflicts("order")
    engine = w.engine()
    with pytest.raises(InvalidDecision, match="takes no edits"):
        await engine.resolve_conflict(conflict.id, "webshop")
    await engine.resolve_conflict(conflict.id, "tripletex")
    assert (await w.shop_call("GET", f"/orders/{order['id']}"))["note"] == (current.deliveryComment or None)
    writes = (w.tx_writes(), w.shop_writes())
    again = await w.sync()
    assert again.in_sync, again
    assert (w.tx_writes(), w.shop_writes()) == writes and w.store.open_conflicts() == []
