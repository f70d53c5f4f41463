"""Faults: lost answers after commits, interrupted creates, concurrent edits, 429 storms and 5xx noise."""

from __future__ import annotations

from typing import Any

from shopsync.connectors.webshop import WebshopConnector
from shopsync.engine.references import References
from shopsync.state import IntentOp
from shopsync.tripletex import Customer, Resource

from .conftest import World, Worlds

SHOP = {"customers": 12, "products": 8, "orders": 6}
WIDE = {"order_window_days": 2000}


async def unique_product_names(w: World) -> None:
    """Tripletex refuses duplicate product names; the seeded catalogue repeats some."""
    seen: set[str] = set()
    for product in await w.shop_list("products"):
        if product["name"] in seen:
            await w.shop_call(
                "PATCH", f"/products/{product['id']}", {"name": f"{product['name']} {product['sku']}"}
            )
        seen.add(product["name"])


async def tripletex_counts(w: World) -> dict[str, int]:
    """How many customers, products and orders Tripletex holds."""
    customers = 0
    for inactive in (False, True):
        customers += len([c async for c in w.admin.customers.iterate(fields="id", is_inactive=inactive)])
    products = len([p async for p in w.admin.products.iterate(fields="id")])
    window: dict[str, Any] = {"order_date_from": "2020-01-01", "order_date_to": "2030-01-01"}
    orders = len([o async for o in w.admin.orders.iterate(fields="id", **window)])
    return {"customer": customers, "product": products, "order": orders}


async def assert_one_partner_each(w: World) -> None:
    """Every shop record has exactly one Tripletex partner and Tripletex holds nothing else."""
    counts = await tripletex_counts(w)
    for entity, resource in (("customer", "customers"), ("product", "products"), ("order", "orders")):
        records = await w.shop_list(resource)
        ids = {w.store.tripletex_id_for(entity, r["id"]) for r in records}
        assert None not in ids, entity
        assert len(ids) == len(records) == counts[entity], (entity, len(ids), len(records), counts[entity])


async def test_lost_answers_to_batch_creates_make_no_duplicates(world: Worlds) -> None:
    """Tripletex commits the customer, product and order batches but the answers are lost: no duplicates."""
    w = await world(shop=SHOP, options=WIDE)
    await unique_product_names(w)
    w.tx_admin("POST", "/_sim/faults", {"drop_after_commit": 3})
    summary = await w.sync()
    assert w.tx_admin("GET", "/_sim/stats")["faults"].get("drop") == 3
    assert summary.in_sync, summary
    await assert_one_partner_each(w)
    assert not w.store.open_intents()


async def test_lost_answers_to_shop_creates_are_replayed_not_repeated(world: Worlds) -> None:
    """The shop commits creates whose answers are lost: the same Idempotency-Key returns the first record."""
    w = await world(
        shop={"seed": None},
        tripletex={"seed": 4, "customers": 6, "products": 4, "orders": 0},
        options={"entities": ("customer", "product")},
    )
    w.shop_admin("POST", "/_sim/faults", {"drop_after_commit": 4})
    summary = await w.sync()
    assert summary.in_sync, summary
    assert len(await w.shop_list("customers")) == 6 and len(await w.shop_list("products")) == 4
    assert not w.store.open_intents()


async def test_interrupted_create_is_linked_by_its_natural_key(world: Worlds) -> None:
    """A crash after Tripletex stored a create but before the link: the next pass links, never duplicates."""
    w = await world(shop={"customers": 3, "products": 0, "orders": 0}, options={"entities": ("customer",)})
    record = (await w.shop_list("customers"))[0]
    w.store.journal_intent(
        "customer",
        target="tripletex",
        op=IntentOp.CREATE,
        source_side="webshop",
        source_id=record["id"],
        natural_key={"email": record["email"]},
    )
    # What the crashed process had sent, and Tripletex had stored:
    resolver = await References(w.client, w.store, await w.connector.shop_settings()).resolver()
    body = w.mapping.to_tripletex("customer", w.mapping.webshop_view("customer", record, resolver), resolver)
    orphan = await w.admin.customers.create(Customer.model_validate(body))
    summary = await w.sync()
    assert summary.in_sync, summary
    assert summary.total().writes == 2  # the two records never sent; the orphan needed nothing
    assert w.store.tripletex_id_for("customer", record["id"]) == orphan.id
    assert len([c async for c in w.admin.customers.iterate(fields="id")]) == 3
    assert not w.store.open_intents()
    [event] = [e for e in w.store.timeline("customer", webshop_id=record["id"]) if e.action == "linked"]
    assert event.detail["recovered"]


async def test_interrupted_create_that_never_arrived_is_created_once(world: Worlds) -> None:
    """An intent journalled just before a crash, never sent: the search finds nothing and it is created."""
    w = await world(shop={"customers": 3, "products": 0, "orders": 0}, options={"entities": ("customer",)})
    record = (await w.shop_list("customers"))[0]
    w.store.journal_intent(
        "customer",
        target="tripletex",
        op=IntentOp.CREATE,
        source_side="webshop",
        source_id=record["id"],
        natural_key={"email": record["email"]},
    )
    summary = await w.sync()
    assert summary.in_sync and summary.of("customer", "tripletex").created == 3
    assert not w.store.open_intents()


