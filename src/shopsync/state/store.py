"""``StateStore``: everything the sync engine remembers, as short transactions named after what they do.

The store is bound to one tenant and never reads or writes another tenant's rows. Its operations live
in one mixin per concern (``_links``, ``_progress``, ``_journal``, ``_issues``, ``_work``,
``_events``); this module opens and closes the store and builds the status summary from all of them.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from shopsync.state import migrate
from shopsync.state._base import Clock, utc_now
from shopsync.state._deliveries import DeliveryOps
from shopsync.state._events import EventOps
from shopsync.state._issues import IssueOps
from shopsync.state._journal import JournalOps
from shopsync.state._links import LinkOps
from shopsync.state._progress import ProgressOps
from shopsync.state._scratch import scratch_copy
from shopsync.state._work import WorkOps
from shopsync.state.records import (
    OPEN_INTENT_STATES,
    ConflictStatus,
    DeadLetterStatus,
    EntityStatus,
    ReviewStatus,
    StatusSummary,
)
from shopsync.state.tables import (
    DEFAULT_TENANT,
    conflicts,
    dead_letters,
    journal,
    links,
    pending_work,
    review_items,
)
from shopsync.state.urls import create_state_engine

__all__ = ["StateStore"]


class StateStore(LinkOps, ProgressOps, JournalOps, IssueOps, WorkOps, EventOps, DeliveryOps):
    """The sync state of one tenant in a SQLite or PostgreSQL database.

    Every operation runs in its own short transaction unless given ``conn=``, a connection from
    :meth:`transaction`; then it joins that transaction, which commits when the ``with`` block ends and
    rolls back if it raises::

        with store.transaction() as conn:
            store.link("customer", "c-17", 4711, conn=conn)
            store.save_snapshot("customer", "c-17", view, tripletex_version=3, conn=conn)
            store.advance_cursor("webshop", "customer", feed_cursor, conn=conn)
    """

    @classmethod
    def open(
        cls,
        url: str | os.PathLike[str] | URL,
        tenant: str = DEFAULT_TENANT,
        *,
        clock: Clock = utc_now,
        migrate_schema: bool = True,
        **engine_options: Any,
    ) -> StateStore:
        """Open the state at ``url`` (a path, ``sqlite:///…`` or ``postgresql://…``) for ``tenant``.

        The schema is created or migrated to the newest revision first, unless ``migrate_schema`` is
        False (then the database must already be at head).
        """
        engine = create_state_engine(url, **engine_options)
        try:
            if migrate_schema:
                migrate.upgrade(engine)
            return cls(engine, tenant, clock)
        except BaseException:
            engine.dispose()
            raise

    @classmethod
    def from_engine(
        cls, engine: Engine, tenant: str = DEFAULT_TENANT, *, clock: Clock = utc_now
    ) -> StateStore:
        """A store on an engine from ``urls.create_state_engine`` whose schema is already at head."""
        return cls(engine, tenant, clock)

    def scratch_copy(self) -> AbstractContextManager[StateStore]:
        """A store on a throwaway copy of this tenant's working state, deleted when the block ends::

            with store.scratch_copy() as scratch:    # a dry run writes here, never to ``store``
                ...

        See ``_scratch`` for what is copied (everything a pass reads; not the timeline or history).
        """
        return scratch_copy(self)

    def for_tenant(self, tenant: str) -> StateStore:
        """A store for another tenant sharing this one's engine (closing either closes both)."""
        return type(self)(self._engine, tenant, self._clock)

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        url = self._engine.url.render_as_string(hide_password=True)
        return f"<StateStore tenant={self._tenant!r} url={url!r}>"

    # ------------------------------------------------------------------ status

    def _count_by_entity(self, c: sa.Connection, table: sa.Table, *where: Any) -> dict[str, int]:
        query = (
            sa.select(table.c.entity, sa.func.count())
            .where(self._mine(table), *where)
            .group_by(table.c.entity)
        )
        return {entity: int(count) for entity, count in c.execute(query)}

    def status_summary(
        self, *, links_counted: bool = True, conn: sa.Connection | None = None
    ) -> StatusSummary:
        """What ``shopsync status`` shows: per entity links, queued work, open conflicts, dead letters and
        reviews; the cursors; unresolved intents; the last pass. Read in one consistent transaction.

        ``links_counted=False`` leaves the links at 0: counting them reads every link (40 ms at 500,000),
        too much after every webhook's pass, which only needs what is open."""
        with self._read(conn) as c:
            counts = {
                "links": self._count_by_entity(c, links) if links_counted else {},
                "pending": self._count_by_entity(c, pending_work),
                "conflicts": self._count_by_entity(
                    c, conflicts, conflicts.c.status == ConflictStatus.OPEN.value
                ),
                "dead_letters": self._count_by_entity(
                    c, dead_letters, dead_letters.c.status == DeadLetterStatus.OPEN.value
                ),
                "reviews": self._count_by_entity(
                    c, review_items, review_items.c.status == ReviewStatus.OPEN.value
                ),
            }
            in_flight = sa.select(sa.func.count()).select_from(journal)
            in_flight = in_flight.where(
                self._mine(journal), self._one_of(journal.c.state, OPEN_INTENT_STATES)
            )
            open_intents = c.execute(in_flight).scalar_one()
            cursor_list = self.cursors(conn=c)
            last = self.last_pass(conn=c)
        names = sorted({entity for per_entity in counts.values() for entity in per_entity})
        entities = {
            name: EntityStatus(**{kind: per_entity.get(name, 0) for kind, per_entity in counts.items()})
            for name in names
        }
        return StatusSummary(
            tenant=self._tenant,
            entities=entities,
            cursors=cursor_list,
            open_intents=int(open_intents),
            last_pass=last,
            generated_at=self._now(),
        )
