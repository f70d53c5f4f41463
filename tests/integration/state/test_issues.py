"""Conflicts, dead letters and review items on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from shopsync.state import InvalidTransition, StateStore, UnknownRecord
from shopsync.state.tables import dead_letters

from .conftest import FakeClock


def _conflict(store: StateStore, tripletex_value: str = "B", winner: str | None = None) -> int:
    return store.record_conflict(
        "customer",
        "c-1",
        101,
        "name",
        base="Base",
        webshop_value="A",
        tripletex_value=tripletex_value,
        policy="newest_wins" if winner else "locked",
        winner=winner,
    )


def test_an_open_conflict_is_updated_in_place_then_resolved(store: StateStore, clock: FakeClock) -> None:
    """Recording the same open field conflict again updates it; resolving closes it with a winner."""
    first = _conflict(store, "B")
    assert _conflict(store, "C") == first
    [open_conflict] = store.open_conflicts("customer")
    assert (open_conflict.base, open_conflict.webshop_value, open_conflict.tripletex_value) == (
        "Base",
        "A",
        "C",
    )
    assert (open_conflict.status, open_conflict.winner) == ("open", None)

    resolved_at = clock.advance(hours=1)
    resolved = store.resolve_conflict(first, "webshop")
    assert (resolved.status, resolved.winner, resolved.resolved_at) == ("resolved", "webshop", resolved_at)
    assert store.open_conflicts() == []
    with pytest.raises(InvalidTransition):
        store.resolve_conflict(first, "tripletex")
    with pytest.raises(UnknownRecord):
        store.resolve_conflict(999_999, "webshop")


def test_a_conflict_decided_by_policy_is_recorded_as_resolved(store: StateStore) -> None:
    """A conflict with a winner is history: not open, but in the record's list of conflicts."""
    _conflict(store, "B", winner="tripletex")
    _conflict(store, "C", winner="webshop")
    assert store.open_conflicts() == []
    history = store.conflicts_for("customer", "c-1")
    assert [(c.tripletex_value, c.winner, c.status) for c in history] == [
        ("B", "tripletex", "resolved"),
        ("C", "webshop", "resolved"),
    ]


def test_a_repeat_failure_bumps_the_open_dead_letter(store: StateStore, clock: FakeClock) -> None:
    """A repeat failure keeps one open dead letter, counts the attempt and keeps the latest reason."""
    first = store.dead_letter(
        "customer", "tripletex", 101, "422: email invalid", field="email", payload={"a": 1}
    )
    later = clock.advance(minutes=10)
    again = store.dead_letter(
        "customer", "tripletex", "101", "422: name missing", field="name", payload={"a": 2}
    )
    assert again == first
    [letter] = store.open_dead_letters()
    assert (letter.record_id, letter.attempts, letter.reason, letter.field, letter.payload) == (
        "101",
        2,
        "422: name missing",
        "name",
        {"a": 2},
    )
    assert letter.last_attempt_at == later
    assert letter.created_at < later


def test_dead_letter_replay_and_discard(store: StateStore) -> None:
    """Replayed and discarded dead letters leave the open list; a new failure opens a fresh one."""
    first = store.dead_letter("product", "webshop", "p-1", "bad SKU")
    other = store.dead_letter("product", "webshop", "p-2", "bad price")
    assert store.open_dead_letter_for("product", "webshop", "p-1") is not None
    assert store.mark_replayed(first).status == "replayed"
    assert store.discard(other).status == "discarded"
    assert store.open_dead_letters() == []
    with pytest.raises(InvalidTransition):
        store.discard(first)
    assert store.open_dead_letter_for("product", "webshop", "p-1") is None

    fresh = store.dead_letter("product", "webshop", "p-1", "bad SKU again")
    assert fresh != first
    letter = store.dead_letter_by_id(fresh)
    assert letter is not None
    assert letter.attempts == 1
    old = store.dead_letter_by_id(first)
    assert old is not None
    assert old.status == "replayed"


def test_the_schema_allows_one_open_dead_letter_per_record(store: StateStore, clock: FakeClock) -> None:
    """The partial unique index refuses a second open dead letter for a record, even bypassing the store."""
    store.dead_letter("order", "webshop", "o-1", "customer missing")
    row = {
        "tenant": "default",
        "entity": "order",
        "side": "webshop",
        "record_id": "o-1",
        "reason": "x",
        "attempts": 1,
        "status": "open",
        "created_at": clock.now,
        "last_attempt_at": clock.now,
    }
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(sa.insert(dead_letters).values(row))
    with store.engine.begin() as conn:  # a closed one is history, not a duplicate
        conn.execute(sa.insert(dead_letters).values(row | {"status": "discarded"}))


def test_review_items(store: StateStore) -> None:
    """A record with several candidates is reviewed once (updated in place) until resolved."""
    first = store.add_review("customer", "webshop", "c-1", [{"id": 1}, {"id": 2}])
    assert store.add_review("customer", "webshop", "c-1", [{"id": 1}, {"id": 2}, {"id": 3}]) == first
    review = store.review_for("customer", "webshop", "c-1")
    assert review is not None
    assert review.candidates == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert [r.id for r in store.open_reviews("customer")] == [first]

    assert store.resolve_review(first, "linked").status == "linked"
    assert store.review_for("customer", "webshop", "c-1") is None
    assert store.open_reviews() == []
    with pytest.raises(ValueError, match="not open"):
        store.resolve_review(first, "open")
    with pytest.raises(InvalidTransition):
        store.resolve_review(first, "dismissed")


def test_items_are_found_by_id_whatever_their_status(store: StateStore) -> None:
    """``conflict_by_id`` / ``review_by_id`` return open and settled items; another tenant's id is None."""
    conflict = _conflict(store, "B")
    review = store.add_review("customer", "webshop", "c-1", [{"tripletex_id": 7}])
    assert store.conflict_by_id(conflict).status == "open"  # type: ignore[union-attr]
    store.resolve_conflict(conflict, "tripletex")
    assert store.conflict_by_id(conflict).winner == "tripletex"  # type: ignore[union-attr]
    store.resolve_review(review, "dismissed")
    assert store.review_by_id(review).status == "dismissed"  # type: ignore[union-attr]
    other = store.for_tenant("other")
    assert other.conflict_by_id(conflict) is None and other.review_by_id(review) is None
    assert store.conflict_by_id(999_999) is None and store.review_by_id(999_999) is None


def test_review_decisions_are_the_latest_closed_review_per_record(store: StateStore) -> None:
    """A record reviewed twice reports its latest decision; open reviews and other sides are not decisions."""
    first = store.add_review("customer", "webshop", "c-1", [{"tripletex_id": 7}])
    store.resolve_review(first, "dismissed")
    second = store.add_review("customer", "webshop", "c-1", [{"tripletex_id": 8}])
    store.resolve_review(second, "created")
    store.add_review("customer", "webshop", "c-2", [{"tripletex_id": 9}])
    done = store.add_review("customer", "tripletex", "c-3", [{"webshop_id": "x"}])
    store.resolve_review(done, "linked")
    decisions = store.review_decisions("customer", "webshop", ["c-1", "c-2", "c-3"])
    assert decisions == {"c-1": "created"}
    assert store.review_decisions("customer", "tripletex", ["c-3"]) == {"c-3": "linked"}
    assert store.review_decisions("customer", "webshop", []) == {}
