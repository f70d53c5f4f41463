"""SQLite storage: atomic writes, id sequences, and data that survives a restart with ``db``."""

from __future__ import annotations

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
