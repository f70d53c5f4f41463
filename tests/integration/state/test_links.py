"""Links and snapshots on SQLite and PostgreSQL: lookups, constraints, cascades, transactions, bulk."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from shopsync.state import LinkConflict, NotLinked, SnapshotInput, StateStore, values_hash
from shopsync.state.tables import links, snapshots

from .conftest import FakeClock

VIEW = {"name": "Acme AS", "price": Decimal("12.50"), "active": True, "lines": [{"qty": Decimal("2")}]}


def test_link_is_found_from_either_side(store: StateStore) -> None:
    """A link answers both lookups, and unknown ids answer None."""
    store.link("customer", "c-1", 101)
    assert store.tripletex_id_for("customer", "c-1") == 101
    assert store.webshop_id_for("customer", 101) == "c-1"
    assert store.tripletex_id_for("customer", "c-2") is None
    assert store.webshop_id_for("product", 101) is None  # links are per entity
    assert store.count_links("customer") == 1
    assert store.count_links() == 1


def test_get_link_by_either_id(store: StateStore) -> None:
    """``get_link`` finds the whole link by one id and insists on exactly one."""
    made = store.link("order_line", "o-1/1", 11, parent="o-1")
    assert store.get_link("order_line", webshop_id="o-1/1") == made
    assert store.get_link("order_line", tripletex_id=11) == made
    assert made.parent_webshop_id == "o-1"
    with pytest.raises(ValueError, match="exactly one"):
        store.get_link("order_line", webshop_id="o-1/1", tripletex_id=11)


def test_linking_the_same_pair_again_is_a_no_op(store: StateStore) -> None:
    """Re-linking an existing pair (as crash recovery does) keeps the first link and raises nothing."""
    first = store.link("customer", "c-1", 101)
    again = store.link("customer", "c-1", 101)
    assert again == first
    assert store.count_links("customer") == 1


@pytest.mark.parametrize(("webshop_id", "tripletex_id"), [("c-1", 202), ("c-2", 101)])
def test_an_id_linked_elsewhere_is_a_link_conflict(
    store: StateStore, webshop_id: str, tripletex_id: int
) -> None:
    """Either id already linked to another record raises LinkConflict naming the existing link."""
    store.link("customer", "c-1", 101)
    with pytest.raises(LinkConflict) as caught:
        store.link("customer", webshop_id, tripletex_id)
    assert caught.value.existing is not None
    assert (caught.value.existing.webshop_id, caught.value.existing.tripletex_id) == ("c-1", 101)
    assert store.count_links("customer") == 1


def test_a_link_conflict_leaves_the_transaction_usable(store: StateStore) -> None:
    """Catching LinkConflict inside a transaction lets it go on and commit (no aborted transaction)."""
    store.link("customer", "c-1", 101)
    with store.transaction() as conn:
        with pytest.raises(LinkConflict):
            store.link("customer", "c-2", 101, conn=conn)
        store.link("customer", "c-3", 303, conn=conn)
    assert store.tripletex_id_for("customer", "c-3") == 303


def test_the_schema_itself_refuses_duplicate_links(store: StateStore) -> None:
    """The unique constraints hold even for writes that bypass the store's checks."""
    store.link("customer", "c-1", 101)
    now = store.link("customer", "c-9", 909).created_at
    duplicates = [
        {
            "tenant": "default",
            "entity": "customer",
            "webshop_id": "c-1",
            "tripletex_id": 102,
            "created_at": now,
        },
        {
            "tenant": "default",
            "entity": "customer",
            "webshop_id": "c-2",
            "tripletex_id": 101,
            "created_at": now,
        },
    ]
    for row in duplicates:
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
            conn.execute(sa.insert(links).values(row))


def test_link_many_is_all_or_nothing(store: StateStore) -> None:
    """One conflicting pair in a bulk link leaves none of the batch linked."""
    store.link("customer", "c-1", 101)
    with pytest.raises(LinkConflict):
        store.link_many("customer", [("c-2", 102, None), ("c-3", 101, None), ("c-4", 104, None)])
    assert store.count_links("customer") == 1


