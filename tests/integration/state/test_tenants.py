"""Tenant isolation on SQLite and PostgreSQL: a store never sees or touches another tenant's rows."""

from __future__ import annotations

import pytest

from shopsync.state import InvalidTransition, StateStore, UnknownRecord


@pytest.fixture
def other(store: StateStore) -> StateStore:
    """A store for tenant "shop-b" on the same database."""
    return store.for_tenant("shop-b")


def test_the_same_ids_link_independently_per_tenant(store: StateStore, other: StateStore) -> None:
    """Two tenants can link the same ids differently; each sees only its own links and snapshots."""
    store.link("customer", "c-1", 101)
    other.link("customer", "c-1", 202)
    other.link("customer", "c-2", 101)
    other.save_snapshot("customer", "c-1", {"name": "B"})
    assert store.tripletex_id_for("customer", "c-1") == 101
    assert other.tripletex_id_for("customer", "c-1") == 202
    assert store.webshop_id_for("customer", 101) == "c-1"
    assert other.webshop_id_for("customer", 101) == "c-2"
    assert store.snapshot("customer", "c-1") is None
    assert [link.webshop_id for link in store.links("customer")] == ["c-1"]
    assert store.count_links() == 1
    assert other.unlink("customer", "c-1") is True
    assert store.tripletex_id_for("customer", "c-1") == 101


def test_state_is_invisible_across_tenants(store: StateStore, other: StateStore) -> None:
    """Cursors, versions, intents, issues, work, events and passes stay with their tenant."""
    other.advance_cursor("webshop", "customer", "b")
    other.record_seen_versions("product", {1: 1})
    other.journal_intent("customer", target="tripletex", op="create", source_side="webshop", source_id="c-1")
    other.record_conflict(
        "customer", "c-1", 1, "name", base=1, webshop_value=2, tripletex_value=3, policy="x"
    )
    other.dead_letter("customer", "webshop", "c-1", "bad")
    other.add_review("customer", "webshop", "c-1", [1, 2])
    other.enqueue("customer", "webshop", "c-1", "webhook")
    other.log_event("customer", "created", webshop_id="c-1")
    other.start_pass("sync")

    assert store.cursor("webshop", "customer") is None
    assert store.cursors() == []
    assert store.seen_versions("product") == {}
    assert store.open_intents() == []
    assert store.journal_intent(
        "customer", target="tripletex", op="create", source_side="webshop", source_id="c-1"
    )  # no IntentInFlight from the other tenant's intent
    assert store.open_conflicts() == []
    assert store.open_dead_letters() == []
    assert store.open_reviews() == []
    assert store.due_work() == []
    assert store.timeline("customer", webshop_id="c-1") == []
    assert store.last_pass() is None
    summary = store.status_summary()
    assert (summary.entities, summary.open_intents) == ({}, 1)


def test_rows_of_another_tenant_cannot_be_fetched_or_changed_by_id(
    store: StateStore, other: StateStore
) -> None:
    """Ids of another tenant's rows behave as unknown: nothing is returned and nothing changes."""
    intent = other.journal_intent(
        "customer", target="tripletex", op="create", source_side="webshop", source_id="c"
    )
    conflict = other.record_conflict(
        "customer", "c", 1, "name", base=1, webshop_value=2, tripletex_value=3, policy="x"
    )
    letter = other.dead_letter("customer", "webshop", "c", "bad")
    review = other.add_review("customer", "webshop", "c", [1, 2])
    passed = other.start_pass("sync")

    assert store.intent(intent) is None
    assert store.dead_letter_by_id(letter) is None
    with pytest.raises(UnknownRecord):
        store.journal_done(intent, "1")
    with pytest.raises(UnknownRecord):
        store.resolve_conflict(conflict, "webshop")
    with pytest.raises(UnknownRecord):
        store.mark_replayed(letter)
    with pytest.raises(UnknownRecord):
        store.resolve_review(review, "dismissed")
    with pytest.raises(UnknownRecord):
        store.finish_pass(passed, "failed")

    other.journal_done(intent, "1")  # untouched: the other tenant can still close its own rows
    other.resolve_conflict(conflict, "webshop")
    other.mark_replayed(letter)
    with pytest.raises(InvalidTransition):
        other.mark_replayed(letter)
