"""The periodic full reconcile: everything re-read and compared with the snapshots, so what the cursors,
webhooks or seen versions missed is repaired — and only a complete, successful read deletes anything."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from shopsync.connectors.webshop import TransportError, WebshopConnector
from shopsync.engine import SyncStepFailed
from shopsync.tripletex import Customer

from .conftest import World, Worlds

CUSTOMERS = {"customers": 12, "products": 0, "orders": 0}
ONLY = {"entities": ("customer",)}


async def skip_feed(w: World) -> None:
    """Move the webshop cursor past every change so far, as if their webhooks and reads were lost."""
    cursor = w.store.cursor("webshop", "customer")
    last = cursor
    async for page in w.connector.changes("customers", cursor):
        last = page.cursor
    assert last is not None
    w.store.advance_cursor("webshop", "customer", last)


def purge(w: World, resource: str, record_id: str) -> None:
    """Remove a record from the reference shop without a tombstone (a shop whose tombstones expired)."""
    store = w.shop.app.state.shop.store
    with store._lock:
        store._conn.execute(f"DELETE FROM {resource} WHERE id = ?", (int(record_id),))


async def test_a_full_pass_repairs_a_lost_cursor_and_a_version_marked_seen(world: Worlds) -> None:
    """A shop edit behind the cursor and a Tripletex edit whose version was recorded as seen are both
    invisible to an incremental pass; the reconcile finds and syncs them, then all is idle again."""
    w = await world(shop=CUSTOMERS, options=ONLY)
    await w.sync()
    a, b = (await w.shop_list("customers"))[:2]
    await w.shop_call("PATCH", f"/customers/{a['id']}", {"phone": "45454545"})
    await skip_feed(w)
    tid_a, tid_b = (
        w.store.tripletex_id_for("customer", a["id"]),
        w.store.tripletex_id_for("customer", b["id"]),
    )
    assert tid_a is not None and tid_b is not None
    current = await w.admin.customers.get(tid_b)
    edited = await w.admin.customers.update(
        Customer(id=tid_b, version=current.version, email="glemt@example.no")
    )
    assert edited.version is not None
    w.store.record_seen_versions("customer", {tid_b: edited.version})
    missed = await w.sync()
    assert missed.total().writes == 0  # the incremental pass cannot see either change
    repaired = await w.engine().run_pass(full=True)
    assert (
        repaired.of("customer", "tripletex").updated == 1 and repaired.of("customer", "webshop").updated == 1
    )
    assert repaired.in_sync
    last = w.store.last_pass()
    assert last is not None and (last.kind, last.status) == ("reconcile", "succeeded")
    assert (await w.admin.customers.get(tid_a, fields="phoneNumberMobile")).phoneNumberMobile == "45454545"
    assert (await w.shop_call("GET", f"/customers/{b['id']}"))["email"] == "glemt@example.no"
    writes = (w.tx_writes(), w.shop_writes())
    assert (await w.engine().run_pass(full=True)).total().writes == 0
    assert (await w.sync()).total().writes == 0 and (w.tx_writes(), w.shop_writes()) == writes


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
async def test_absence_from_a_complete_read_deactivates_a_failed_read_deletes_nothing(world: Worlds) -> None:
    """A shop customer gone without a tombstone: the incremental pass cannot know; a reconcile whose
    read fails deactivates nothing; a complete reconcile deactivates its Tripletex partner."""
    w = await world(shop=CUSTOMERS, options=ONLY)
    await w.sync()
    gone = (await w.shop_list("customers"))[0]
    tid = w.store.tripletex_id_for("customer", gone["id"])
    assert tid is not None
    purge(w, "customers", gone["id"])
    assert (await w.sync()).total().writes == 0
    original = WebshopConnector.changes

    async def breaks_after_one_page(self: WebshopConnector, *args: Any) -> AsyncIterator[Any]:
        async for page in original(self, *args):
            yield page
            raise TransportError("the connection dropped in the middle of the feed")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WebshopConnector, "changes", breaks_after_one_page)
        with pytest.raises(SyncStepFailed) as failed:
            await w.engine().run_pass(full=True)
    assert failed.value.step == "detect"
    assert (await w.admin.customers.get(tid, fields="isInactive")).isInactive is False
    summary = await w.engine().run_pass(full=True)
    assert summary.of("customer", "tripletex").deactivated == 1 and summary.in_sync, summary
    assert (await w.admin.customers.get(tid, fields="isInactive")).isInactive is True
    assert (await w.engine().run_pass(full=True)).total().writes == 0


@pytest.mark.parametrize("state_url", ["sqlite"], indirect=True)
async def test_many_records_absent_from_a_full_read_trip_the_breaker(world: Worlds) -> None:
    """Three of twelve linked customers missing at once (more than 10 %): nothing is confirmed or
    deactivated until a reconcile runs with ``allow_mass_delete``."""
    w = await world(shop=CUSTOMERS, options=ONLY)
    await w.sync()
    purged = (await w.shop_list("customers"))[:3]
    for record in purged:
        purge(w, "customers", record["id"])
    stopped = await w.engine().run_pass(full=True)
    assert "customer" in stopped.breaker and stopped.exit_code == 1
    assert stopped.total().writes == 0
    allowed = await w.engine().run_pass(full=True, allow_mass_delete=True)
    assert allowed.of("customer", "tripletex").deactivated == 3
