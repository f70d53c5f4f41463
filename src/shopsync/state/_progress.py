"""How far each change feed has been read: cursors, and the Tripletex versions seen by version scans."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from shopsync.state._base import CHUNK, StoreBase, chunks
from shopsync.state.records import Cursor, Side
from shopsync.state.tables import cursors, seen_versions

__all__ = ["ProgressOps"]


class ProgressOps(StoreBase):
    """Cursors per side and entity, and seen versions for products and orders (no ``changedSince``)."""

    # ------------------------------------------------------------------ cursors

    def cursor(self, side: Side | str, entity: str, *, conn: sa.Connection | None = None) -> str | None:
        """The stored cursor of one side's feed for ``entity``; None before the first pass."""
        query = sa.select(cursors.c.value).where(
            self._mine(cursors), cursors.c.side == str(side), cursors.c.entity == str(entity)
        )
        with self._read(conn) as c:
            value: str | None = c.execute(query).scalar_one_or_none()
            return value

    def advance_cursor(
        self, side: Side | str, entity: str, value: str, *, conn: sa.Connection | None = None
    ) -> None:
        """Store a new cursor value.

        Call it with the ``conn`` of the transaction that stores the links and snapshots the cursor
        covers: then a crash can only leave the cursor behind the data, never ahead of it.
        """
        Side(side)  # ValueError for a typo before the CHECK constraint would reject it
        row = {
            "tenant": self._tenant,
            "side": str(side),
            "entity": str(entity),
            "value": str(value),
            "updated_at": self._now(),
        }
        insert = self._insert(cursors).values(row)
        with self._write(conn) as c:
            c.execute(
                insert.on_conflict_do_update(
                    index_elements=["tenant", "side", "entity"],
                    set_={"value": insert.excluded.value, "updated_at": insert.excluded.updated_at},
                )
            )

    def reset_cursor(self, side: Side | str, entity: str, *, conn: sa.Connection | None = None) -> bool:
        """Forget a cursor, so the next pass reads the feed from the start; False if there was none."""
        with self._write(conn) as c:
            result = c.execute(
                sa.delete(cursors).where(
                    self._mine(cursors), cursors.c.side == str(side), cursors.c.entity == str(entity)
                )
            )
            return bool(result.rowcount)

    def cursors(self, *, conn: sa.Connection | None = None) -> list[Cursor]:
        """Every cursor of the tenant, by side then entity."""
        query = sa.select(cursors).where(self._mine(cursors)).order_by(cursors.c.side, cursors.c.entity)
        with self._read(conn) as c:
            return [Cursor(r.side, r.entity, r.value, r.updated_at) for r in c.execute(query)]

    # ------------------------------------------------------------------ seen versions

    def record_seen_versions(
        self, entity: str, versions: Mapping[int, int], *, conn: sa.Connection | None = None
    ) -> None:
        """Remember ``{tripletex id: version}`` after the changes they stand for have been stored."""
        now = self._now()
        rows = [
            {
                "tenant": self._tenant,
                "entity": str(entity),
                "tripletex_id": int(i),
                "version": int(v),
                "seen_at": now,
            }
            for i, v in versions.items()
        ]
        insert = self._insert(seen_versions)
        upsert = insert.on_conflict_do_update(
            index_elements=["tenant", "entity", "tripletex_id"],
            set_={"version": insert.excluded.version, "seen_at": insert.excluded.seen_at},
        )
        with self._write(conn) as c:
            for batch in chunks(rows, 5 * CHUNK):
                c.execute(upsert, batch)

    def seen_versions(
        self, entity: str, ids: Iterable[int] | None = None, *, conn: sa.Connection | None = None
    ) -> dict[int, int]:
        """``{tripletex id: version}`` last recorded, for ``ids`` or for every record of ``entity``."""
        base = sa.select(seen_versions.c.tripletex_id, seen_versions.c.version).where(
            self._mine(seen_versions), seen_versions.c.entity == str(entity)
        )
        with self._read(conn) as c:
            if ids is None:
                return {r.tripletex_id: r.version for r in c.execute(base)}
            out: dict[int, int] = {}
            for batch in chunks(int(i) for i in ids):
                query = base.where(seen_versions.c.tripletex_id.in_(batch))
                out.update((r.tripletex_id, r.version) for r in c.execute(query))
            return out

    def changed_versions(
        self, entity: str, observed: Mapping[int, int], *, conn: sa.Connection | None = None
    ) -> list[int]:
        """The ids in a scanned page ``{id: version}`` that are new or whose version differs, sorted."""
        known = self.seen_versions(entity, observed.keys(), conn=conn)
        return sorted(int(i) for i, v in observed.items() if known.get(int(i)) != int(v))

    def forget_seen_versions(
        self, entity: str, ids: Iterable[int], *, conn: sa.Connection | None = None
    ) -> int:
        """Drop the seen versions of deleted records; how many were dropped."""
        dropped = 0
        with self._write(conn) as c:
            for batch in chunks(int(i) for i in ids):
                result = c.execute(
                    sa.delete(seen_versions).where(
                        self._mine(seen_versions),
                        seen_versions.c.entity == str(entity),
                        seen_versions.c.tripletex_id.in_(batch),
                    )
                )
                dropped += result.rowcount
        return dropped
