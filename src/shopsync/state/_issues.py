"""Records that need a decision: field conflicts, dead letters (failed records) and matching reviews.

Each kind keeps at most one open row per record (a partial unique index), so a record that fails or
conflicts on every pass updates its open row instead of piling up new ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from shopsync.state._base import StoreBase, chunks
from shopsync.state.errors import InvalidTransition, UnknownRecord
from shopsync.state.records import (
    ConflictStatus,
    DeadLetter,
    DeadLetterStatus,
    FieldConflict,
    ReviewItem,
    ReviewStatus,
    Side,
)
from shopsync.state.tables import OPEN_WHERE, conflicts, dead_letters, review_items

__all__ = ["IssueOps"]


def _conflict(r: sa.Row[Any]) -> FieldConflict:
    return FieldConflict(
        id=r.id,
        entity=r.entity,
        webshop_id=r.webshop_id,
        tripletex_id=r.tripletex_id,
        field=r.field,
        base=r.base,
        webshop_value=r.webshop_value,
        tripletex_value=r.tripletex_value,
        policy=r.policy,
        winner=r.winner,
        status=r.status,
        created_at=r.created_at,
        resolved_at=r.resolved_at,
    )


def _dead_letter(r: sa.Row[Any]) -> DeadLetter:
    return DeadLetter(
        id=r.id,
        entity=r.entity,
        side=r.side,
        record_id=r.record_id,
        reason=r.reason,
        field=r.field,
        payload=r.payload,
        attempts=r.attempts,
        status=r.status,
        created_at=r.created_at,
        last_attempt_at=r.last_attempt_at,
    )


def _review(r: sa.Row[Any]) -> ReviewItem:
    return ReviewItem(
        id=r.id,
        entity=r.entity,
        side=r.side,
        record_id=r.record_id,
        candidates=r.candidates,
        status=r.status,
        created_at=r.created_at,
        resolved_at=r.resolved_at,
    )


class IssueOps(StoreBase):
    """Record, list and settle conflicts, dead letters and review items."""

    def _upsert_open(
        self,
        c: sa.Connection,
        table: sa.Table,
        row: dict[str, Any],
        key: list[str],
        from_new: tuple[str, ...],
        **also: Any,
    ) -> int:
        """Insert ``row`` or, if the record has an open row, update it (``from_new`` columns and ``also``)."""
        insert = self._insert(table).values(row)
        update = {name: insert.excluded[name] for name in from_new} | also
        statement = insert.on_conflict_do_update(
            index_elements=key, index_where=OPEN_WHERE, set_=update
        ).returning(table.c.id)
        return int(c.execute(statement).scalar_one())

    def _settle(
        self, c: sa.Connection, table: sa.Table, row_id: int, what: str, **values: Any
    ) -> sa.Row[Any]:
        result = c.execute(
            sa.update(table)
            .where(self._mine(table), table.c.id == row_id, table.c.status == "open")
            .values(**values)
            .returning(*table.c)
        ).first()
        if result is not None:
            return result
        status = c.scalar(sa.select(table.c.status).where(self._mine(table), table.c.id == row_id))
        if status is None:
            raise UnknownRecord(f"no {what} {row_id} for tenant {self._tenant!r}")
        raise InvalidTransition(f"{what} {row_id} is already {status}")

    # ------------------------------------------------------------------ conflicts

    def record_conflict(
        self,
        entity: str,
        webshop_id: str,
        tripletex_id: int,
        field: str,
        *,
        base: Any,
        webshop_value: Any,
        tripletex_value: Any,
        policy: str,
        winner: Side | str | None = None,
        conn: sa.Connection | None = None,
    ) -> int:
        """Record a field changed on both sides; its id.

        With ``winner`` (the policy decided) it is stored as resolved, for the record. Without, it stays
        open for a person; recording the same open field conflict again updates it in place.
        """
        now = self._now()
        row = {
            "tenant": self._tenant,
            "entity": str(entity),
            "webshop_id": str(webshop_id),
            "tripletex_id": int(tripletex_id),
            "field": field,
            "base": base,
            "webshop_value": webshop_value,
            "tripletex_value": tripletex_value,
            "policy": policy,
            "winner": None if winner is None else Side(winner).value,
            "status": ConflictStatus.OPEN.value if winner is None else ConflictStatus.RESOLVED.value,
            "created_at": now,
            "resolved_at": None if winner is None else now,
        }
        with self._write(conn) as c:
            if winner is not None:
                return int(c.execute(sa.insert(conflicts).values(row).returning(conflicts.c.id)).scalar_one())
            return self._upsert_open(
                c,
                conflicts,
                row,
                ["tenant", "entity", "webshop_id", "field"],
                from_new=("tripletex_id", "base", "webshop_value", "tripletex_value", "policy"),
            )

    def open_conflicts(
        self, entity: str | None = None, *, conn: sa.Connection | None = None
    ) -> list[FieldConflict]:
        """Conflicts waiting for a decision, oldest first."""
        query = sa.select(conflicts).where(
            self._mine(conflicts), conflicts.c.status == ConflictStatus.OPEN.value
        )
        if entity is not None:
            query = query.where(conflicts.c.entity == str(entity))
        with self._read(conn) as c:
            return [_conflict(r) for r in c.execute(query.order_by(conflicts.c.id))]

    def conflicts_for(
        self, entity: str, webshop_id: str, *, conn: sa.Connection | None = None
    ) -> list[FieldConflict]:
        """Every conflict, open or resolved, of one linked record, oldest first."""
        query = sa.select(conflicts).where(
            self._mine(conflicts),
            conflicts.c.entity == str(entity),
            conflicts.c.webshop_id == str(webshop_id),
        )
        with self._read(conn) as c:
            return [_conflict(r) for r in c.execute(query.order_by(conflicts.c.id))]

    def conflict_by_id(self, conflict_id: int, *, conn: sa.Connection | None = None) -> FieldConflict | None:
        """One conflict, whatever its status (None if it is not this tenant's)."""
        query = sa.select(conflicts).where(self._mine(conflicts), conflicts.c.id == conflict_id)
        with self._read(conn) as c:
            row = c.execute(query).first()
            return None if row is None else _conflict(row)

    def resolve_conflict(
        self, conflict_id: int, winner: Side | str, *, conn: sa.Connection | None = None
    ) -> FieldConflict:
        """Settle an open conflict in favour of one side."""
        with self._write(conn) as c:
            row = self._settle(
                c,
                conflicts,
                conflict_id,
                "conflict",
                status=ConflictStatus.RESOLVED.value,
                winner=Side(winner).value,
                resolved_at=self._now(),
            )
            return _conflict(row)

    # ------------------------------------------------------------------ dead letters

    def dead_letter(
        self,
        entity: str,
        side: Side | str,
        record_id: str | int,
        reason: str,
        *,
        field: str | None = None,
        payload: Any = None,
        conn: sa.Connection | None = None,
    ) -> int:
        """Park a record that failed on ``side``; a repeat failure bumps the open row's attempts. Its id."""
        now = self._now()
        row = {
            "tenant": self._tenant,
            "entity": str(entity),
            "side": Side(side).value,
            "record_id": str(record_id),
            "reason": reason,
            "field": field,
            "payload": payload,
            "attempts": 1,
            "status": DeadLetterStatus.OPEN.value,
            "created_at": now,
            "last_attempt_at": now,
        }
        with self._write(conn) as c:
            return self._upsert_open(
                c,
                dead_letters,
                row,
                ["tenant", "entity", "side", "record_id"],
                from_new=("reason", "field", "payload", "last_attempt_at"),
                attempts=dead_letters.c.attempts + 1,
            )

    def open_dead_letters(
        self, entity: str | None = None, *, limit: int | None = None, conn: sa.Connection | None = None
    ) -> list[DeadLetter]:
        """Open dead letters, oldest first."""
        query = sa.select(dead_letters).where(
            self._mine(dead_letters), dead_letters.c.status == DeadLetterStatus.OPEN.value
        )
        if entity is not None:
            query = query.where(dead_letters.c.entity == str(entity))
        with self._read(conn) as c:
            return [_dead_letter(r) for r in c.execute(query.order_by(dead_letters.c.id).limit(limit))]

    def dead_letter_by_id(
        self, dead_letter_id: int, *, conn: sa.Connection | None = None
    ) -> DeadLetter | None:
        """One dead letter, whatever its status (None if it is not this tenant's)."""
        query = sa.select(dead_letters).where(self._mine(dead_letters), dead_letters.c.id == dead_letter_id)
        with self._read(conn) as c:
            row = c.execute(query).first()
            return None if row is None else _dead_letter(row)

    def open_dead_letter_for(
        self, entity: str, side: Side | str, record_id: str | int, *, conn: sa.Connection | None = None
    ) -> DeadLetter | None:
        """The open dead letter of a record, if it has one (to clear it once the record syncs)."""
        query = sa.select(dead_letters).where(
            self._mine(dead_letters),
            dead_letters.c.entity == str(entity),
            dead_letters.c.side == str(side),
            dead_letters.c.record_id == str(record_id),
            dead_letters.c.status == DeadLetterStatus.OPEN.value,
        )
        with self._read(conn) as c:
            row = c.execute(query).first()
            return None if row is None else _dead_letter(row)

    def mark_replayed(self, dead_letter_id: int, *, conn: sa.Connection | None = None) -> DeadLetter:
        """The record synced after all: close its dead letter."""
        with self._write(conn) as c:
            row = self._settle(
                c, dead_letters, dead_letter_id, "dead letter", status=DeadLetterStatus.REPLAYED.value
            )
            return _dead_letter(row)

    def discard(self, dead_letter_id: int, *, conn: sa.Connection | None = None) -> DeadLetter:
        """Give up on a dead-lettered record (it is no longer shown or replayed)."""
        with self._write(conn) as c:
            row = self._settle(
                c, dead_letters, dead_letter_id, "dead letter", status=DeadLetterStatus.DISCARDED.value
            )
            return _dead_letter(row)

    # ------------------------------------------------------------------ review items

    def add_review(
        self,
        entity: str,
        side: Side | str,
        record_id: str | int,
        candidates: list[Any],
        *,
        conn: sa.Connection | None = None,
    ) -> int:
        """Put a record with several matching candidates on the review list (updating an open entry)."""
        row = {
            "tenant": self._tenant,
            "entity": str(entity),
            "side": Side(side).value,
            "record_id": str(record_id),
            "candidates": list(candidates),
            "status": ReviewStatus.OPEN.value,
            "created_at": self._now(),
            "resolved_at": None,
        }
        with self._write(conn) as c:
            return self._upsert_open(
                c, review_items, row, ["tenant", "entity", "side", "record_id"], from_new=("candidates",)
            )

    def open_reviews(
        self, entity: str | None = None, *, conn: sa.Connection | None = None
    ) -> list[ReviewItem]:
        """The open review list, oldest first."""
        query = sa.select(review_items).where(
            self._mine(review_items), review_items.c.status == ReviewStatus.OPEN.value
        )
        if entity is not None:
            query = query.where(review_items.c.entity == str(entity))
        with self._read(conn) as c:
            return [_review(r) for r in c.execute(query.order_by(review_items.c.id))]

    def review_for(
        self, entity: str, side: Side | str, record_id: str | int, *, conn: sa.Connection | None = None
    ) -> ReviewItem | None:
        """The open review of a record: while there is one, the engine neither creates nor links it."""
        query = sa.select(review_items).where(
            self._mine(review_items),
            review_items.c.entity == str(entity),
            review_items.c.side == str(side),
            review_items.c.record_id == str(record_id),
            review_items.c.status == ReviewStatus.OPEN.value,
        )
        with self._read(conn) as c:
            row = c.execute(query).first()
            return None if row is None else _review(row)

    def review_by_id(self, review_id: int, *, conn: sa.Connection | None = None) -> ReviewItem | None:
        """One review item, whatever its status (None if it is not this tenant's)."""
        query = sa.select(review_items).where(self._mine(review_items), review_items.c.id == review_id)
        with self._read(conn) as c:
            row = c.execute(query).first()
            return None if row is None else _review(row)

    def review_decisions(
        self,
        entity: str,
        side: Side | str,
        record_ids: Iterable[str | int],
        *,
        conn: sa.Connection | None = None,
    ) -> dict[str, ReviewStatus]:
        """The latest decision (linked, created, dismissed) of each of these records' closed reviews.

        A record decided ``created`` is created without matching again, one ``dismissed`` is left alone.
        """
        wanted = sorted({str(i) for i in record_ids})
        out: dict[str, ReviewStatus] = {}
        with self._read(conn) as c:
            for chunk in chunks(wanted):
                query = (
                    sa.select(review_items.c.record_id, review_items.c.status)
                    .where(
                        self._mine(review_items),
                        review_items.c.entity == str(entity),
                        review_items.c.side == str(side),
                        review_items.c.status != ReviewStatus.OPEN.value,
                        review_items.c.record_id.in_(chunk),
                    )
                    .order_by(review_items.c.id)
                )
                for record_id, status in c.execute(query):
                    out[record_id] = ReviewStatus(status)  # ordered by id: the latest wins
        return out

    def resolve_review(
        self, review_id: int, status: ReviewStatus | str, *, conn: sa.Connection | None = None
    ) -> ReviewItem:
        """Close a review as linked, created or dismissed."""
        outcome = ReviewStatus(status)
        if outcome == ReviewStatus.OPEN:
            raise ValueError("a review is resolved as linked, created or dismissed, not open")
        with self._write(conn) as c:
            row = self._settle(
                c, review_items, review_id, "review item", status=outcome.value, resolved_at=self._now()
            )
            return _review(row)
