"""Links between webshop and Tripletex records, and the snapshot each linked pair last agreed on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import sqlalchemy as sa

from shopsync.state import _json
from shopsync.state._base import StoreBase, chunks
from shopsync.state.errors import LinkConflict, NotLinked
from shopsync.state.records import Entity, Link, Snapshot, SnapshotInput
from shopsync.state.tables import links, snapshots

__all__ = ["LinkOps"]

#: Entities whose links hang under a parent link and go when it goes.
CHILDREN: Mapping[str, str] = {Entity.ORDER: Entity.ORDER_LINE}


def _link(row: sa.Row[Any]) -> Link:
    return Link(
        entity=row.entity,
        webshop_id=row.webshop_id,
        tripletex_id=row.tripletex_id,
        parent_webshop_id=row.parent_webshop_id,
        created_at=row.created_at,
    )


def _snapshot(row: sa.Row[Any]) -> Snapshot:
    return Snapshot(
        entity=row.entity,
        webshop_id=row.webshop_id,
        values=row.values,
        values_hash=row.values_hash,
        webshop_version=row.webshop_version,
        tripletex_version=row.tripletex_version,
        synced_at=row.synced_at,
    )


class LinkOps(StoreBase):
    """Link, unlink and look up pairs; save and read their snapshots."""

    # ------------------------------------------------------------------ links

    def link(
        self,
        entity: str,
        webshop_id: str,
        tripletex_id: int,
        parent: str | None = None,
        *,
        conn: sa.Connection | None = None,
    ) -> Link:
        """Link two records; linking the same pair again is a no-op.

        LinkConflict if either id is already linked to another record (its ``existing`` is that link).
        """
        return self.link_many(entity, [(webshop_id, tripletex_id, parent)], conn=conn)[0]

    def link_many(
        self,
        entity: str,
        pairs: Iterable[tuple[str, int, str | None]],
        *,
        conn: sa.Connection | None = None,
    ) -> list[Link]:
        """Link many ``(webshop_id, tripletex_id, parent)`` pairs at once (all or none); see ``link``."""
        now = self._now()
        rows = [
            {
                "tenant": self._tenant,
                "entity": str(entity),
                "webshop_id": str(webshop_id),
                "tripletex_id": int(tripletex_id),
                "parent_webshop_id": None if parent is None else str(parent),
                "created_at": now,
            }
            for webshop_id, tripletex_id, parent in pairs
        ]
        out: list[Link] = []
        with self._atomic(conn) as c:
            for batch in chunks(rows):
                self._drop_stale_snapshots(c, entity, [str(r["webshop_id"]) for r in batch])
                # DO NOTHING on either unique key, then compare: an IntegrityError would abort a
                # PostgreSQL transaction the caller may still want to use.
                c.execute(self._insert(links).on_conflict_do_nothing(), batch)
                by_webshop = self._links_by(c, entity, "webshop_id", [r["webshop_id"] for r in batch])
                by_tripletex = self._links_by(c, entity, "tripletex_id", [r["tripletex_id"] for r in batch])
                for row in batch:
                    found = by_webshop.get(row["webshop_id"])
                    other = by_tripletex.get(row["tripletex_id"])
                    if found is None or found.tripletex_id != row["tripletex_id"]:
                        existing = found if found is not None else other
                        raise LinkConflict(
                            f"cannot link {entity} webshop {row['webshop_id']} ↔ tripletex "
                            f"{row['tripletex_id']}: already linked as {existing}",
                            existing=existing,
                        )
                    out.append(found)
        return out

    def _links_by(self, c: sa.Connection, entity: str, column: str, ids: list[Any]) -> dict[Any, Link]:
        query = sa.select(links).where(
            self._mine(links), links.c.entity == str(entity), links.c[column].in_(ids)
        )
        return {getattr(link, column): link for link in map(_link, c.execute(query))}

    def _drop_stale_snapshots(self, c: sa.Connection, entity: str, webshop_ids: list[str]) -> None:
        # A snapshot left over from an earlier link of the same record (see tables.snapshots) must
        # never become the base of a new pair's merge.
        linked = sa.exists().where(
            links.c.tenant == snapshots.c.tenant,
            links.c.entity == snapshots.c.entity,
            links.c.webshop_id == snapshots.c.webshop_id,
        )
        c.execute(
            sa.delete(snapshots).where(
                self._mine(snapshots),
                snapshots.c.entity == str(entity),
                snapshots.c.webshop_id.in_(webshop_ids),
                ~linked,
            )
        )

    def _delete_links(self, c: sa.Connection, entity: str, *where: sa.ColumnElement[bool]) -> int:
        """Delete the matching links of ``entity`` and their snapshots; how many links went."""
        doomed = sa.select(links.c.webshop_id).where(self._mine(links), links.c.entity == entity, *where)
        c.execute(
            sa.delete(snapshots).where(
                self._mine(snapshots), snapshots.c.entity == entity, snapshots.c.webshop_id.in_(doomed)
            )
        )
        result = c.execute(sa.delete(links).where(self._mine(links), links.c.entity == entity, *where))
        return int(result.rowcount)

    def unlink(self, entity: str, webshop_id: str, *, conn: sa.Connection | None = None) -> bool:
        """Remove a link, its snapshot and its child links (an order's lines); False if not linked."""
        with self._write(conn) as c:
            child = CHILDREN.get(str(entity))
            if child is not None:
                self._delete_links(c, child, links.c.parent_webshop_id == str(webshop_id))
            return bool(self._delete_links(c, str(entity), links.c.webshop_id == str(webshop_id)))

    def unlink_children(
        self, entity: str, parents: Iterable[str], *, conn: sa.Connection | None = None
    ) -> int:
        """Remove the links (and snapshots) of ``entity`` under these parents, e.g. the order lines of
        many orders at once; how many went."""
        gone = 0
        with self._write(conn) as c:
            for batch in chunks(str(p) for p in parents):
                gone += self._delete_links(c, str(entity), links.c.parent_webshop_id.in_(batch))
        return gone

    def get_link(
        self,
        entity: str,
        *,
        webshop_id: str | None = None,
        tripletex_id: int | None = None,
        conn: sa.Connection | None = None,
    ) -> Link | None:
        """The link of a record, found by either id."""
        if (webshop_id is None) == (tripletex_id is None):
            raise ValueError("give exactly one of webshop_id and tripletex_id")
        column, value = (
            ("webshop_id", str(webshop_id))
            if webshop_id is not None
            else ("tripletex_id", int(tripletex_id or 0))
        )
        with self._read(conn) as c:
            return self._links_by(c, entity, column, [value]).get(value)

    def tripletex_id_for(
        self, entity: str, webshop_id: str, *, conn: sa.Connection | None = None
    ) -> int | None:
        """The Tripletex id linked to a webshop record, or None."""
        found = self.get_link(entity, webshop_id=webshop_id, conn=conn)
        return None if found is None else found.tripletex_id

    def webshop_id_for(
        self, entity: str, tripletex_id: int, *, conn: sa.Connection | None = None
    ) -> str | None:
        """The webshop id linked to a Tripletex record, or None."""
        found = self.get_link(entity, tripletex_id=tripletex_id, conn=conn)
        return None if found is None else found.webshop_id

    def tripletex_ids_for(
        self, entity: str, webshop_ids: Iterable[str], *, conn: sa.Connection | None = None
    ) -> dict[str, int]:
        """Bulk ``tripletex_id_for``: ``{webshop id: tripletex id}`` for the linked ones."""
        with self._read(conn) as c:
            return {
                w: link.tripletex_id
                for batch in chunks(str(i) for i in webshop_ids)
                for w, link in self._links_by(c, entity, "webshop_id", batch).items()
            }

    def webshop_ids_for(
        self, entity: str, tripletex_ids: Iterable[int], *, conn: sa.Connection | None = None
    ) -> dict[int, str]:
        """Bulk ``webshop_id_for``: ``{tripletex id: webshop id}`` for the linked ones."""
        with self._read(conn) as c:
            return {
                t: link.webshop_id
                for batch in chunks(int(i) for i in tripletex_ids)
                for t, link in self._links_by(c, entity, "tripletex_id", batch).items()
            }

    def links(
        self, entity: str, *, page_size: int = 1000, conn: sa.Connection | None = None
    ) -> Iterator[Link]:
        """Every link of ``entity`` ordered by webshop id, read in pages (one short transaction each)."""
        after: str | None = None
        while True:
            query = sa.select(links).where(self._mine(links), links.c.entity == str(entity))
            if after is not None:
                query = query.where(links.c.webshop_id > after)
            with self._read(conn) as c:
                page = [_link(r) for r in c.execute(query.order_by(links.c.webshop_id).limit(page_size))]
            yield from page
            if len(page) < page_size:
                return
            after = page[-1].webshop_id

    def child_links(self, entity: str, parent: str, *, conn: sa.Connection | None = None) -> list[Link]:
        """The links under a parent (``child_links("order_line", order_webshop_id)``)."""
        query = sa.select(links).where(
            self._mine(links), links.c.entity == str(entity), links.c.parent_webshop_id == str(parent)
        )
        with self._read(conn) as c:
            rows = [_link(r) for r in c.execute(query)]
        # Sorted here, not by ORDER BY: SQLite (no statistics) would then walk the primary key, i.e. every
        # link of the entity, to skip the sort, instead of using the parent index — O(n) per order.
        return sorted(rows, key=lambda link: link.webshop_id)

    def count_links(self, entity: str | None = None, *, conn: sa.Connection | None = None) -> int:
        """How many links ``entity`` has (every entity when None)."""
        query = sa.select(sa.func.count()).select_from(links).where(self._mine(links))
        if entity is not None:
            query = query.where(links.c.entity == str(entity))
        with self._read(conn) as c:
            return int(c.execute(query).scalar_one())

    # ------------------------------------------------------------------ snapshots

    def save_snapshot(
        self,
        entity: str,
        webshop_id: str,
        values: Mapping[str, Any],
        *,
        webshop_version: str | None = None,
        tripletex_version: int | None = None,
        conn: sa.Connection | None = None,
    ) -> Snapshot:
        """Store (or replace) the values a linked pair agreed on; NotLinked if there is no link."""
        item = SnapshotInput(str(webshop_id), dict(values), webshop_version, tripletex_version)
        return self.save_snapshots(entity, [item], conn=conn)[0]

    def save_snapshots(
        self, entity: str, items: Iterable[SnapshotInput], *, conn: sa.Connection | None = None
    ) -> list[Snapshot]:
        """Bulk ``save_snapshot`` (upserts); NotLinked, and nothing saved, if any pair has no link."""
        now = self._now()
        stored = [
            Snapshot(
                entity=str(entity),
                webshop_id=str(item.webshop_id),
                values=values,
                values_hash=_json.stored_hash(values),
                webshop_version=None if item.webshop_version is None else str(item.webshop_version),
                tripletex_version=None if item.tripletex_version is None else int(item.tripletex_version),
                synced_at=now,
            )
            for item in items
            # The stored form once: its hash is the hash of the values (``_json.values_hash``).
            for values in (_json.to_json(item.values),)
        ]
        insert = self._insert(snapshots)
        replaced = ("values", "values_hash", "webshop_version", "tripletex_version", "synced_at")
        upsert = insert.on_conflict_do_update(
            index_elements=["tenant", "entity", "webshop_id"],
            set_={name: insert.excluded[name] for name in replaced},
        )
        with self._atomic(conn) as c:
            for batch in chunks(stored):
                # Checked first: a foreign-key error would abort a PostgreSQL transaction.
                linked = self._links_by(c, entity, "webshop_id", [s.webshop_id for s in batch])
                missing = [s.webshop_id for s in batch if s.webshop_id not in linked]
                if missing:
                    raise NotLinked(
                        f"{entity} {', '.join(missing[:5])} not linked; link before saving a snapshot"
                    )
                c.execute(upsert, [{"tenant": self._tenant} | _snapshot_row(s) for s in batch])
        return stored

    def snapshot(self, entity: str, webshop_id: str, *, conn: sa.Connection | None = None) -> Snapshot | None:
        """The last agreed values of a linked pair, or None."""
        return self.snapshots_many(entity, [webshop_id], conn=conn).get(str(webshop_id))

    def snapshots_many(
        self, entity: str, webshop_ids: Iterable[str], *, conn: sa.Connection | None = None
    ) -> dict[str, Snapshot]:
        """Bulk ``snapshot``: ``{webshop id: snapshot}`` for those that have one."""
        out: dict[str, Snapshot] = {}
        with self._read(conn) as c:
            for batch in chunks(str(i) for i in webshop_ids):
                query = sa.select(snapshots).where(
                    self._mine(snapshots),
                    snapshots.c.entity == str(entity),
                    snapshots.c.webshop_id.in_(batch),
                )
                out.update((s.webshop_id, s) for s in map(_snapshot, c.execute(query)))
        return out

    def synced_versions(self, entity: str, *, conn: sa.Connection | None = None) -> dict[int, int | None]:
        """``{tripletex id: Tripletex version in its snapshot}`` of every linked pair (None: no snapshot
        or no version) — what a full reconcile compares a complete Tripletex scan with."""
        query = (
            sa.select(links.c.tripletex_id, snapshots.c.tripletex_version)
            .select_from(
                links.outerjoin(
                    snapshots,
                    sa.and_(
                        snapshots.c.tenant == links.c.tenant,
                        snapshots.c.entity == links.c.entity,
                        snapshots.c.webshop_id == links.c.webshop_id,
                    ),
                )
            )
            .where(self._mine(links), links.c.entity == str(entity))
        )
        with self._read(conn) as c:
            return {int(t): None if v is None else int(v) for t, v in c.execute(query)}


def _snapshot_row(s: Snapshot) -> dict[str, Any]:
    return {
        "entity": s.entity,
        "webshop_id": s.webshop_id,
        "values": s.values,
        "values_hash": s.values_hash,
        "webshop_version": s.webshop_version,
        "tripletex_version": s.tripletex_version,
        "synced_at": s.synced_at,
    }
