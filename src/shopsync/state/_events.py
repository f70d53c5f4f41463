"""The per-record timeline: what happened to a record, on which side, and what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from shopsync.state._base import StoreBase, chunks
from shopsync.state.records import Event, EventInput, Side
from shopsync.state.tables import events, links

__all__ = ["EventOps"]


def _event(r: sa.Row[Any]) -> Event:
    return Event(
        id=r.id,
        entity=r.entity,
        webshop_id=r.webshop_id,
        tripletex_id=r.tripletex_id,
        side=r.side,
        action=r.action,
        detail=r.detail,
        at=r.at,
    )


class EventOps(StoreBase):
    """Log what happened to records and show one record's history."""

    def log_event(
        self,
        entity: str,
        action: str,
        *,
        webshop_id: str | None = None,
        tripletex_id: int | None = None,
        side: Side | str | None = None,
        detail: Any = None,
        conn: sa.Connection | None = None,
    ) -> int:
        """Add an event (``detail`` says what changed) to a record's timeline; its id."""
        if webshop_id is None and tripletex_id is None:
            raise ValueError("an event belongs to a record: give webshop_id, tripletex_id or both")
        row = {
            "tenant": self._tenant,
            "entity": str(entity),
            "webshop_id": None if webshop_id is None else str(webshop_id),
            "tripletex_id": None if tripletex_id is None else int(tripletex_id),
            "side": None if side is None else Side(side).value,
            "action": str(action),
            "detail": detail,
            "at": self._now(),
        }
        with self._write(conn) as c:
            return int(c.execute(sa.insert(events).values(row).returning(events.c.id)).scalar_one())

    def log_events(
        self, entity: str, items: Sequence[EventInput], *, conn: sa.Connection | None = None
    ) -> None:
        """Bulk ``log_event`` (one statement per chunk, no ids returned); the same checks first."""
        now = self._now()
        rows = []
        for e in items:
            if e.webshop_id is None and e.tripletex_id is None:
                raise ValueError("an event belongs to a record: give webshop_id, tripletex_id or both")
            rows.append(
                {
                    "tenant": self._tenant,
                    "entity": str(entity),
                    "webshop_id": None if e.webshop_id is None else str(e.webshop_id),
                    "tripletex_id": None if e.tripletex_id is None else int(e.tripletex_id),
                    "side": None if e.side is None else Side(e.side).value,
                    "action": str(e.action),
                    "detail": e.detail,
                    "at": now,
                }
            )
        with self._write(conn) as c:
            for batch in chunks(rows):
                c.execute(sa.insert(events), batch)

    def timeline(
        self,
        entity: str,
        *,
        webshop_id: str | None = None,
        tripletex_id: int | None = None,
        limit: int = 200,
        conn: sa.Connection | None = None,
    ) -> list[Event]:
        """A record's last ``limit`` events, oldest first, by either id.

        Events logged under the linked counterpart's id are included: before the link existed, an
        event may only have known one side.
        """
        if webshop_id is None and tripletex_id is None:
            raise ValueError("give webshop_id, tripletex_id or both")
        with self._read(conn) as c:
            mine = sa.and_(self._mine(links), links.c.entity == str(entity))
            if webshop_id is not None and tripletex_id is None:
                tripletex_id = c.scalar(
                    sa.select(links.c.tripletex_id).where(mine, links.c.webshop_id == str(webshop_id))
                )
            elif tripletex_id is not None and webshop_id is None:
                webshop_id = c.scalar(
                    sa.select(links.c.webshop_id).where(mine, links.c.tripletex_id == int(tripletex_id))
                )
            which = []
            if webshop_id is not None:
                which.append(events.c.webshop_id == str(webshop_id))
            if tripletex_id is not None:
                which.append(events.c.tripletex_id == int(tripletex_id))
            query = (
                sa.select(events)
                .where(self._mine(events), events.c.entity == str(entity), sa.or_(*which))
                .order_by(events.c.at.desc(), events.c.id.desc())
                .limit(limit)
            )
            return [_event(r) for r in reversed(c.execute(query).all())]

    def recent_events(self, limit: int = 100, *, conn: sa.Connection | None = None) -> list[Event]:
        """The tenant's last ``limit`` events, newest first."""
        query = (
            sa.select(events)
            .where(self._mine(events))
            .order_by(events.c.at.desc(), events.c.id.desc())
            .limit(limit)
        )
        with self._read(conn) as c:
            return [_event(r) for r in c.execute(query)]

    def prune_events(self, before: dt.datetime, *, conn: sa.Connection | None = None) -> int:
        """Delete events older than ``before``; how many went."""
        with self._write(conn) as c:
            return int(c.execute(sa.delete(events).where(self._mine(events), events.c.at < before)).rowcount)
