"""A stop requested mid-pass (``SyncEngine.request_stop``) and the progress callback, over real sockets.

The stop is requested from the progress callback at a known moment (right after the first customer
batch is stored), so what the pass did before it ended is exact, not a matter of timing.
"""

from __future__ import annotations

from shopsync.engine import ProgressEvent
from shopsync.state import PassStatus

from .conftest import World, Worlds
from .test_faults import assert_one_partner_each, tripletex_counts
from .test_orders import WIDE, unique_product_names

SHOP = {"customers": 30, "products": 12, "orders": 6}
TRIPLETEX = {"seed": 3, "customers": 4, "products": 3, "orders": 0}
BATCH = 5


async def loaded_world(world: Worlds) -> World:
    """Shop and Tripletex with records on both sides, never synced; small create batches."""
    w = await world(shop=SHOP, tripletex=TRIPLETEX, options={**WIDE, "batch_size": BATCH})
    await unique_product_names(w)
    return w


def by_entity(events: list[ProgressEvent]) -> dict[str, list[ProgressEvent]]:
    out: dict[str, list[ProgressEvent]] = {}
    for event in events:
        out.setdefault(event.entity, []).append(event)
    return out


def assert_monotonic(events: list[ProgressEvent]) -> None:
    """``done`` never decreases, never passes ``total``, and ``total`` never changes once known."""
    total: int | None = None
    done = 0
    for event in events:
        assert event.done >= done, events
        if total is not None:
            assert event.total == total, events
        total = event.total
        if total is not None:
            assert event.done <= total, events
        done = event.done


async def test_a_stop_mid_initial_load_ends_the_pass_and_the_next_pass_finishes(world: Worlds) -> None:
    """Stop after the first customer batch: the pass returns interrupted with exactly that batch
    written and recorded, no cursor moved, products and orders untouched; a following pass (a new
    engine, as after a restart) links every record exactly once."""
    w = await loaded_world(world)
    tripletex_before = await tripletex_counts(w)
    engine = w.engine()
    events: list[ProgressEvent] = []
    linked_before_creates: list[int] = []

    def watch(event: ProgressEvent) -> None:
        events.append(event)
        if event.entity != "customer" or event.stage != "create" or engine.stop_requested:
            return
        links = w.store.count_links("customer")
        if not linked_before_creates:
            linked_before_creates.append(links)  # matched before any create
        elif links > linked_before_creates[0]:
            engine.request_stop()  # the first batch is stored

    summary = await engine.run_pass(progress=watch)

    assert summary.interrupted and not summary.in_sync and summary.exit_code == 1
    assert summary.to_dict()["interrupted"] is True
    assert any(line.startswith("interrupted") for line in summary.lines())
    last = w.store.last_pass()
    assert last is not None and last.status == PassStatus.INTERRUPTED
    assert summary.of("customer", "tripletex").created == BATCH  # no batch started after the stop
    assert w.store.count_links("customer") == linked_before_creates[0] + BATCH
    assert w.store.count_links("product") == w.store.count_links("order") == 0
    assert w.store.cursor("webshop", "customer") is None  # the feed is read again next time
    assert w.store.open_intents() == []
    counts = await tripletex_counts(w)
    assert counts["customer"] == tripletex_before["customer"] + BATCH
    assert (counts["product"], counts["order"]) == (tripletex_before["product"], tripletex_before["order"])
    customer_events = by_entity(events)["customer"]
    assert_monotonic(customer_events)
    assert customer_events[-1].total is not None and customer_events[-1].done < customer_events[-1].total
    assert "product" not in by_entity(events)

    final = await w.sync()
    assert final.in_sync, final
    assert not final.interrupted
    await assert_one_partner_each(w)
    assert w.store.open_intents() == []
    assert (await w.sync()).total().writes == 0  # nothing left over, nothing written twice


async def test_progress_reports_every_record_of_each_entity(world: Worlds) -> None:
    """Initial load: per entity the events are monotonic and end with done == total == the records
    of both sides the pass looked at; a stop requested before a queue run leaves the work queued."""
    w = await loaded_world(world)
    tripletex_before = await tripletex_counts(w)
    events: list[ProgressEvent] = []
    summary = await w.engine().run_pass(progress=events.append)
    assert summary.in_sync, summary
    per_entity = by_entity(events)
    assert list(per_entity) == ["customer", "product", "order"]
    for entity, entity_events in per_entity.items():
        assert_monotonic(entity_events)
        last = entity_events[-1]
        assert last.stage == "done" and last.done == last.total, (entity, last)
        assert {"detect", "commit"} <= {e.stage for e in entity_events}
    expected = {
        "customer": SHOP["customers"] + tripletex_before["customer"],
        "product": SHOP["products"] + tripletex_before["product"],
        "order": SHOP["orders"],  # Tripletex has no orders before the pass
    }
    assert {e: per_entity[e][-1].total for e in per_entity} == expected

    # A targeted run stopped before it began: interrupted, its queued work kept for the next run.
    shop_id = (await w.shop_list("customers"))[0]["id"]
    w.store.enqueue("customer", "webshop", shop_id, "webhook")
    engine = w.engine()
    engine.request_stop()
    stopped = await engine.process_queue()
    assert stopped is not None and stopped.interrupted
    assert w.store.work_item("customer", "webshop", shop_id) is not None
    engine.clear_stop()
    done = await engine.process_queue()
    assert done is not None and not done.interrupted
    assert w.store.work_item("customer", "webshop", shop_id) is None


async def test_a_stop_while_pairs_are_written_finishes_the_written_ones_only(world: Worlds) -> None:
    """Edited orders written one at a time: a stop after the first one ends the pass with that order
    written and its base stored; the next pass writes the other orders once each, never the first again."""
    w = await loaded_world(world)
    assert (await w.sync()).in_sync
    orders = await w.shop_list("orders")
    notes = {order["id"]: f"Levering {n}" for n, order in enumerate(orders)}
    for order_id, note in notes.items():
        await w.shop_call("PATCH", f"/orders/{order_id}", {"note": note})
    engine = w.engine(concurrency=1)

    def stop_after_first_order(event: ProgressEvent) -> None:
        if event.entity == "order" and event.stage == "merge" and event.done > 0:
            engine.request_stop()

    stopped = await engine.run_pass(progress=stop_after_first_order)
    assert stopped.interrupted
    assert stopped.of("order", "tripletex").updated == 1
    final = await w.sync()
    assert final.in_sync, final
    assert final.of("order", "tripletex").updated == len(orders) - 1
    for order_id, note in notes.items():
        tripletex_id = w.store.tripletex_id_for("order", order_id)
        assert tripletex_id is not None
        assert (await w.admin.orders.get(tripletex_id, fields="deliveryComment")).deliveryComment == note