def test_link_many_is_all_or_nothing_inside_a_caller_transaction(store: StateStore) -> None:
    """A failed bulk link inside a transaction the caller goes on to commit still links none of its pairs."""
    store.link("customer", "c-1", 101)
    with store.transaction() as conn:
        with pytest.raises(LinkConflict):
            store.link_many("customer", [("c-2", 102, None), ("c-3", 101, None)], conn=conn)
        with pytest.raises(NotLinked):
            store.save_snapshots(
                "customer", [SnapshotInput("c-1", VIEW), SnapshotInput("c-9", VIEW)], conn=conn
            )
        store.link("customer", "c-4", 104, conn=conn)
    assert store.tripletex_id_for("customer", "c-2") is None
    assert store.snapshot("customer", "c-1") is None
    assert store.count_links("customer") == 2


def test_snapshot_round_trip_keeps_decimals_exact(store: StateStore) -> None:
    """A snapshot stores Decimals as decimal strings, both versions, and the hash of the view."""
    store.link("product", "p-1", 7)
    saved = store.save_snapshot(
        "product", "p-1", VIEW, webshop_version="2026-05-01T10:00:00Z", tripletex_version=3
    )
    got = store.snapshot("product", "p-1")
    assert got == saved
    assert got.values == {"name": "Acme AS", "price": "12.50", "active": True, "lines": [{"qty": "2"}]}
    assert got.values_hash == values_hash(VIEW) == values_hash(got.values)
    assert (got.webshop_version, got.tripletex_version) == ("2026-05-01T10:00:00Z", 3)
    assert got.synced_at.tzinfo is not None


def test_saving_a_snapshot_again_replaces_it(store: StateStore) -> None:
    """The newer snapshot replaces the old one, including its versions."""
    store.link("product", "p-1", 7)
    store.save_snapshot("product", "p-1", VIEW, tripletex_version=3)
    store.save_snapshot("product", "p-1", VIEW | {"price": Decimal("13.00")}, tripletex_version=4)
    got = store.snapshot("product", "p-1")
    assert got is not None
    assert (got.values["price"], got.tripletex_version, got.webshop_version) == ("13.00", 4, None)


def test_a_snapshot_needs_a_link(store: StateStore) -> None:
    """Saving a snapshot for an unlinked record raises NotLinked and stores nothing."""
    store.link("product", "p-1", 7)
    with pytest.raises(NotLinked):
        store.save_snapshots("product", [SnapshotInput("p-1", VIEW), SnapshotInput("p-2", VIEW)])
    assert store.snapshots_many("product", ["p-1", "p-2"]) == {}


def test_unlink_removes_snapshot_and_child_links(store: StateStore) -> None:
    """Unlinking an order drops its snapshot, its line links and their snapshots; others stay."""
    store.link("order", "o-1", 1)
    store.link("order", "o-2", 2)
    store.link_many("order_line", [("o-1/1", 11, "o-1"), ("o-1/2", 12, "o-1"), ("o-2/1", 21, "o-2")])
    store.save_snapshot("order", "o-1", VIEW)
    store.save_snapshot("order_line", "o-1/1", {"qty": Decimal("1")})
    assert [link.webshop_id for link in store.child_links("order_line", "o-1")] == ["o-1/1", "o-1/2"]

    assert store.unlink("order", "o-1") is True
    assert store.unlink("order", "o-1") is False
    assert store.snapshot("order", "o-1") is None
    assert store.snapshot("order_line", "o-1/1") is None
    assert store.child_links("order_line", "o-1") == []
    assert store.tripletex_id_for("order_line", "o-2/1") == 21
    assert store.tripletex_id_for("order", "o-2") == 2


