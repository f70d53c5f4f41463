"""``PassProgress``: settled records per entity, reported monotonic; an interrupted ``PassSummary``."""

from __future__ import annotations

import datetime as dt

from structlog.testing import capture_logs

from shopsync.engine import ProgressEvent
from shopsync.engine.progress import PassProgress
from shopsync.engine.summary import PassSummary


def test_done_grows_to_total_and_never_goes_back() -> None:
    """Unknown ids and repeats do not count; the total is fixed once known; finish settles the rest."""
    events: list[ProgressEvent] = []
    progress = PassProgress(events.append)
    progress.stage("customer", "detect")
    progress.handled("customer", "webshop", ["1"])  # before the total is known: nothing to count
    progress.expect("customer", [("webshop", "1"), ("webshop", "2"), ("tripletex", 7)])
    progress.stage("customer", "create")
    progress.handled("customer", "webshop", ["1", "1", "99"])  # "99" was not detected
    progress.handled("customer", "webshop", ["1"])  # nothing new: no event
    progress.handled("customer", "tripletex", [7])  # ints and strings are the same id
    progress.expect("customer", [("webshop", "1")])  # too late: the total stays
    progress.finish("customer")
    assert [(e.stage, e.done, e.total) for e in events] == [
        ("detect", 0, None),
        ("detect", 0, 3),
        ("create", 0, 3),
        ("create", 1, 3),
        ("create", 2, 3),
        ("done", 3, 3),
    ]
    assert {e.entity for e in events} == {"customer"}


def test_an_entity_with_nothing_to_do_finishes_at_zero() -> None:
    events: list[ProgressEvent] = []
    progress = PassProgress(events.append)
    progress.finish("order")
    assert events == [ProgressEvent("order", "done", 0, 0)]


def test_a_failing_callback_is_logged_once_and_dropped() -> None:
    """A broken display never breaks the pass: the error is logged and the callback not called again."""
    calls: list[ProgressEvent] = []

    def broken(event: ProgressEvent) -> None:
        calls.append(event)
        raise RuntimeError("terminal gone")

    progress = PassProgress(broken)
    with capture_logs() as logs:
        progress.stage("customer", "detect")
        progress.stage("customer", "match")
        progress.finish("customer")
    assert len(calls) == 1
    assert [e["event"] for e in logs] == ["engine.progress_callback_failed"]


def test_without_a_callback_nothing_happens() -> None:
    progress = PassProgress()
    progress.expect("customer", [("webshop", "1")])
    progress.handled("customer", "webshop", ["1"])
    progress.finish("customer")


def test_an_interrupted_summary_is_not_in_sync_and_says_so() -> None:
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    summary = PassSummary(entities=("customer",), started_at=now, finished_at=now)
    assert summary.in_sync and summary.to_dict()["interrupted"] is False
    summary.interrupted = True
    assert not summary.in_sync and summary.exit_code == 1
    assert summary.to_dict()["interrupted"] is True
    assert summary.lines()[0] == "NOT in sync"
    assert summary.lines()[1].startswith("interrupted: stopped on request")


def test_expect_more_grows_the_total_window_by_window() -> None:
    """A pass reading the feed in windows adds each window's records: the total grows, known ids and
    repeats add nothing, and ``done`` never passes it."""
    events: list[ProgressEvent] = []
    progress = PassProgress(events.append)
    progress.expect("order", [("webshop", "1"), ("tripletex", 7)])
    progress.handled("order", "webshop", ["1"])
    progress.expect_more("order", [("webshop", "2"), ("webshop", "1")])
    progress.expect_more("order", [("webshop", "2")])  # nothing new: no event
    progress.handled("order", "webshop", ["2"])
    progress.finish("order")
    assert [(e.done, e.total) for e in events] == [(0, 2), (1, 2), (1, 3), (2, 3), (3, 3)]
