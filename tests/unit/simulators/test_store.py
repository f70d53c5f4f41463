"""SQLite storage: atomic writes, id sequences, and data that survives a restart with ``db``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shopsync.simulators.tripletex.store import ID_BASES, Store


def doc(obj_id: int, name: str) -> dict[str, object]:
    return {"id": obj_id, "version": 1, "name": name}


def test_ids_start_at_realistic_bases_and_addresses_share_a_sequence() -> None:
    """Each kind has its own large id range; postal and delivery addresses draw from one sequence."""
    store = Store()
    assert store.next_id("Customer") == ID_BASES["Customer"]
    first, second = store.next_id("Address"), store.next_id("DeliveryAddress")
    assert second == first + 1


def test_failed_transaction_leaves_nothing_behind() -> None:
    """An exception inside a transaction rolls every write of it back."""
    store = Store()
    with pytest.raises(RuntimeError), store.transaction():
        store.insert("Customer", doc(1, "A"), "2026-01-01T00:00:00.000000Z")
        raise RuntimeError("boom")
    assert store.count("Customer", "1=1", ()) == 0


def test_file_database_survives_a_restart(tmp_path: Path) -> None:
    """With a file, objects and the id sequence continue in a new Store."""
    path = tmp_path / "sim.sqlite"
    store = Store(path)
    new_id = store.next_id("Customer")
    with store.transaction():
        store.insert("Customer", doc(new_id, "Varig AS"), "2026-01-01T00:00:00.000000Z")
    store.close()
    again = Store(path)
    assert (again.get("Customer", new_id) or {})["name"] == "Varig AS"
    assert again.next_id("Customer") == new_id + 1
    again.close()


def test_filters_use_the_indexes() -> None:
    """The filter expressions match the indexes, so SQLite searches instead of scanning."""
    store = Store()
    plan = store.rows(
        "EXPLAIN QUERY PLAN SELECT id FROM customer WHERE json_extract(doc, '$.organizationNumber') = ?",
        ("923609016",),
    )
    assert any("USING INDEX ix_customer_organizationNumber" in str(row) for row in plan)


def test_inserts_in_a_transaction_are_seen_by_the_next_statement() -> None:
    """Buffered inserts are written before any later read of the same transaction, in order."""
    store = Store()
    with store.transaction():
        store.insert("Customer", doc(1, "A"), "2026-01-01T00:00:00.000000Z")
        store.add_change("Customer", 1, "CREATE", 7, "2026-01-01T01:00:00+01:00")
        assert store.exists("Customer", 1)
        store.add_change("Customer", 1, "UPDATE", 7, "2026-01-01T02:00:00+01:00")
        assert [c[2] for c in store.changes("Customer", 1)] == ["CREATE", "UPDATE"]
        store.insert("Customer", doc(2, "B"), "2026-01-01T00:00:00.000000Z")
    assert store.count("Customer", "1=1", ()) == 2


def test_a_failing_buffered_insert_rolls_back_the_whole_transaction() -> None:
    """A duplicate id found when the buffer is written fails the transaction and keeps nothing of it."""
    store = Store()
    with store.transaction():
        store.insert("Customer", doc(1, "A"), "2026-01-01T00:00:00.000000Z")
    with pytest.raises(sqlite3.IntegrityError), store.transaction():
        store.insert("Customer", doc(2, "B"), "2026-01-01T00:00:00.000000Z")
        store.insert("Customer", doc(1, "A again"), "2026-01-01T00:00:00.000000Z")
    assert store.count("Customer", "1=1", ()) == 1
    assert (store.get("Customer", 1) or {})["name"] == "A"


def test_indexes_of_an_older_database_file_are_replaced(tmp_path: Path) -> None:
    """Opening a file with an index this version no longer wants drops it; the wanted ones exist."""
    path = tmp_path / "old.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE INDEX ix_customer_name ON customer(json_extract(doc, '$.name'))")
    conn.close()
    store = Store(path)
    names = {r[0] for r in store.rows("SELECT name FROM sqlite_schema WHERE type = 'index'")}
    assert "ix_customer_name" not in names
    assert "ix_customer_customerNumber_isInactive" in names
    store.close()
