"""What one entity's pass decided about its records, and the helpers that record it in the store.

Every stage reports through ``Outcome``: dead letters (with the API's or the mapping's reason and
field), waiting records (enqueued for the next pass), review items, conflicts and events, plus the
Tripletex versions to remember at the end (``seen``). Dead letters are filed under the side of the
*source* record (the one whose data could not be synced), so a replay knows what to read again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from shopsync.connectors import base as shop
from shopsync.mapping import RecordMappingError
from shopsync.state import EventAction
from shopsync.tripletex import ApiError as TripletexApiError
from shopsync.tripletex import BatchWriteError, TripletexError, TripletexModel

from .conflicts import HELD_POLICIES, PERSON
from .context import PassContext
from .merge import FieldConflict
from .names import Rename
from .partitions import PARTITIONED

__all__ = ["Outcome", "describe_error"]


def describe_error(exc: BaseException) -> tuple[str, str | None]:
    """(reason, field) of a failure, from the API's validation messages or the mapping error."""
    if isinstance(exc, BatchWriteError):
        exc = exc.cause
    if isinstance(exc, RecordMappingError):
        return exc.reason, exc.field
    if isinstance(exc, TripletexApiError):
        messages = [m for m in exc.validation_messages if m.message]
        field = next((m.field or m.path for m in messages if m.field or m.path), None)
        return f"Tripletex: {exc}", field
    if isinstance(exc, shop.ApiError):
        field = exc.fields[0].field if exc.fields else None
        return f"webshop: {exc}", field or None
    if isinstance(exc, TripletexError):
        return f"Tripletex: {exc}", None
    if isinstance(exc, shop.WebshopError):
        return f"webshop: {exc}", None
    return f"{type(exc).__name__}: {exc}", None


