"""The engine's life around a pass: the config factory, targeted syncs, order deletes, dead letters, cost."""

from __future__ import annotations

from pathlib import Path

from shopsync.config import parse_config
from shopsync.engine import build_engine
from shopsync.tripletex import Customer

from .conftest import World, Worlds
from .test_orders import WIDE, unique_product_names

SHOP = {"customers": 8, "products": 8, "orders": 5}


async def synced(world: Worlds) -> World:
    """A world with everything synced once."""
    w = await world(shop=SHOP, options=WIDE)
    await unique_product_names(w)
    assert (await w.sync()).in_sync
    return w


async def test_an_idle_pass_only_lists(world: Worlds) -> None:
    """With nothing changed, Tripletex sees exactly the listing calls: two customer scans (active and
    inactive), one product scan, one order scan; the shop sees its three change feeds."""
    w = await synced(world)
    before = w.tx_requests()
    summary = await w.sync()
    calls = {k: v - before.get(k, 0) for k, v in w.tx_requests().items() if v != before.get(k, 0)}
    assert calls == {"GET /v2/customer": 2, "GET /v2/product": 1, "GET /v2/order": 1}
    assert summary.in_sync and summary.total().writes == 0


async def test_build_engine_from_a_config_file(world: Worlds, tmp_path: Path) -> None:
    """``build_engine`` opens the store and both clients from a config (secrets from the environment)."""
    w = await world(shop={"customers": 3, "products": 0, "orders": 0})
    text = f"""
webshop: {{url: "{w.shop.url}"}}
tripletex: {{url: "{w.tx.api_url}"}}
state: state-from-config.sqlite
"""
    environ = {
        "SHOPSYNC_WEBSHOP_TOKEN": w.shop.token,
        "SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN": "sim-consumer",
        "SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN": "sim-employee",
    }
    config = parse_config(text, path=tmp_path / "shopsync.yaml", environ=environ)
    async with build_engine(config) as engine:
        summary = await engine.run_pass()
        assert summary.of("customer", "tripletex").created == 3 and summary.in_sync
        assert engine.store.count_links("customer") == 3
    assert (tmp_path / "state-from-config.sqlite").exists()


async def test_sync_records_syncs_only_the_given_records(world: Worlds) -> None:
    """A targeted sync (a webhook's record) writes that record's change and leaves the feed cursor alone."""
    w = await synced(world)
    a, b = (await w.shop_list("customers"))[:2]
    await w.shop_call("PATCH", f"/customers/{a['id']}", {"phone": "45454545"})
    await w.shop_call("PATCH", f"/customers/{b['id']}", {"phone": "46464646"})
    cursor = w.store.cursor("webshop", "customer")
    summary = await w.engine().sync_records("customer", "webshop", [a["id"]])
    assert summary.of("customer", "tripletex").updated == 1
    assert w.store.cursor("webshop", "customer") == cursor
    tid_a, tid_b = (w.store.tripletex_id_for("customer", r["id"]) for r in (a, b))
    assert tid_a is not None and tid_b is not None
    assert (await w.admin.customers.get(tid_a, fields="phoneNumberMobile")).phoneNumberMobile == "45454545"
    assert (await w.admin.customers.get(tid_b, fields="phoneNumberMobile")).phoneNumberMobile != "46464646"
    rest = await w.sync()
    assert rest.of("customer", "tripletex").updated == 1  # b, from the feed; a is an echo by now
    assert (await w.admin.customers.get(tid_b, fields="phoneNumberMobile")).phoneNumberMobile == "46464646"


async def test_order_deletes_close_or_cancel_never_delete(world: Worlds) -> None:
    """A shop order deleted closes its Tripletex order; a Tripletex order deleted cancels the shop's."""
    w = await synced(world)
    first, second = (await w.shop_list("orders"))[:2]
    closed = w.store.tripletex_id_for("order", first["id"])
    gone = w.store.tripletex_id_for("order", second["id"])
    assert closed is not None and gone is not None
    await w.shop_call("DELETE", f"/orders/{first['id']}")
    await w.admin.orders.delete(gone)
    summary = await w.sync(allow_mass_delete=True)
    assert (
        summary.of("order", "tripletex").deactivated == 1 and summary.of("order", "webshop").deactivated == 1
    )
    assert (await w.admin.orders.get(closed, fields="isClosed")).isClosed is True
    assert (await w.shop_call("GET", f"/orders/{second['id']}"))["status"] == "cancelled"
    writes = (w.tx_writes(), w.shop_writes())
    assert (await w.sync()).in_sync and (w.tx_writes(), w.shop_writes()) == writes


