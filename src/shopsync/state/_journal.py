"""The intent journal: every write is announced before it is sent, and closed when its outcome is known.

After a crash, ``open_intents()`` lists the writes whose outcome is unknown; the engine resolves each
(on Tripletex by looking the record up by its natural key, on the webshop by replaying the same
Idempotency-Key) before it starts anything new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from shopsync.state._base import StoreBase, chunks
from shopsync.state.errors import IntentInFlight, InvalidTransition, UnknownRecord
from shopsync.state.records import OPEN_INTENT_STATES, Intent, IntentInput, IntentOp, IntentState, Side
from shopsync.state.tables import IN_FLIGHT_WHERE, journal

__all__ = ["JournalOps"]


def _intent(row: sa.Row[Any]) -> Intent:
    return Intent(
        id=row.id,
        entity=row.entity,
        target=row.target_side,
        op=row.op,
        source_side=row.source_side,
        source_id=row.source_id,
        natural_key=row.natural_key,
        idempotency_key=row.idempotency_key,
        payload=row.payload,
        state=row.state,
        result_id=row.result_id,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class JournalOps(StoreBase):
    """Journal intents, close them, and list the ones still open."""

    def journal_intent(
        self,
        entity: str,
        *,
        target: Side | str,
        op: IntentOp | str,
        source_side: Side | str,
        source_id: str | int,
        natural_key: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        payload: Any = None,
        conn: sa.Connection | None = None,
    ) -> int:
        """Announce a write before sending it; its id.

        IntentInFlight if the same record already has an unresolved write to the same side: that one
        must be resolved first, or the two could both create a record.
        """
        Side(target), Side(source_side), IntentOp(op)  # ValueError for a typo, before the database
        now = self._now()
        row = {
            "tenant": self._tenant,
            "entity": str(entity),
            "target_side": str(target),
            "op": str(op),
            "source_side": str(source_side),
            "source_id": str(source_id),
            "natural_key": None if natural_key is None else dict(natural_key),
            "idempotency_key": idempotency_key,
            "payload": payload,
            "state": IntentState.PENDING.value,
            "created_at": now,
            "updated_at": now,
        }
        insert = (
            self._insert(journal)
            .values(row)
            # Atomic against a concurrent writer: the partial unique index decides, not a prior SELECT.
            .on_conflict_do_nothing(
                index_elements=["tenant", "entity", "target_side", "source_side", "source_id"],
                index_where=IN_FLIGHT_WHERE,
            )
            .returning(journal.c.id)
        )
        with self._write(conn) as c:
            new_id = c.scalar(insert)
            if new_id is not None:
                return int(new_id)
            existing = c.scalar(
                sa.select(journal.c.id).where(
                    self._mine(journal),
                    journal.c.entity == row["entity"],
                    journal.c.target_side == row["target_side"],
                    journal.c.source_side == row["source_side"],
                    journal.c.source_id == row["source_id"],
                    self._one_of(journal.c.state, OPEN_INTENT_STATES),
                )
            )
            raise IntentInFlight(
                f"{entity} {source_side} {source_id} → {target} already has intent {existing} in flight",
                existing_id=existing,
            )

    def journal_intents(
        self, entity: str, intents: Sequence[IntentInput], *, conn: sa.Connection | None = None
    ) -> list[int | None]:
        """Bulk ``journal_intent`` (one statement per chunk instead of one per intent): the new ids in
        order, None where that record already has an unresolved write to the same side (where
        ``journal_intent`` raises IntentInFlight)."""
        now = self._now()
        rows = []
        for i in intents:
            Side(i.target), Side(i.source_side), IntentOp(i.op)  # ValueError for a typo, before the database
            rows.append(
                {
                    "tenant": self._tenant,
                    "entity": str(entity),
                    "target_side": str(i.target),
                    "op": str(i.op),
                    "source_side": str(i.source_side),
                    "source_id": str(i.source_id),
                    "natural_key": None if i.natural_key is None else dict(i.natural_key),
                    "idempotency_key": i.idempotency_key,
                    "payload": i.payload,
                    "state": IntentState.PENDING.value,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        keys = [(r["target_side"], r["source_side"], r["source_id"]) for r in rows]
        if len(set(keys)) != len(keys):
            # The same record twice: the second would be in flight behind the first; keep that exact.
            return [self._journal_or_none(entity, i, conn) for i in intents]
        insert = (
            self._insert(journal)
            .on_conflict_do_nothing(
                index_elements=["tenant", "entity", "target_side", "source_side", "source_id"],
                index_where=IN_FLIGHT_WHERE,
            )
            .returning(journal.c.id, journal.c.target_side, journal.c.source_side, journal.c.source_id)
        )
        created: dict[tuple[str, str, str], int] = {}
        with self._write(conn) as c:
            # executemany with RETURNING: SQLAlchemy sends batched multi-row INSERTs ("insertmanyvalues").
            # A skipped (in-flight) row returns nothing, so results are matched by key, not by position.
            for batch in chunks(rows):
                created.update({(t, s, i): int(n) for n, t, s, i in c.execute(insert, batch)})
        return [created.get(k) for k in keys]

    def _journal_or_none(self, entity: str, i: IntentInput, conn: sa.Connection | None) -> int | None:
        try:
            return self.journal_intent(
                entity,
                target=i.target,
                op=i.op,
                source_side=i.source_side,
                source_id=i.source_id,
                natural_key=i.natural_key,
                idempotency_key=i.idempotency_key,
                payload=i.payload,
                conn=conn,
            )
        except IntentInFlight:
            return None

    def journal_done(
        self, intent_id: int, result_id: str | int | None = None, *, conn: sa.Connection | None = None
    ) -> None:
        """The write happened; ``result_id`` is the record it wrote (repeating the same call is a no-op)."""
        result = None if result_id is None else str(result_id)
        self._close(intent_id, IntentState.DONE, {"result_id": result, "error": None}, conn)

    def journal_done_many(
        self, done: Sequence[tuple[int, str | int | None]], *, conn: sa.Connection | None = None
    ) -> None:
        """Bulk ``journal_done`` for ``(intent id, result id)`` pairs: one statement per chunk; raises as
        ``journal_done`` would (an intent closed otherwise, or unknown) and then closes none."""
        if not done:
            return
        wanted = {int(i): None if r is None else str(r) for i, r in done}
        update = (
            sa.update(journal)
            .where(
                self._mine(journal),
                journal.c.id == sa.bindparam("intent_id"),
                # Not IN (…): an expanding parameter cannot be used with executemany.
                sa.or_(*(journal.c.state == str(s) for s in OPEN_INTENT_STATES)),
            )
            .values(
                state=IntentState.DONE.value,
                updated_at=self._now(),
                result_id=sa.bindparam("result"),
                error=None,
            )
        )
        with self._atomic(conn) as c:
            for batch in chunks(list(wanted.items())):
                c.execute(update, [{"intent_id": i, "result": r} for i, r in batch])
                # executemany row counts are not reliable on every driver: check what is stored.
                stored = c.execute(
                    sa.select(journal.c.id, journal.c.state, journal.c.result_id).where(
                        self._mine(journal), journal.c.id.in_([i for i, _ in batch])
                    )
                )
                good = {i for i, state, result in stored if state == IntentState.DONE and result == wanted[i]}
                for intent_id, result in batch:
                    if intent_id not in good:  # the single call raises the precise error
                        self._close(intent_id, IntentState.DONE, {"result_id": result, "error": None}, c)

    def journal_ambiguous(
        self, intent_id: int, error: str | None = None, *, conn: sa.Connection | None = None
    ) -> None:
        """The write was sent but its outcome is unknown; it stays open until resolved."""
        self._close(intent_id, IntentState.AMBIGUOUS, {"error": error}, conn)

    def journal_failed(self, intent_id: int, error: str, *, conn: sa.Connection | None = None) -> None:
        """The write definitely did not happen (the other side refused it)."""
        self._close(intent_id, IntentState.FAILED, {"error": error}, conn)

    def _close(
        self, intent_id: int, state: IntentState, values: dict[str, Any], conn: sa.Connection | None
    ) -> None:
        with self._write(conn) as c:
            result = c.execute(
                sa.update(journal)
                .where(
                    self._mine(journal),
                    journal.c.id == intent_id,
                    self._one_of(journal.c.state, OPEN_INTENT_STATES),
                )
                .values(state=state.value, updated_at=self._now(), **values)
            )
            if result.rowcount:
                return
            current = self._get_intent(c, intent_id)
            if current is None:
                raise UnknownRecord(f"no intent {intent_id} for tenant {self._tenant!r}")
            if (
                current.state == state
                and state == IntentState.DONE
                and current.result_id == values["result_id"]
            ):
                return
            raise InvalidTransition(f"intent {intent_id} is {current.state}; it cannot become {state}")

    def _get_intent(self, c: sa.Connection, intent_id: int) -> Intent | None:
        row = c.execute(sa.select(journal).where(self._mine(journal), journal.c.id == intent_id)).first()
        return None if row is None else _intent(row)

    def intent(self, intent_id: int, *, conn: sa.Connection | None = None) -> Intent | None:
        """One intent by id (None if it is not this tenant's)."""
        with self._read(conn) as c:
            return self._get_intent(c, intent_id)

    def intent_by_key(self, idempotency_key: str, *, conn: sa.Connection | None = None) -> Intent | None:
        """The intent that used an Idempotency-Key, if any."""
        query = sa.select(journal).where(self._mine(journal), journal.c.idempotency_key == idempotency_key)
        with self._read(conn) as c:
            row = c.execute(query).first()
            return None if row is None else _intent(row)

    def open_intents(self, entity: str | None = None, *, conn: sa.Connection | None = None) -> list[Intent]:
        """Pending and ambiguous intents, oldest first: resolve these before any new write."""
        query = sa.select(journal).where(
            self._mine(journal), self._one_of(journal.c.state, OPEN_INTENT_STATES)
        )
        if entity is not None:
            query = query.where(journal.c.entity == str(entity))
        with self._read(conn) as c:
            return [_intent(r) for r in c.execute(query.order_by(journal.c.id))]

    def prune_journal(self, before: dt.datetime, *, conn: sa.Connection | None = None) -> int:
        """Delete done and failed intents last touched before ``before``; how many went."""
        with self._write(conn) as c:
            result = c.execute(
                sa.delete(journal).where(
                    self._mine(journal),
                    self._one_of(journal.c.state, (IntentState.DONE, IntentState.FAILED)),
                    journal.c.updated_at < before,
                )
            )
            return int(result.rowcount)