class Outcome:
    """Per entity and pass: the records settled, waiting or failed, and the versions to remember."""

    def __init__(self, ctx: PassContext, entity: str) -> None:
        self.ctx = ctx
        self.entity = entity
        self.store = ctx.store
        #: Tripletex id → version, recorded at the end (the change that version stands for is handled).
        self.seen: dict[int, int] = {}
        #: Records re-queued in this pass (their pending-work rows survive the end of the pass).
        self.waiting: set[tuple[str, str]] = set()
        #: Customers created in Tripletex by the pass, and their lowest and highest customer number.
        self.created_numbers = 0
        self.created_range: tuple[int, int] | None = None
        #: Orders and products created in Tripletex by the pass, per date or price (``partitions``).
        self.created_values: Counter[str] = Counter()
        self._open_dead_letters = {(d.side, d.record_id): d.id for d in self.store.open_dead_letters(entity)}

    def event(
        self,
        action: str,
        *,
        webshop_id: str | None = None,
        tripletex_id: int | None = None,
        side: str | None = None,
        detail: Any = None,
        conn: sa.Connection | None = None,
    ) -> None:
        """Add to the record's timeline."""
        self.store.log_event(
            self.entity,
            action,
            webshop_id=webshop_id,
            tripletex_id=tripletex_id,
            side=side,
            detail=detail,
            conn=conn,
        )

    def dead_letter(
        self, side: str, record_id: str | int, exc: BaseException, *, payload: Any = None
    ) -> None:
        """Park a record whose data could not be synced, with the reason; the pass goes on."""
        reason, field = describe_error(exc)
        with self.store.transaction() as conn:
            self.store.dead_letter(
                self.entity, side, record_id, reason, field=field, payload=payload, conn=conn
            )
            self.event(
                EventAction.DEAD_LETTER,
                webshop_id=str(record_id) if side == "webshop" else None,
                tripletex_id=int(record_id) if side == "tripletex" else None,
                side=side,
                detail={"reason": reason, "field": field},
                conn=conn,
            )
        self._open_dead_letters[(side, str(record_id))] = -1
        self.ctx.count(self.entity, side).dead_lettered += 1
        self.ctx.progress.handled(self.entity, side, [record_id])
        self.ctx.log.warning(
            "engine.dead_letter", entity=self.entity, side=side, id=str(record_id), reason=reason, field=field
        )

    def wait(self, side: str, record_id: str | int, reason: str) -> None:
        """Try a record again next pass (a dependency is missing, or the outcome is not known yet)."""
        self.store.enqueue(self.entity, side, record_id, reason)
        self.waiting.add((side, str(record_id)))
        self.ctx.waiting.add((self.entity, side, str(record_id)))
        self.ctx.count(self.entity, side).waiting += 1
        self.ctx.progress.handled(self.entity, side, [record_id])
        self.ctx.log.info("engine.waiting", entity=self.entity, side=side, id=str(record_id), reason=reason)

    def review(self, side: str, record_id: str | int, candidates: list[dict[str, Any]]) -> None:
        """Several possible partners: nothing is created or linked until a person decides."""
        with self.store.transaction() as conn:
            self.store.add_review(self.entity, side, record_id, candidates, conn=conn)
            self.event(
                EventAction.REVIEW,
                webshop_id=str(record_id) if side == "webshop" else None,
                tripletex_id=int(record_id) if side == "tripletex" else None,
                side=side,
                detail={"candidates": candidates},
                conn=conn,
            )
        self.ctx.count(self.entity, side).review += 1
        self.ctx.progress.handled(self.entity, side, [record_id])

    def settled(self, side: str, record_id: str | int, *, conn: sa.Connection | None = None) -> None:
        """The record synced: close its dead letter if it had one."""
        key = (side, str(record_id))
        dead = self._open_dead_letters.pop(key, None)
        if dead is None:
            return
        if dead < 0:
            found = self.store.open_dead_letter_for(self.entity, side, record_id, conn=conn)
            if found is None:
                return
            dead = found.id
        self.store.mark_replayed(dead, conn=conn)

    def conflicts(
        self,
        webshop_id: str,
        tripletex_id: int,
        conflicts: list[tuple[FieldConflict, str | None]],
        labels: Mapping[str, str],
        *,
        conn: sa.Connection,
    ) -> None:
        """Record field conflicts: resolved with the winner and the rule that picked it (``labels``:
        the global policy, ``owner:<side>``), or open (``manual``, ``locked``). A winner a person chose
        is already on record: applying it only adds an event to the timeline."""
        mapping = self.ctx.mapping
        for conflict, winner in conflicts:
            label = labels.get(conflict.key) or (
                "locked" if conflict.locked else self.ctx.options.conflict_policy
            )
            if winner is None and label not in HELD_POLICIES:
                label = "locked"  # the rule picked the shop, but a locked record takes no writes
            if label == PERSON:
                self.event(
                    EventAction.CONFLICT,
                    webshop_id=webshop_id,
                    tripletex_id=tripletex_id,
                    detail={"field": conflict.key, "winner": winner, "decided_by": PERSON, "applied": True},
                    conn=conn,
                )
                continue
            encoded = mapping.encode_view(
                self.entity,
                {"base": conflict.base, "webshop": conflict.webshop, "tripletex": conflict.tripletex},
            )
            self.store.record_conflict(
                self.entity,
                webshop_id,
                tripletex_id,
                conflict.key,
                base=encoded["base"],
                webshop_value=encoded["webshop"],
                tripletex_value=encoded["tripletex"],
                policy=label,
                winner=winner,
                conn=conn,
            )
            loser = {"webshop": "tripletex", "tripletex": "webshop"}.get(winner or "", "tripletex")
            self.ctx.count(self.entity, loser).conflicts += 1
            self.event(
                EventAction.CONFLICT,
                webshop_id=webshop_id,
                tripletex_id=tripletex_id,
                detail={"field": conflict.key, "winner": winner, "reason": conflict.reason, "policy": label},
                conn=conn,
            )

    def renamed(
        self,
        webshop_id: str,
        tripletex_id: int,
        rename: Rename,
        view: Mapping[str, Any],
        *,
        conn: sa.Connection | None = None,
    ) -> None:
        """Note that Tripletex holds a disambiguated name (the shop's was taken by another record)."""
        self.event(
            EventAction.RENAMED,
            webshop_id=webshop_id,
            tripletex_id=tripletex_id,
            side="tripletex",
            detail={
                "field": rename.key,
                "webshop": view.get(rename.key),
                "tripletex": rename.value,
                "reason": "Tripletex refused the name: another record already has it",
            },
            conn=conn,
        )
        self.ctx.log.info(
            "engine.renamed", entity=self.entity, webshop_id=webshop_id, field=rename.key, value=rename.value
        )

    def remember(self, versions: Mapping[int, int]) -> None:
        """Tripletex versions to store as seen at the end of the pass."""
        self.seen.update({int(k): int(v) for k, v in versions.items()})

    def created_in_tripletex(self, records: Iterable[TripletexModel]) -> None:
        """Count what the pass created in Tripletex: active customers with their numbers (the customer
        cursor), orders per date and products per price (where the next listing is cut)."""
        partition = PARTITIONED.get(self.entity)
        for record in records:
            if partition is not None and (value := partition.value(record)) is not None:
                self.created_values[value] += 1
            number = getattr(record, "customerNumber", None)
            if isinstance(number, int) and not getattr(record, "isInactive", False):
                self.created_numbers += 1
                low, high = self.created_range or (number, number)
                self.created_range = (min(low, number), max(high, number))

    def take_seen(self) -> dict[int, int]:
        """The versions remembered since the last call (a window's commit stores them)."""
        taken, self.seen = self.seen, {}
        return taken
