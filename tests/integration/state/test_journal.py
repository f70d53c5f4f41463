"""The intent journal on SQLite and PostgreSQL: in-flight writes survive a restart and never double up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from shopsync.state import IntentInFlight, IntentState, InvalidTransition, StateStore, UnknownRecord

from .conftest import FakeClock


def _intent(store: StateStore, source_id: str = "c-1", **extra: Any) -> int:
    return store.journal_intent(
        "customer",
        target="tripletex",
        op="create",
        source_side="webshop",
        source_id=source_id,
        **extra,
    )


def test_an_intent_is_open_until_done(store: StateStore) -> None:
    """A journalled create is listed as open with its natural key and payload, then closed by done."""
    intent_id = _intent(store, natural_key={"email": "a@b.no"}, payload={"amount": Decimal("10.50")})
    [open_intent] = store.open_intents()
    assert open_intent.id == intent_id
    assert (open_intent.state, open_intent.target, open_intent.op) == ("pending", "tripletex", "create")
    assert open_intent.natural_key == {"email": "a@b.no"}
    assert open_intent.payload == {"amount": "10.50"}

    store.journal_done(intent_id, result_id=4711)
    assert store.open_intents() == []
    done = store.intent(intent_id)
    assert done is not None
    assert (done.state, done.result_id) == (IntentState.DONE, "4711")


def test_open_intents_survive_a_restart(state_url: URL, clock: FakeClock) -> None:
    """An intent journalled before a crash is still open after the store is opened again."""
    with StateStore.open(state_url, clock=clock) as before:
        intent_id = _intent(before, idempotency_key="key-1")
        before.journal_ambiguous(intent_id, "read timeout")
    with StateStore.open(state_url, clock=clock) as after:
        [found] = after.open_intents("customer")
        assert (found.id, found.state, found.error, found.idempotency_key) == (
            intent_id,
            "ambiguous",
            "read timeout",
            "key-1",
        )
        assert after.intent_by_key("key-1") == found


def test_a_second_intent_for_the_same_record_is_refused(store: StateStore) -> None:
    """While one write for a record is unresolved, another raises IntentInFlight naming the first."""
    first = _intent(store)
    with pytest.raises(IntentInFlight) as caught:
        _intent(store)
    assert caught.value.existing_id == first
    store.journal_ambiguous(first)
    with pytest.raises(IntentInFlight):
        _intent(store)
    store.journal_done(first, "4711")
    assert _intent(store) != first  # resolved: a new write may start
    assert _intent(store, source_id="c-2") > first  # other records are independent


def test_intent_transitions(store: StateStore) -> None:
    """Done repeats harmlessly with the same result; a closed intent cannot be reopened or redone."""
    intent_id = _intent(store)
    store.journal_done(intent_id, "1")
    store.journal_done(intent_id, "1")
    with pytest.raises(InvalidTransition):
        store.journal_done(intent_id, "2")
    with pytest.raises(InvalidTransition):
        store.journal_ambiguous(intent_id)
    failed = _intent(store, source_id="c-2")
    store.journal_failed(failed, "422 organisationNumber: invalid")
    got = store.intent(failed)
    assert got is not None
    assert (got.state, got.error) == ("failed", "422 organisationNumber: invalid")
    with pytest.raises(UnknownRecord):
        store.journal_done(999_999, "x")


def test_idempotency_keys_are_unique(store: StateStore) -> None:
    """The same Idempotency-Key cannot be journalled twice (two writes would share one shop record)."""
    _intent(store, idempotency_key="key-1")
    with pytest.raises(sa.exc.IntegrityError):
        _intent(store, source_id="c-2", idempotency_key="key-1")


def test_prune_journal_keeps_open_and_recent_intents(store: StateStore, clock: FakeClock) -> None:
    """Pruning deletes only closed intents older than the cut-off."""
    old_done = _intent(store, source_id="c-1")
    store.journal_done(old_done, "1")
    old_open = _intent(store, source_id="c-2")
    clock.advance(days=30)
    new_done = _intent(store, source_id="c-3")
    store.journal_done(new_done, "3")
    assert store.prune_journal(clock.now - dt.timedelta(days=1)) == 1
    assert store.intent(old_done) is None
    assert store.intent(old_open) is not None
    assert store.intent(new_done) is not None
