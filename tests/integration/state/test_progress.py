"""Cursors and seen versions on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from shopsync.state import StateStore

from .conftest import FakeClock


def test_cursor_is_none_until_advanced_then_latest_value(store: StateStore, clock: FakeClock) -> None:
    """A cursor starts empty, holds the latest value, and records when it moved."""
    assert store.cursor("webshop", "customer") is None
    store.advance_cursor("webshop", "customer", "a")
    later = clock.advance(minutes=5)
    store.advance_cursor("webshop", "customer", "b")
    assert store.cursor("webshop", "customer") == "b"
    [cursor] = store.cursors()
    assert (cursor.side, cursor.entity, cursor.value, cursor.updated_at) == (
        "webshop",
        "customer",
        "b",
        later,
    )


def test_cursors_are_per_side_and_entity(store: StateStore) -> None:
    """Each side and entity has its own cursor; resetting one leaves the rest."""
    store.advance_cursor("webshop", "customer", "w-c")
    store.advance_cursor("tripletex", "customer", "t-c")
    store.advance_cursor("webshop", "order", "w-o")
    assert store.reset_cursor("webshop", "customer") is True
    assert store.reset_cursor("webshop", "customer") is False
    assert store.cursor("webshop", "customer") is None
    assert [(c.side, c.entity, c.value) for c in store.cursors()] == [
        ("tripletex", "customer", "t-c"),
        ("webshop", "order", "w-o"),
    ]


def test_a_cursor_for_an_unknown_side_is_refused(store: StateStore) -> None:
    """A typo in the side is a ValueError, not a stray row."""
    with pytest.raises(ValueError, match="shop"):
        store.advance_cursor("shop", "customer", "x")


def test_changed_versions_finds_new_and_changed_ids(store: StateStore) -> None:
    """A scanned page is compared with recorded versions: new ids and other versions are changed."""
    store.record_seen_versions("product", {1: 1, 2: 5, 3: 7})
    assert store.changed_versions("product", {1: 1, 2: 6, 3: 7, 4: 0}) == [2, 4]
    store.record_seen_versions("product", {2: 6, 4: 0})
    assert store.changed_versions("product", {1: 1, 2: 6, 3: 7, 4: 0}) == []
    assert store.seen_versions("product") == {1: 1, 2: 6, 3: 7, 4: 0}
    assert store.seen_versions("order") == {}


def test_forgetting_seen_versions(store: StateStore) -> None:
    """Forgotten ids count as new in the next scan; others keep their versions."""
    store.record_seen_versions("order", {1: 1, 2: 2})
    assert store.forget_seen_versions("order", [1, 99]) == 1
    assert store.seen_versions("order", [1, 2]) == {2: 2}
    assert store.changed_versions("order", {1: 1, 2: 2}) == [1]


def test_ten_thousand_seen_versions(store: StateStore) -> None:
    """A 10,000-id scan is recorded and compared in bulk; only the edited ids show as changed."""
    n = 10_000
    store.record_seen_versions("product", {i: 1 for i in range(n)})
    observed = {i: (2 if i % 100 == 0 else 1) for i in range(n)}
    assert store.changed_versions("product", observed) == list(range(0, n, 100))
    store.record_seen_versions("product", observed)
    assert store.changed_versions("product", observed) == []
