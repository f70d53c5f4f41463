"""Customers end to end: initial loads both ways, idle passes, edits on each side, conflicts."""

from __future__ import annotations

import pytest

from shopsync.tripletex import Customer

from .conftest import World, Worlds

CUSTOMERS = {"customers": 12, "products": 0, "orders": 0}
ONLY = {"entities": ("customer",)}


async def _tx_customers(world: World) -> dict[int, Customer]:
    out: dict[int, Customer] = {}
    for inactive in (False, True):
        async for c in world.admin.customers.iterate(
            fields=world.mapping.fields("customer"), is_inactive=inactive
        ):
            assert c.id is not None
            out[c.id] = c
    return out


async def test_seeded_shop_fills_empty_tripletex_then_idles(world: Worlds) -> None:
    """Every shop customer gets one Tripletex customer; the next pass lists only and writes nothing."""
    w = await world(shop=CUSTOMERS, options=ONLY)
    first = await w.sync()
    assert first.of("customer", "tripletex").created == 12
    assert first.in_sync and first.exit_code == 0
    tx = await _tx_customers(w)
    assert len(tx) == 12
    shop = await w.shop_list("customers")
    resolver = await _resolver(w)
    for record in shop:
        tid = w.store.tripletex_id_for("customer", record["id"])
        assert tid in tx
        shop_view = w.mapping.webshop_view("customer", record, resolver)
        tx_view = w.mapping.tripletex_view("customer", tx[tid], resolver)
        for key in ("name", "email", "organization_number", "billing_city", "active"):
            assert w.mapping.same("customer", key, shop_view[key], tx_view[key]), key
    before_tx, before_shop, requests = w.tx_writes(), w.shop_writes(), w.tx_requests()
    second = await w.sync()
    assert w.tx_writes() == before_tx and w.shop_writes() == before_shop
    assert second.total().writes == 0 and second.in_sync
    new_calls = {k: v - requests.get(k, 0) for k, v in w.tx_requests().items() if v != requests.get(k, 0)}
    assert all(k.startswith("GET ") for k in new_calls), new_calls


async def test_seeded_tripletex_fills_empty_shop_then_idles(world: Worlds) -> None:
    """Tripletex customers are created in an empty shop (inactive ones too); then nothing is written."""
    w = await world(
        shop={"seed": None},
        tripletex={"seed": 5, "customers": 10, "products": 0, "orders": 0},
        options=ONLY,
    )
    first = await w.sync()
    tx = await _tx_customers(w)
    assert first.of("customer", "webshop").created == len(tx) == 10
    shop = await w.shop_list("customers")
    assert len(shop) == 10
    assert {w.store.tripletex_id_for("customer", r["id"]) for r in shop} == set(tx)
    before = (w.tx_writes(), w.shop_writes())
    second = await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before
    assert second.total().writes == 0


async def test_edits_flow_both_ways_without_ping_pong(world: Worlds) -> None:
    """A shop edit reaches Tripletex, a Tripletex edit reaches the shop; the pass after writes nothing."""
    w = await world(shop=CUSTOMERS, options=ONLY)
    await w.sync()
    shop = await w.shop_list("customers")
    a, b = shop[0], shop[1]
    address = {**a["billing_address"], "city": "Tromsø"}
    await w.shop_call("PATCH", f"/customers/{a['id']}", {"billing_address": address})
    tid_b = w.store.tripletex_id_for("customer", b["id"])
    assert tid_b is not None
    current = await w.admin.customers.get(tid_b)
    await w.admin.customers.update(Customer(id=tid_b, version=current.version, email="ny.adresse@example.no"))
    summary = await w.sync()
    assert summary.of("customer", "tripletex").updated == 1
    assert summary.of("customer", "webshop").updated == 1
    tid_a = w.store.tripletex_id_for("customer", a["id"])
    assert tid_a is not None
    moved = await w.admin.customers.get(tid_a, fields="postalAddress(city)")
    assert moved.postalAddress is not None and moved.postalAddress.city == "Tromsø"
    assert (await w.shop_call("GET", f"/customers/{b['id']}"))["email"] == "ny.adresse@example.no"
    before = (w.tx_writes(), w.shop_writes())
    again = await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before and again.total().writes == 0


