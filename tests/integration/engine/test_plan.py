"""The dry run (``SyncEngine.plan``): what the next pass would do, with nothing written anywhere — and
exactly what the real pass after it then does."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa

from shopsync.engine import PassSummary
from shopsync.engine.dry_run import actions_from_events
from shopsync.engine.summary import PlannedAction
from shopsync.state import StateStore
from shopsync.state.tables import metadata
from shopsync.tripletex import Customer, Product

from .conftest import World, Worlds
from .test_orders import WIDE

SHOP = {"customers": 8, "products": 6, "orders": 4}


def state_rows(store: StateStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every state table (all tenants), in a stable order."""
    out = {}
    with store.engine.connect() as c:
        for table in metadata.sorted_tables:
            rows = c.execute(sa.select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def key(action: PlannedAction) -> tuple[Any, ...]:
    return (
        action.entity,
        action.action,
        action.side,
        action.webshop_id,
        action.tripletex_id,
        tuple(action.detail.get("fields") or ()),
    )


async def plan_then_pass(w: World) -> tuple[PassSummary, PassSummary]:
    """A plan (proven to write nothing anywhere), then the real pass; their actions must agree."""
    state, writes = state_rows(w.store), (w.tx_writes(), w.shop_writes())
    planned = await w.engine().plan()
    assert planned.dry_run and planned.pass_id is None
    assert state_rows(w.store) == state, "the plan changed the state store"
    assert (w.tx_writes(), w.shop_writes()) == writes, "the plan wrote to a system"
    last_event = max((e.id for e in w.store.recent_events(1)), default=0)
    done = await w.sync()
    events = sorted((e for e in w.store.recent_events(100_000) if e.id > last_event), key=lambda e: e.id)
    real = [a for a in actions_from_events(events)]
    real += [
        PlannedAction(e, "wait", s, i if s == "webshop" else None, int(i) if s == "tripletex" else None)
        for e, s, i in sorted((item.entity, item.side, item.record_id) for item in w.store.queued_work())
    ]
    assert Counter(map(key, planned.planned)) == Counter(map(key, real))
    for entity, per_side in done.counts.items():
        for side, counts in per_side.items():
            mine = planned.of(entity, side)
            assert (mine.created, mine.updated, mine.linked, mine.deactivated, mine.dead_lettered) == (
                counts.created,
                counts.updated,
                counts.linked,
                counts.deactivated,
                counts.dead_lettered,
            ), (entity, side)
    return planned, done


async def test_a_plan_writes_nothing_and_matches_the_pass_after_it(world: Worlds) -> None:
    """An initial load, then edits on both sides, a match, a delete and a record that cannot be
    mapped: each plan leaves the state tables and both simulators' write counters untouched and lists
    exactly the creates, updates, links, deactivations and dead letters the real pass then makes."""
    w = await world(shop=SHOP, options=WIDE)
    first, _ = await plan_then_pass(w)
    creates = Counter((a.entity, a.side) for a in first.planned if a.action == "create")
    assert creates == {("customer", "tripletex"): 8, ("product", "tripletex"): 6, ("order", "tripletex"): 4}
    assert all(a.webshop_id is not None and a.tripletex_id is None for a in first.planned)

    ordering = {o["customer_id"] for o in await w.shop_list("orders")}
    customers = sorted(await w.shop_list("customers"), key=lambda c: c["id"] in ordering)
    products = await w.shop_list("products")
    await w.shop_call("PATCH", f"/customers/{customers[0]['id']}", {"phone": "45454545"})
    tid = w.store.tripletex_id_for("product", products[1]["id"])
    assert tid is not None
    current = await w.admin.products.get(tid)
    await w.admin.products.update(Product(id=tid, version=current.version, description="Ny beskrivelse"))
    await w.shop_call("DELETE", f"/customers/{customers[2]['id']}")
    new = await w.shop_call(
        "POST",
        "/customers",
        {
            "type": "private",
            "first_name": "Kari",
            "last_name": "Kø",
            "email": "kari.ko@example.no",
            "billing_address": {"line1": "Gata 1", "postal_code": "0155", "city": "Oslo", "country": "NO"},
        },
    )
    existing = await w.admin.customers.create(
        Customer(name="Kari Kø", email="kari.ko@example.no", isPrivateIndividual=True)
    )
    # No address: the shop needs one, so the mapping refuses to create it there (a dead letter).
    lonely = await w.admin.customers.create(Customer(name="Uten Adresse AS", email="uten@adresse.no"))
    second, _ = await plan_then_pass(w)
    actions = {(a.entity, a.action, a.side, a.webshop_id or a.tripletex_id) for a in second.planned}
    assert ("customer", "update", "tripletex", customers[0]["id"]) in actions
    assert ("product", "update", "webshop", products[1]["id"]) in actions
    assert ("customer", "deactivate", "tripletex", customers[2]["id"]) in actions
    assert ("customer", "link", None, new["id"]) in actions
    assert ("customer", "dead_letter", "tripletex", lonely.id) in actions
    assert any(a.tripletex_id == existing.id for a in second.planned if a.action == "link")
    assert "dead letters 1" in "\n".join(second.lines())


async def test_a_plan_for_an_idle_pair_of_systems_is_empty(world: Worlds) -> None:
    """Nothing changed since the last pass: the plan lists nothing and says both sides stay in sync."""
    w = await world(shop={"customers": 4, "products": 0, "orders": 0}, options={"entities": ("customer",)})
    await w.sync()
    planned = await w.engine().plan()
    assert planned.planned == [] and planned.in_sync and planned.total().writes == 0
    assert planned.lines()[0].startswith("plan only: nothing was written")
    assert planned.to_dict()["dry_run"] is True
