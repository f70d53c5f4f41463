"""Read-only queries only the status page needs: the last write each way, and searching the links.

They read the state tables directly (through ``StateStore.engine``, always filtered on the store's
tenant) because they are views for people, not operations the engine relies on. Both are bounded:
one indexed ``ORDER BY at DESC LIMIT 1`` per entity and side, and a ``LIMIT`` on the search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from shopsync.state import EventAction, Side, StateStore
from shopsync.state.tables import events, links, snapshots

__all__ = ["WRITE_ACTIONS", "LinkRow", "last_writes", "search_links"]

#: Timeline actions that wrote to the event's side.
WRITE_ACTIONS: tuple[str, ...] = (EventAction.CREATED, EventAction.UPDATED, EventAction.DEACTIVATED)
#: Snapshot keys that name a record, in the order tried for its label.
_LABEL_KEYS = ("name", "number", "sku", "email")


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One linked pair as the records list shows it."""

    entity: str
    webshop_id: str
    tripletex_id: int
    created_at: dt.datetime
    label: str | None


def _read(store: StateStore) -> Any:
    # Reads never wait for a writer on SQLite (a deferred transaction), like the store's own reads.
    return store.engine.connect().execution_options(sqlite_begin="DEFERRED")


def last_writes(store: StateStore, entities: Iterable[str]) -> dict[str, dict[str, dt.datetime | None]]:
    """Per entity, when a record was last written on each side (``{"tripletex": …, "webshop": …}``)."""
    out: dict[str, dict[str, dt.datetime | None]] = {}
    with _read(store) as c, c.begin():
        for entity in entities:
            per_side: dict[str, dt.datetime | None] = {}
            for side in Side:
                query = (
                    sa.select(events.c.at)
                    .where(
                        events.c.tenant == store.tenant,
                        events.c.entity == entity,
                        events.c.side == side.value,
                        events.c.action.in_([str(a) for a in WRITE_ACTIONS]),
                    )
                    .order_by(events.c.at.desc())
                    .limit(1)
                )
                per_side[side.value] = c.execute(query).scalar()
            out[entity] = per_side
    return out


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _label(values: Any) -> str | None:
    if not isinstance(values, dict):
        return None
    for key in _LABEL_KEYS:
        value = values.get(key)
        if value not in (None, ""):
            return str(value)
    return None


def search_links(store: StateStore, entity: str | None, q: str, limit: int = 100) -> list[LinkRow]:
    """Links of ``entity`` (every entity when None) whose ids or last agreed values contain ``q``
    (case-insensitive), newest first."""
    joined = links.outerjoin(
        snapshots,
        sa.and_(
            snapshots.c.tenant == links.c.tenant,
            snapshots.c.entity == links.c.entity,
            snapshots.c.webshop_id == links.c.webshop_id,
        ),
    )
    query = (
        sa.select(
            links.c.entity,
            links.c.webshop_id,
            links.c.tripletex_id,
            links.c.created_at,
            snapshots.c["values"],
        )
        .select_from(joined)
        .where(links.c.tenant == store.tenant)
    )
    if entity:
        query = query.where(links.c.entity == entity)
    text = q.strip()
    if text:
        pattern = f"%{_escape_like(text.lower())}%"
        query = query.where(
            sa.or_(
                sa.func.lower(links.c.webshop_id).like(pattern, escape="\\"),
                sa.cast(links.c.tripletex_id, sa.Text).like(pattern, escape="\\"),
                sa.func.lower(sa.cast(snapshots.c["values"], sa.Text)).like(pattern, escape="\\"),
            )
        )
    query = query.order_by(links.c.created_at.desc(), links.c.entity, links.c.webshop_id).limit(limit)
    with _read(store) as c, c.begin():
        return [
            LinkRow(
                entity=r.entity,
                webshop_id=r.webshop_id,
                tripletex_id=r.tripletex_id,
                created_at=r.created_at,
                label=_label(r[4]),
            )
            for r in c.execute(query)
        ]
