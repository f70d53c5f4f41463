"""Pending work, passes, the timeline and the status summary on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from shopsync.state import EntityStatus, StateStore, UnknownRecord

from .conftest import FakeClock


def test_due_work_waits_for_not_before(store: StateStore, clock: FakeClock) -> None:
    """Queued records come out once due, the longest-due first."""
    store.enqueue(
        "order", "webshop", "o-2", "customer c-9 not linked", not_before=clock.now + dt.timedelta(minutes=5)
    )
    store.enqueue("customer", "webshop", "c-1", "webhook")
    store.enqueue("product", "tripletex", 7, "webhook", not_before=clock.now - dt.timedelta(minutes=1))
    assert [w.record_id for w in store.due_work()] == ["7", "c-1"]
    assert [w.record_id for w in store.due_work(1)] == ["7"]
    assert [w.record_id for w in store.due_work(entity="customer")] == ["c-1"]
    clock.advance(minutes=5)
    assert [w.record_id for w in store.due_work()] == ["7", "c-1", "o-2"]
    assert len(store.queued_work()) == 3


def test_a_notification_during_work_is_not_completed_away(store: StateStore, clock: FakeClock) -> None:
    """Re-enqueueing keeps one row with a new generation, the earlier time and the latest reason;
    completing the older generation keeps it."""
    store.enqueue("customer", "webshop", "c-1", "waiting", not_before=clock.now + dt.timedelta(hours=1))
    store.enqueue("customer", "webshop", "c-1", "webhook")
    [item] = store.due_work()
    assert (item.generation, item.reason, item.not_before) == (2, "webhook", clock.now)

    store.enqueue("customer", "webshop", "c-1", "webhook again", not_before=clock.now + dt.timedelta(hours=2))
    assert store.complete_work(item) is False
    [newer] = store.due_work()
    assert (newer.generation, newer.not_before) == (3, clock.now)
    assert store.complete_work(newer) is True
    assert store.queued_work() == []


def test_deferred_work_counts_attempts(store: StateStore, clock: FakeClock) -> None:
    """Deferring a record moves it later with a reason and counts the attempt."""
    store.enqueue("order", "webshop", "o-1", "webhook")
    [item] = store.due_work()
    assert store.defer_work(item, "customer c-9 not linked", clock.now + dt.timedelta(minutes=10)) is True
    assert store.due_work() == []
    clock.advance(minutes=10)
    [again] = store.due_work()
    assert (again.attempts, again.reason) == (1, "customer c-9 not linked")


def test_passes_record_status_and_summary(store: StateStore, clock: FakeClock) -> None:
    """A finished pass keeps its status, summary and end time; the newest pass is the last one."""
    assert store.last_pass() is None
    sync = store.start_pass("sync")
    clock.advance(minutes=1)
    store.finish_pass(sync, "partial", {"customer": {"created": 3, "dead_lettered": 1}})
    last = store.last_pass("sync")
    assert last is not None
    assert (last.id, last.status, last.finished_at) == (sync, "partial", clock.now)
    assert last.summary == {"customer": {"created": 3, "dead_lettered": 1}}

    clock.advance(minutes=1)
    reconcile = store.start_pass("reconcile")
    newest = store.last_pass()
    assert newest is not None
    assert (newest.id, newest.status) == (reconcile, "running")
    finished = store.last_pass(finished=True)
    assert finished is not None
    assert finished.id == sync
    with pytest.raises(ValueError, match="running"):
        store.finish_pass(reconcile, "running")
    with pytest.raises(UnknownRecord):
        store.finish_pass(999_999, "failed")


def test_a_pass_left_running_by_a_dead_process_is_interrupted(store: StateStore) -> None:
    """Starting a pass marks a still-running pass of the same kind interrupted, not another kind's."""
    crashed = store.start_pass("sync")
    reconcile = store.start_pass("reconcile")
    current = store.start_pass("sync")
    store.finish_pass(current, "succeeded")
    statuses = {p.id: p.status for p in store.recent_passes()}
    assert statuses == {crashed: "interrupted", reconcile: "running", current: "succeeded"}


def test_timeline_joins_both_ids_of_a_link(store: StateStore, clock: FakeClock) -> None:
    """A record's timeline holds events logged under either of its linked ids, oldest first."""
    store.log_event("customer", "created", tripletex_id=101, side="tripletex", detail={"name": "Acme"})
    clock.advance(seconds=1)
    store.link("customer", "c-1", 101)
    store.log_event("customer", "linked", webshop_id="c-1", tripletex_id=101)
    clock.advance(seconds=1)
    store.log_event("customer", "updated", webshop_id="c-1", side="webshop", detail={"email": ["a", "b"]})
    store.log_event("customer", "updated", webshop_id="c-2", side="webshop")
    by_webshop = store.timeline("customer", webshop_id="c-1")
    assert [e.action for e in by_webshop] == ["created", "linked", "updated"]
    assert store.timeline("customer", tripletex_id=101) == by_webshop
    assert [e.action for e in store.timeline("customer", webshop_id="c-1", limit=2)] == ["linked", "updated"]
    assert by_webshop[-1].detail == {"email": ["a", "b"]}
    assert [e.webshop_id for e in store.recent_events(2)] == ["c-2", "c-1"]
    with pytest.raises(ValueError):
        store.log_event("customer", "updated")