async def test_bad_records_are_dead_lettered_with_reasons_and_replayed_when_fixed(world: Worlds) -> None:
    """Records either side refuses become dead letters naming the field; the rest syncs; a fix clears it."""
    w = await world(shop={"customers": 8, "products": 0, "orders": 0}, options={"entities": ("customer",)})
    bad = (await w.shop_list("customers"))[0]
    await w.shop_call("PATCH", f"/customers/{bad['id']}", {"email": "ola;kari@example.no"})
    # Tripletex takes any postal code; the shop refuses this one.
    odd = await w.admin.customers.create(
        Customer.model_validate(
            {
                "name": "Rart Postnummer AS",
                "email": "post@rart.no",
                "postalAddress": {"addressLine1": "Gata 1", "postalCode": "#1", "city": "Oslo"},
            }
        )
    )
    summary = await w.sync()
    assert summary.exit_code == 1
    assert summary.of("customer", "tripletex").created == 7
    letters = {(d.side, d.record_id): d for d in w.store.open_dead_letters("customer")}
    shop_letter = letters[("webshop", bad["id"])]
    assert shop_letter.field is not None and "mail" in shop_letter.field.lower()
    assert "Ugyldig e-postadresse" in shop_letter.reason
    tx_letter = letters[("tripletex", str(odd.id))]
    assert tx_letter.field == "billing_address.postal_code" and tx_letter.reason.startswith("webshop: ")
    await w.shop_call("PATCH", f"/customers/{bad['id']}", {"email": "ola.kari@example.no"})
    fixed = await w.sync()
    assert fixed.of("customer", "tripletex").created == 1
    assert w.store.dead_letter_by_id(shop_letter.id).status == "replayed"  # type: ignore[union-attr]
    assert [(d.side, d.record_id) for d in w.store.open_dead_letters("customer")] == [
        ("tripletex", str(odd.id))
    ]


async def test_a_refused_update_of_a_linked_pair_stays_dead_lettered_until_fixed(world: Worlds) -> None:
    """An edit Tripletex refuses on a linked customer is a dead letter that stays open (exit 1) pass
    after pass — the pair's other side being in sync must not close it — until the shop fixes it."""
    w = await world(shop={"customers": 3, "products": 0, "orders": 0}, options={"entities": ("customer",)})
    assert (await w.sync()).exit_code == 0
    shop_id = (await w.shop_list("customers"))[0]["id"]
    await w.shop_call("PATCH", f"/customers/{shop_id}", {"email": "ola;kari@example.no"})
    for _ in range(2):  # the second pass does not retry it (the feed moved on), nor forget it
        summary = await w.sync()
        assert summary.exit_code == 1, summary
        letter = w.store.open_dead_letter_for("customer", "webshop", shop_id)
        assert letter is not None and letter.attempts == 1 and "Ugyldig e-postadresse" in letter.reason
    assert letter is not None
    await w.engine().replay([letter.id])
    again = w.store.open_dead_letter_for("customer", "webshop", shop_id)
    assert again is not None and again.attempts == 2
    await w.shop_call("PATCH", f"/customers/{shop_id}", {"email": "ola.kari@example.no"})
    fixed = await w.sync()
    assert fixed.exit_code == 0 and fixed.of("customer", "tripletex").updated == 1
    assert w.store.open_dead_letter_for("customer", "webshop", shop_id) is None


async def test_a_malformed_shop_record_fetched_by_id_is_dead_lettered_and_the_rest_goes_on(
    world: Worlds,
) -> None:
    """A record the connector cannot read (here stored past the shop's own validation) reached by id —
    a webhook, a replay — becomes a dead letter naming the field; the other queued records still sync,
    and replaying it while it is still malformed keeps it open instead of failing the run."""
    w = await world(shop={"customers": 2, "products": 0, "orders": 0}, options={"entities": ("customer",)})
    assert (await w.sync()).exit_code == 0
    good = (await w.shop_list("customers"))[0]["id"]
    bad_doc = {"type": "private", "first_name": "Ola", "last_name": "Nordmann", "email": 42}
    bad = str(w.shop_admin("POST", "/_sim/raw/customers", [bad_doc])["ids"][0])
    await w.shop_call("PATCH", f"/customers/{good}", {"last_name": "Etter"})
    engine = w.engine()
    summary = await engine.sync_records("customer", "webshop", [bad, good])
    assert summary.of("customer", "tripletex").updated == 1
    letter = w.store.open_dead_letter_for("customer", "webshop", bad)
    assert letter is not None and "billing_address: Field required" in letter.reason, letter
    await engine.replay([letter.id])
    again = w.store.open_dead_letter_for("customer", "webshop", bad)
    assert again is not None and again.attempts == 2
