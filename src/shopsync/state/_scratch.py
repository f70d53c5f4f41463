"""A throwaway copy of one tenant's working state, for a dry run that must change nothing.

``scratch_copy(store)`` copies what a sync pass reads — links, snapshots, cursors, seen versions, the
open intents, conflicts, the open dead letters, review items and the queued work — into a temporary
SQLite file, and deletes it afterwards. A dry run works on the copy exactly as a pass works on the real
state (it may link, save snapshots, queue work: all of it lands in the copy), so the real state is
never written, and no lock is held on it while the dry run talks to both systems: the rows are read in
one short read transaction (``REPEATABLE READ`` on PostgreSQL, so the tables agree with each other).
The timeline (events), the pass history and the webhook deliveries are not copied: a pass never reads
them (so the copy's events are exactly the dry run's own). Row ids are kept.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from shopsync.state._base import chunks
from shopsync.state.tables import (
    IN_FLIGHT_WHERE,
    conflicts,
    cursors,
    dead_letters,
    journal,
    links,
    pending_work,
    review_items,
    seen_versions,
    snapshots,
)

if TYPE_CHECKING:
    from shopsync.state.store import StateStore

__all__ = ["COPIED", "scratch_copy"]

#: The tables copied, each with the rows a pass can need (None: all of the tenant's rows).
COPIED: tuple[tuple[sa.Table, Any], ...] = (
    (links, None),
    (snapshots, None),
    (cursors, None),
    (seen_versions, None),
    (journal, IN_FLIGHT_WHERE),
    (conflicts, None),
    (dead_letters, sa.text("status = 'open'")),
    (review_items, None),
    (pending_work, None),
)


def _read_all(store: StateStore) -> list[tuple[sa.Table, list[dict[str, Any]]]]:
    connection = store.engine.connect()
    if store.dialect == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    else:
        connection = connection.execution_options(sqlite_begin="DEFERRED")
    out = []
    with connection, connection.begin():
        for table, where in COPIED:
            query = sa.select(table).where(table.c.tenant == store.tenant)
            if where is not None:
                query = query.where(where)
            out.append((table, [dict(row._mapping) for row in connection.execute(query)]))
    return out


@contextmanager
def scratch_copy(store: StateStore) -> Iterator[StateStore]:
    """A store on a temporary SQLite copy of ``store``'s working state (same tenant and clock)."""
    from shopsync.state.store import StateStore

    rows = _read_all(store)
    with tempfile.TemporaryDirectory(prefix="shopsync-scratch-") as folder:
        copy = StateStore.open(Path(folder) / "state.db", store.tenant, clock=store._clock)
        try:
            with copy.transaction() as conn:
                for table, items in rows:
                    for batch in chunks(items):
                        conn.execute(sa.insert(table), batch)
            yield copy
        finally:
            copy.close()
