"""The bulk forms the engine uses for whole batches (journal, done, events, child links) behave exactly
like their one-at-a-time forms, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from shopsync.state import (
    EventInput,
    IntentInput,
    IntentState,
    InvalidTransition,
    StateStore,
    UnknownRecord,
)


def _create(source_id: str, natural_key: dict[str, str] | None = None, payload: object = None) -> IntentInput:
    return IntentInput(
        target="tripletex",
        op="create",
        source_side="webshop",
        source_id=source_id,
        natural_key=natural_key,
        payload=payload,
    )


def test_journal_intents_gives_ids_in_order_and_none_for_one_in_flight(store: StateStore) -> None:
    """Every new intent gets its id in input order; a record with a write already in flight gets None
    (where ``journal_intent`` raises IntentInFlight) and its earlier intent is left as it was."""
    earlier = store.journal_intent(
        "customer", target="tripletex", op="create", source_side="webshop", source_id="c-2"
    )
    ids = store.journal_intents(
        "customer",
        [_create("c-1", natural_key={"email": "a@b.no"}), _create("c-2"), _create("c-3", payload={"n": 1})],
    )
    assert ids[1] is None
    assert ids[0] is not None and ids[2] is not None and ids[0] != ids[2]
    by_id = {i.id: i for i in store.open_intents("customer")}
    assert set(by_id) == {earlier, ids[0], ids[2]}
    assert (by_id[ids[0]].source_id, by_id[ids[0]].natural_key) == ("c-1", {"email": "a@b.no"})
    assert (by_id[ids[2]].source_id, by_id[ids[2]].payload) == ("c-3", {"n": 1})


def test_journal_intents_with_the_same_record_twice_keeps_the_first(store: StateStore) -> None:
    """The same record twice in one call: the second is in flight behind the first."""
    first, second = store.journal_intents("customer", [_create("c-1"), _create("c-1")])
    assert first is not None and second is None
    assert [i.id for i in store.open_intents()] == [first]


def test_journal_intents_refuses_a_bad_side_before_writing(store: StateStore) -> None:
    """A typo in a side is a ValueError and nothing of the call is journalled."""
    bad = IntentInput(target="tripletx", op="create", source_side="webshop", source_id="c-9")
    with pytest.raises(ValueError):
        store.journal_intents("customer", [_create("c-1"), bad])
    assert store.open_intents() == []


def test_journal_done_many_closes_all_and_repeats_as_a_no_op(store: StateStore) -> None:
    """Every intent ends done with its result id; the same call again changes nothing."""
    ids = store.journal_intents("customer", [_create(f"c-{n}") for n in range(3)])
    done = [(i, 100 + n) for n, i in enumerate(ids) if i is not None]
    store.journal_done_many(done)
    store.journal_done_many(done)
    assert store.open_intents() == []
    for intent_id, result in done:
        intent = store.intent(intent_id)
        assert intent is not None and (intent.state, intent.result_id) == (IntentState.DONE, str(result))


def test_journal_done_many_raises_like_journal_done_and_closes_none(store: StateStore) -> None:
    """An intent that failed cannot become done, an unknown one is an error: the call closes nothing."""
    a, b = store.journal_intents("customer", [_create("c-1"), _create("c-2")])
    assert a is not None and b is not None
    store.journal_failed(b, "refused")
    with pytest.raises(InvalidTransition):
        store.journal_done_many([(a, 1), (b, 2)])
    with pytest.raises(UnknownRecord):
        store.journal_done_many([(a, 1), (987654, 2)])
    intent = store.intent(a)
    assert intent is not None and intent.state == IntentState.PENDING


def test_log_events_adds_each_to_its_record_timeline(store: StateStore) -> None:
    """Bulk events land on their records' timelines like single ones; an event without a record is
    refused before anything is written."""
    store.log_events(
        "customer",
        [
            EventInput("created", webshop_id="c-1", tripletex_id=101, side="tripletex"),
            EventInput("updated", webshop_id="c-2", detail={"fields": ["name"]}),
        ],
    )
    [first] = store.timeline("customer", webshop_id="c-1")
    assert (first.action, first.tripletex_id, first.side) == ("created", 101, "tripletex")
    [second] = store.timeline("customer", webshop_id="c-2")
    assert (second.action, second.detail) == ("updated", {"fields": ["name"]})
    with pytest.raises(ValueError):
        store.log_events("customer", [EventInput("created", webshop_id="c-3"), EventInput("created")])
    assert store.timeline("customer", webshop_id="c-3") == []


def test_unlink_children_removes_only_the_given_parents_lines(store: StateStore) -> None:
    """The lines under the given orders go; another order's lines and the orders stay."""
    for order, tx in (("o-1", 1), ("o-2", 2), ("o-3", 3)):
        store.link("order", order, tx)
        store.link_many("order_line", [(f"{order}:lines:{n}", tx * 10 + n, order) for n in range(2)])
    assert store.unlink_children("order_line", ["o-1", "o-3"]) == 4
    assert store.child_links("order_line", "o-1") == store.child_links("order_line", "o-3") == []
    assert [link.webshop_id for link in store.child_links("order_line", "o-2")] == [
        "o-2:lines:0",
        "o-2:lines:1",
    ]
    assert store.count_links("order") == 3