async def test_both_sides_edit_different_fields_of_one_customer(world: Worlds) -> None:
    """The shop changes the city, Tripletex the phone of the same customer: both edits are kept."""
    w = await world(shop=CUSTOMERS, options=ONLY)
    await w.sync()
    record = (await w.shop_list("customers"))[3]
    tid = w.store.tripletex_id_for("customer", record["id"])
    assert tid is not None
    await w.shop_call(
        "PATCH",
        f"/customers/{record['id']}",
        {"billing_address": {**record["billing_address"], "city": "Bodø"}},
    )
    current = await w.admin.customers.get(tid)
    await w.admin.customers.update(Customer(id=tid, version=current.version, phoneNumberMobile="41234567"))
    summary = await w.sync()
    assert summary.in_sync and not w.store.conflicts_for("customer", record["id"])
    shop_now = await w.shop_call("GET", f"/customers/{record['id']}")
    tx_now = await w.admin.customers.get(tid, fields="postalAddress(city),phoneNumberMobile")
    assert shop_now["billing_address"]["city"] == "Bodø" and shop_now["phone"] == "41234567"
    assert tx_now.postalAddress is not None and tx_now.postalAddress.city == "Bodø"


@pytest.mark.parametrize(
    ("policy", "winner", "expected"),
    [("newest_wins", "tripletex", "Fra Tripletex"), ("webshop_wins", "webshop", "Fra Butikken")],
)
async def test_both_sides_edit_the_same_field(world: Worlds, policy: str, winner: str, expected: str) -> None:
    """The same field changed on both sides: the policy picks the value and the conflict is recorded."""
    w = await world(shop=CUSTOMERS, options={**ONLY, "conflict_policy": policy})
    await w.sync()
    record = next(r for r in await w.shop_list("customers") if r["type"] == "company")
    tid = w.store.tripletex_id_for("customer", record["id"])
    assert tid is not None
    await w.shop_call("PATCH", f"/customers/{record['id']}", {"company_name": "Fra Butikken"})
    current = await w.admin.customers.get(tid)
    await w.admin.customers.update(Customer(id=tid, version=current.version, name="Fra Tripletex"))
    summary = await w.sync()
    assert summary.in_sync
    conflicts = w.store.conflicts_for("customer", record["id"])
    assert [(c.field, c.winner, c.status) for c in conflicts] == [("name", winner, "resolved")]
    assert (await w.shop_call("GET", f"/customers/{record['id']}"))["company_name"] == expected
    assert (await w.admin.customers.get(tid, fields="name")).name == expected


async def test_manual_policy_holds_the_field_and_reports_it(world: Worlds) -> None:
    """With the manual policy neither side is overwritten and the open conflict keeps exit code 1."""
    w = await world(shop=CUSTOMERS, options={**ONLY, "conflict_policy": "manual"})
    await w.sync()
    record = next(r for r in await w.shop_list("customers") if r["type"] == "company")
    tid = w.store.tripletex_id_for("customer", record["id"])
    assert tid is not None
    await w.shop_call("PATCH", f"/customers/{record['id']}", {"company_name": "Butikknavn"})
    current = await w.admin.customers.get(tid)
    await w.admin.customers.update(Customer(id=tid, version=current.version, name="Regnskapsnavn"))
    summary = await w.sync()
    assert summary.exit_code == 1
    [conflict] = w.store.open_conflicts("customer")
    assert conflict.field == "name" and conflict.winner is None
    assert (await w.shop_call("GET", f"/customers/{record['id']}"))["company_name"] == "Butikknavn"
    assert (await w.admin.customers.get(tid, fields="name")).name == "Regnskapsnavn"


async def _resolver(w: World):  # type: ignore[no-untyped-def]
    from shopsync.engine.references import References

    return await References(w.client, w.store, await w.connector.shop_settings()).resolver()


async def test_changed_since_between_full_scans(world: Worlds) -> None:
    """With a full scan every third pass, the passes between use ``changedSince`` and still see edits."""
    w = await world(shop=CUSTOMERS, options={**ONLY, "customer_scan_every": 3})
    await w.sync()  # first pass: full scan
    record = (await w.shop_list("customers"))[2]
    tid = w.store.tripletex_id_for("customer", record["id"])
    assert tid is not None
    current = await w.admin.customers.get(tid)
    await w.admin.customers.update(Customer(id=tid, version=current.version, email="endret@example.no"))
    before = w.tx_requests()
    summary = await w.sync()  # second pass: changedSince
    calls = {k: v - before.get(k, 0) for k, v in w.tx_requests().items() if v != before.get(k, 0)}
    assert calls.get("GET /v2/customer") == 2  # changedSince, active and inactive: no scan, no fetch
    assert summary.of("customer", "webshop").updated == 1
    assert (await w.shop_call("GET", f"/customers/{record['id']}"))["email"] == "endret@example.no"
    writes = (w.tx_writes(), w.shop_writes())
    idle = await w.sync()  # third pass: changedSince again; our own write comes back and is skipped
    assert (w.tx_writes(), w.shop_writes()) == writes and idle.total().writes == 0
    cursor = w.store.cursor("tripletex", "customer")
    assert cursor is not None and '"passes_without_scan": 2' in cursor
