"""Work waiting to be done (webhook notifications, records waiting for a dependency) and sync passes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from shopsync.state._base import StoreBase
from shopsync.state.errors import UnknownRecord
from shopsync.state.records import Pass, PassKind, PassStatus, Side, WorkItem
from shopsync.state.tables import passes, pending_work

__all__ = ["WorkOps"]


def _work(r: sa.Row[Any]) -> WorkItem:
    return WorkItem(
        entity=r.entity,
        side=r.side,
        record_id=r.record_id,
        reason=r.reason,
        not_before=r.not_before,
        attempts=r.attempts,
        generation=r.generation,
        enqueued_at=r.enqueued_at,
    )


def _pass(r: sa.Row[Any]) -> Pass:
    return Pass(
        id=r.id,
        kind=r.kind,
        status=r.status,
        started_at=r.started_at,
        finished_at=r.finished_at,
        summary=r.summary,
    )


class WorkOps(StoreBase):
    """Queue records for the engine, hand out the due ones, and keep the history of passes."""

    # ------------------------------------------------------------------ pending work

    def enqueue(
        self,
        entity: str,
        side: Side | str,
        record_id: str | int,
        reason: str,
        *,
        not_before: dt.datetime | None = None,
        conn: sa.Connection | None = None,
    ) -> None:
        """Ask for a record to be synced (at ``not_before``, default now).

        A record already queued stays one row: the earlier time wins, the reason is replaced, and its
        generation grows, so a worker busy with the older generation cannot complete this one away.
        """
        now = self._now()
        row = {
            "tenant": self._tenant,
            "entity": str(entity),
            "side": Side(side).value,
            "record_id": str(record_id),
            "reason": reason,
            "not_before": now if not_before is None else not_before,
            "attempts": 0,
            "generation": 1,
            "enqueued_at": now,
        }
        insert = self._insert(pending_work).values(row)
        new = insert.excluded
        statement = insert.on_conflict_do_update(
            index_elements=["tenant", "entity", "side", "record_id"],
            set_={
                "reason": new.reason,
                "not_before": sa.case(
                    (new.not_before < pending_work.c.not_before, new.not_before),
                    else_=pending_work.c.not_before,
                ),
                "generation": pending_work.c.generation + 1,
                "enqueued_at": new.enqueued_at,
            },
        )
        with self._write(conn) as c:
            c.execute(statement)

    def due_work(
        self, limit: int = 100, *, entity: str | None = None, conn: sa.Connection | None = None
    ) -> list[WorkItem]:
        """Up to ``limit`` queued records whose time has come, the longest-due first."""
        query = sa.select(pending_work).where(
            self._mine(pending_work), pending_work.c.not_before <= self._now()
        )
        if entity is not None:
            query = query.where(pending_work.c.entity == str(entity))
        query = query.order_by(pending_work.c.not_before, pending_work.c.enqueued_at).limit(limit)
        with self._read(conn) as c:
            return [_work(r) for r in c.execute(query)]

    def queued_work(self, entity: str | None = None, *, conn: sa.Connection | None = None) -> list[WorkItem]:
        """Every queued record, due or not (for ``status``), in due order."""
        query = sa.select(pending_work).where(self._mine(pending_work))
        if entity is not None:
            query = query.where(pending_work.c.entity == str(entity))
        with self._read(conn) as c:
            return [_work(r) for r in c.execute(query.order_by(pending_work.c.not_before))]

    def work_item(
        self, entity: str, side: Side | str, record_id: str | int, *, conn: sa.Connection | None = None
    ) -> WorkItem | None:
        """The queued row of one record (its current generation), if it is queued."""
        query = sa.select(pending_work).where(
            self._mine(pending_work),
            pending_work.c.entity == str(entity),
            pending_work.c.side == str(side),
            pending_work.c.record_id == str(record_id),
        )
        with self._read(conn) as c:
            row = c.execute(query).first()
            return None if row is None else _work(row)

    def _same_generation(self, item: WorkItem) -> sa.ColumnElement[bool]:
        return sa.and_(
            self._mine(pending_work),
            pending_work.c.entity == item.entity,
            pending_work.c.side == item.side,
            pending_work.c.record_id == item.record_id,
            pending_work.c.generation == item.generation,
        )

    def complete_work(self, item: WorkItem, *, conn: sa.Connection | None = None) -> bool:
        """Done with ``item``; False (and the row kept) if it was enqueued again meanwhile."""
        with self._write(conn) as c:
            return bool(c.execute(sa.delete(pending_work).where(self._same_generation(item))).rowcount)

    def defer_work(
        self, item: WorkItem, reason: str, not_before: dt.datetime, *, conn: sa.Connection | None = None
    ) -> bool:
        """Try ``item`` again later (e.g. its customer is not linked yet); counts an attempt.

        False if it was enqueued again meanwhile: the new notification keeps its earlier time.
        """
        statement = (
            sa.update(pending_work)
            .where(self._same_generation(item))
            .values(reason=reason, not_before=not_before, attempts=pending_work.c.attempts + 1)
        )
        with self._write(conn) as c:
            return bool(c.execute(statement).rowcount)

    # ------------------------------------------------------------------ passes

    def start_pass(self, kind: PassKind | str, *, conn: sa.Connection | None = None) -> int:
        """Record the start of a pass; its id. A pass of the same kind still running was interrupted."""
        kind = PassKind(kind)
        now = self._now()
        with self._write(conn) as c:
            c.execute(
                sa.update(passes)
                .where(
                    self._mine(passes),
                    passes.c.kind == kind.value,
                    passes.c.status == PassStatus.RUNNING.value,
                )
                .values(status=PassStatus.INTERRUPTED.value, finished_at=now)
            )
            row = {
                "tenant": self._tenant,
                "kind": kind.value,
                "status": PassStatus.RUNNING.value,
                "started_at": now,
            }
            return int(c.execute(sa.insert(passes).values(row).returning(passes.c.id)).scalar_one())

    def finish_pass(
        self,
        pass_id: int,
        status: PassStatus | str,
        summary: Any = None,
        *,
        conn: sa.Connection | None = None,
    ) -> None:
        """Record how a pass ended and its summary (counts per entity and side); ``interrupted`` for a
        pass that stopped early on request."""
        outcome = PassStatus(status)
        if outcome is PassStatus.RUNNING:
            raise ValueError(f"a pass finishes as succeeded, partial, failed or interrupted, not {outcome}")
        with self._write(conn) as c:
            result = c.execute(
                sa.update(passes)
                .where(self._mine(passes), passes.c.id == pass_id)
                .values(status=outcome.value, finished_at=self._now(), summary=summary)
            )
            if not result.rowcount:
                raise UnknownRecord(f"no pass {pass_id} for tenant {self._tenant!r}")

    def last_pass(
        self, kind: PassKind | str | None = None, *, finished: bool = False, conn: sa.Connection | None = None
    ) -> Pass | None:
        """The most recently started pass (of ``kind``; only finished ones with ``finished``)."""
        query = sa.select(passes).where(self._mine(passes))
        if kind is not None:
            query = query.where(passes.c.kind == PassKind(kind).value)
        if finished:
            query = query.where(passes.c.finished_at.is_not(None))
        with self._read(conn) as c:
            row = c.execute(query.order_by(passes.c.started_at.desc(), passes.c.id.desc()).limit(1)).first()
            return None if row is None else _pass(row)

    def recent_passes(self, limit: int = 20, *, conn: sa.Connection | None = None) -> list[Pass]:
        """The last ``limit`` passes of any kind, newest first."""
        query = sa.select(passes).where(self._mine(passes))
        query = query.order_by(passes.c.started_at.desc(), passes.c.id.desc()).limit(limit)
        with self._read(conn) as c:
            return [_pass(r) for r in c.execute(query)]