async def test_concurrent_tripletex_edit_during_a_write_is_merged(world: Worlds, monkeypatch: Any) -> None:
    """Tripletex changes a customer between our read and our write (409): re-read, re-merge, both kept."""
    w = await world(shop={"customers": 4, "products": 0, "orders": 0}, options={"entities": ("customer",)})
    await w.sync()
    record = (await w.shop_list("customers"))[0]
    tid = w.store.tripletex_id_for("customer", record["id"])
    assert tid is not None
    await w.shop_call("PATCH", f"/customers/{record['id']}", {"phone": "98765432"})
    original = Resource.update
    raced = False

    async def racing_update(self: Any, obj: Any) -> Any:
        nonlocal raced
        if not raced and getattr(obj, "id", None) == tid:
            raced = True
            current = await w.admin.customers.get(tid)
            await w.admin.customers.update(
                Customer(id=tid, version=current.version, email="samtidig@example.no")
            )
        return await original(self, obj)

    monkeypatch.setattr(Resource, "update", racing_update)
    summary = await w.sync()
    assert raced and summary.in_sync, summary
    tx = await w.admin.customers.get(tid, fields="email,phoneNumberMobile")
    assert tx.email == "samtidig@example.no" and tx.phoneNumberMobile == "98765432"
    assert (await w.shop_call("GET", f"/customers/{record['id']}"))["email"] == "samtidig@example.no"


async def test_concurrent_shop_edit_during_a_write_is_merged(world: Worlds, monkeypatch: Any) -> None:
    """The shop changes a customer between our read and our write (412): re-read, re-merge, both kept."""
    w = await world(shop={"customers": 4, "products": 0, "orders": 0}, options={"entities": ("customer",)})
    await w.sync()
    record = (await w.shop_list("customers"))[1]
    tid = w.store.tripletex_id_for("customer", record["id"])
    assert tid is not None
    current = await w.admin.customers.get(tid)
    await w.admin.customers.update(Customer(id=tid, version=current.version, phoneNumberMobile="91111111"))
    original = WebshopConnector.update
    raced = False

    async def racing_update(self: Any, resource: Any, id: str, patch: Any, if_match: Any = None) -> Any:
        nonlocal raced
        if not raced and id == record["id"]:
            raced = True
            address = {**record["billing_address"], "city": "Hamar"}
            await w.shop_call("PATCH", f"/customers/{id}", {"billing_address": address})
        return await original(self, resource, id, patch, if_match)

    monkeypatch.setattr(WebshopConnector, "update", racing_update)
    summary = await w.sync()
    assert raced and summary.in_sync, summary
    shop = await w.shop_call("GET", f"/customers/{record['id']}")
    assert shop["phone"] == "91111111" and shop["billing_address"]["city"] == "Hamar"
    tx = await w.admin.customers.get(tid, fields="postalAddress(city)")
    assert tx.postalAddress is not None and tx.postalAddress.city == "Hamar"


async def test_rate_limit_storms_and_random_5xx_still_complete(world: Worlds) -> None:
    """429 windows on both sides and 10 % 5xx everywhere: the initial load and an edit pass complete,
    without duplicates, and every edit arrives."""
    w = await world(shop=SHOP, options=WIDE)
    await unique_product_names(w)
    noise = {"fail_rate": 0.1}
    w.tx_admin("POST", "/_sim/faults", {**noise, "rate_limit_for": 2.0})
    w.shop_admin("POST", "/_sim/faults", {**noise, "rate_limit_for": 1})
    first = await w.sync()
    w.tx_admin("DELETE", "/_sim/faults")
    w.shop_admin("DELETE", "/_sim/faults")
    assert first.in_sync, [(i.entity, i.side, i.record_id, i.reason) for i in w.store.queued_work()]
    await assert_one_partner_each(w)
    edited = (await w.shop_list("customers"))[:6]
    for n, record in enumerate(edited):
        await w.shop_call("PATCH", f"/customers/{record['id']}", {"phone": f"9000000{n}"})
    # Noise, plus two certain 5xx answers on each side (the noise alone may miss a short pass).
    w.tx_admin("POST", "/_sim/faults", {**noise, "fail_next": 2})
    w.shop_admin("POST", "/_sim/faults", {**noise, "fail_next": 2})
    second = await w.sync()
    tx_stats, shop_stats = w.tx_admin("GET", "/_sim/stats"), w.shop_admin("GET", "/_sim/stats")
    w.tx_admin("DELETE", "/_sim/faults")
    w.shop_admin("DELETE", "/_sim/faults")
    assert tx_stats["rateLimited"] > 0 and shop_stats["rateLimited"] > 0
    assert tx_stats["faults"].get("fail", 0) == 2 and shop_stats["faults"].get("fail", 0) == 2
    assert second.in_sync, [(i.entity, i.side, i.record_id, i.reason) for i in w.store.queued_work()]
    for n, record in enumerate(edited):
        tid = w.store.tripletex_id_for("customer", record["id"])
        assert tid is not None
        assert (
            await w.admin.customers.get(tid, fields="phoneNumberMobile")
        ).phoneNumberMobile == f"9000000{n}"
    await assert_one_partner_each(w)
    before = (w.tx_writes(), w.shop_writes())
    again = await w.sync()
    assert (w.tx_writes(), w.shop_writes()) == before and again.in_sync