def test_prune_events(store: StateStore, clock: FakeClock) -> None:
    """Pruning removes only events older than the cut-off."""
    store.log_event("product", "created", webshop_id="p-1")
    clock.advance(days=90)
    store.log_event("product", "updated", webshop_id="p-1")
    assert store.prune_events(clock.now - dt.timedelta(days=30)) == 1
    assert [e.action for e in store.timeline("product", webshop_id="p-1")] == ["updated"]


def test_status_summary(store: StateStore) -> None:
    """The summary counts links, queued work and open issues per entity, with cursors and the last pass."""
    store.link_many("customer", [("c-1", 1, None), ("c-2", 2, None)])
    store.link("order", "o-1", 10)
    store.enqueue("order", "webshop", "o-2", "customer c-9 not linked")
    store.record_conflict(
        "customer", "c-1", 1, "name", base="a", webshop_value="b", tripletex_value="c", policy="locked"
    )
    store.dead_letter("product", "webshop", "p-1", "bad SKU")
    store.add_review("customer", "webshop", "c-3", [1, 2])
    store.journal_intent("customer", target="tripletex", op="create", source_side="webshop", source_id="c-4")
    store.advance_cursor("webshop", "customer", "cur")
    pass_id = store.start_pass("sync")
    summary = store.status_summary()
    assert summary.entities == {
        "customer": EntityStatus(links=2, conflicts=1, reviews=1),
        "order": EntityStatus(links=1, pending=1),
        "product": EntityStatus(dead_letters=1),
    }
    assert summary.open_intents == 1
    assert [(c.side, c.entity, c.value) for c in summary.cursors] == [("webshop", "customer", "cur")]
    assert summary.last_pass is not None
    assert (summary.last_pass.id, summary.last_pass.status) == (pass_id, "running")
    encoded = json.loads(json.dumps(summary.to_dict()))
    assert encoded["entities"]["order"]["pending"] == 1
    assert encoded["tenant"] == "default"
    # Without the link counts (what the engine reads after every pass): the same open issues.
    assert store.status_summary(links_counted=False).entities == {
        "customer": EntityStatus(conflicts=1, reviews=1),
        "order": EntityStatus(pending=1),
        "product": EntityStatus(dead_letters=1),
    }


def test_work_item_is_the_current_generation_of_one_record(store: StateStore, clock: FakeClock) -> None:
    """``work_item`` returns a queued record's row (its latest generation), or None when not queued."""
    assert store.work_item("customer", "webshop", "c-1") is None
    store.enqueue("customer", "webshop", "c-1", "webhook")
    store.enqueue("customer", "webshop", "c-1", "webhook again")
    item = store.work_item("customer", "webshop", "c-1")
    assert item is not None and (item.generation, item.reason) == (2, "webhook again")
    assert store.work_item("customer", "tripletex", "c-1") is None
    assert store.for_tenant("other").work_item("customer", "webshop", "c-1") is None
    assert store.complete_work(item)
    assert store.work_item("customer", "webshop", "c-1") is None


def test_a_scratch_copy_reads_like_the_store_and_never_writes_it(store: StateStore, clock: FakeClock) -> None:
    """The copy holds the tenant's working state (ids kept); what is written to it stays there."""
    store.link("customer", "c-1", 11)
    store.save_snapshot("customer", "c-1", {"name": "A"}, tripletex_version=3)
    store.advance_cursor("webshop", "customer", "cursor-1")
    store.record_seen_versions("customer", {11: 3})
    letter = store.dead_letter("customer", "webshop", "c-2", "bad e-mail")
    conflict = store.record_conflict(
        "customer", "c-1", 11, "name", base="A", webshop_value="B", tripletex_value="C", policy="manual"
    )
    store.enqueue("customer", "webshop", "c-1", "webhook")
    store.for_tenant("other").link("customer", "x-1", 99)
    with store.scratch_copy() as scratch:
        assert scratch.tripletex_id_for("customer", "c-1") == 11
        assert scratch.snapshot("customer", "c-1").tripletex_version == 3  # type: ignore[union-attr]
        assert scratch.cursor("webshop", "customer") == "cursor-1"
        assert scratch.seen_versions("customer") == {11: 3}
        assert [d.id for d in scratch.open_dead_letters()] == [letter]
        assert [c.id for c in scratch.open_conflicts()] == [conflict]
        assert [w.record_id for w in scratch.due_work()] == ["c-1"]
        assert scratch.tenant == "default" and scratch.for_tenant("other").count_links() == 0
        scratch.link("customer", "c-3", 13)
        scratch.advance_cursor("webshop", "customer", "cursor-2")
        scratch.mark_replayed(letter)
    assert store.tripletex_id_for("customer", "c-3") is None
    assert store.cursor("webshop", "customer") == "cursor-1"
    assert [d.id for d in store.open_dead_letters()] == [letter]