def test_a_new_link_never_inherits_an_old_snapshot(store: StateStore, clock: FakeClock) -> None:
    """A snapshot orphaned (e.g. by a concurrent unlink) is cleared by a new link; re-linking keeps one."""
    store.link("customer", "c-1", 101)
    store.save_snapshot("customer", "c-1", VIEW)
    store.link("customer", "c-1", 101)
    assert store.snapshot("customer", "c-1") is not None

    orphan = {"tenant": "default", "entity": "customer", "webshop_id": "c-2", "values": {"name": "old"}}
    with store.engine.begin() as conn:
        conn.execute(sa.insert(snapshots).values(orphan | {"values_hash": "x", "synced_at": clock.now}))
    store.link("customer", "c-2", 202)
    assert store.snapshot("customer", "c-2") is None


def test_link_snapshot_and_cursor_commit_together(store: StateStore) -> None:
    """A transaction that links, snapshots and advances the cursor makes all three visible at once."""
    with store.transaction() as conn:
        store.link("customer", "c-1", 101, conn=conn)
        store.save_snapshot("customer", "c-1", VIEW, tripletex_version=1, conn=conn)
        store.advance_cursor("webshop", "customer", "cursor-1", conn=conn)
    assert store.tripletex_id_for("customer", "c-1") == 101
    assert store.snapshot("customer", "c-1") is not None
    assert store.cursor("webshop", "customer") == "cursor-1"


def test_a_failure_after_link_leaves_neither_link_nor_cursor(store: StateStore) -> None:
    """An error inside the transaction rolls back the link, the snapshot and the cursor."""
    store.advance_cursor("webshop", "customer", "cursor-0")
    with pytest.raises(RuntimeError, match="crash"), store.transaction() as conn:
        store.link("customer", "c-1", 101, conn=conn)
        store.save_snapshot("customer", "c-1", VIEW, conn=conn)
        store.advance_cursor("webshop", "customer", "cursor-1", conn=conn)
        raise RuntimeError("crash before commit")
    assert store.tripletex_id_for("customer", "c-1") is None
    assert store.snapshot("customer", "c-1") is None
    assert store.cursor("webshop", "customer") == "cursor-0"


def test_links_iterate_in_pages(store: StateStore) -> None:
    """Iterating links crosses page boundaries without losing or repeating any, in webshop-id order."""
    store.link_many("product", [(f"p-{i:02d}", i, None) for i in range(10)])
    got = [link.webshop_id for link in store.links("product", page_size=3)]
    assert got == [f"p-{i:02d}" for i in range(10)]
    assert list(store.links("customer")) == []


def test_bulk_operations_with_ten_thousand_rows(store: StateStore) -> None:
    """10,000 links and snapshots go in and come back in bulk, complete and correct."""
    n = 10_000
    store.link_many("customer", [(f"c-{i:05d}", 100_000 + i, None) for i in range(n)])
    store.save_snapshots(
        "customer",
        [SnapshotInput(f"c-{i:05d}", {"name": f"Customer {i}", "n": Decimal(i)}, None, 1) for i in range(n)],
    )
    ids = [f"c-{i:05d}" for i in range(n)]
    assert store.count_links("customer") == n
    assert store.tripletex_ids_for("customer", ids) == {f"c-{i:05d}": 100_000 + i for i in range(n)}
    assert len(store.webshop_ids_for("customer", range(100_000, 100_000 + n))) == n
    snaps = store.snapshots_many("customer", ids)
    assert len(snaps) == n
    assert snaps["c-04242"].values == {"name": "Customer 4242", "n": "4242"}
    assert sum(1 for _ in store.links("customer")) == n


def test_synced_versions_are_the_snapshot_versions_of_every_link(store: StateStore) -> None:
    """Every linked Tripletex id with its snapshot's version (None without a snapshot or version)."""
    store.link("product", "p-1", 11)
    store.link("product", "p-2", 12)
    store.link("product", "p-3", 13)
    store.link("customer", "c-1", 11)
    store.save_snapshot("product", "p-1", {"name": "A"}, tripletex_version=4)
    store.save_snapshot("product", "p-2", {"name": "B"})
    assert store.synced_versions("product") == {11: 4, 12: None, 13: None}
    assert store.for_tenant("other").synced_versions("product") == {}
