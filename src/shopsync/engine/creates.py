"""Creating the partner of an unmatched record: journalled first, batched on Tripletex, never duplicated.

Tripletex: the intents of a whole batch are journalled (with the natural keys) in one transaction
*before* ``POST …/list``; each created record is linked, its base saved and its intent closed in one
transaction. A batch that fails part way is settled item by item: stored items are linked; a chunk
Tripletex refused for validation dead-letters exactly the items its messages name (``rootId``) and
retries the others; a chunk whose answer was lost (timeout, dropped connection, 5xx) is *never* sent
again blindly — each item is searched by its natural key and linked if found (``recover``).

A product Tripletex refuses because its name is taken by another product is sent once more as
``name (SKU)`` (see ``names``); only Tripletex carries the suffix.

Webshop: one create per record with an Idempotency-Key journalled before sending; a lost answer is
replayed with the same key, so the shop answers the first create instead of making a second.

A stop (``PassContext.checkpoint``) is honoured between Tripletex batches and before each webshop
create; a batch or create once journalled is always sent and settled.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from shopsync.connectors import base as shop
from shopsync.mapping import RecordMappingError, UnresolvedReference
from shopsync.state import EventAction, EventInput, IntentInFlight, IntentInput, IntentOp, SnapshotInput
from shopsync.tripletex import AmbiguousWriteError, BatchWriteError, TripletexError
from shopsync.tripletex import ValidationFailed as TripletexValidationFailed

from . import lines, names
from .base import Base
from .context import PassContext
from .outcome import Outcome
from .recover import create_in_shop, natural_key, search_free
from .tripletex_side import TripletexSide, TxRecord
from .writes import BodyPlan, LineState, TotalsMismatch, after_write, check_totals, relink_lines_many

__all__ = ["Creator", "ShopSource", "TripletexSource"]


@dataclass
class ShopSource:
    """An unmatched webshop record to create in Tripletex."""

    webshop_id: str
    record: shop.Record
    view: dict[str, Any]


@dataclass
class TripletexSource:
    """An unmatched Tripletex record to create in the webshop."""

    tripletex_id: int
    record: TxRecord
    view: dict[str, Any]


@dataclass
class _Pending:
    source: ShopSource
    body: dict[str, Any]
    intent: int
    #: The disambiguated name sent instead of the shop's (see ``names``), once retried.
    renamed: names.Rename | None = None


class Creator:
    """Creates partners for one entity."""

    def __init__(self, ctx: PassContext, entity: str, side: TripletexSide, outcome: Outcome) -> None:
        self.ctx = ctx
        self.entity = entity
        self.side = side
        self.outcome = outcome
        self.blocks = lines.blocks(ctx.mapping, entity)

    # ------------------------------------------------------------------ into Tripletex

    async def to_tripletex(self, sources: list[ShopSource]) -> None:
        """Create Tripletex records for unmatched webshop records, in batches."""
        if not sources:
            return
        resolver = await self.ctx.refs.resolver()
        resolver.prefetch_views(self.ctx.mapping, self.entity, [s.view for s in sources])
        bodies: list[tuple[ShopSource, dict[str, Any]]] = []
        for source in sources:
            try:
                body = self.ctx.mapping.to_tripletex(
                    self.entity, source.view, resolver, record_id=source.webshop_id
                )
                if self.blocks:
                    check_totals(body, source.record, resolver)
            except UnresolvedReference as exc:
                self.outcome.wait("webshop", source.webshop_id, str(exc))
                continue
            except (RecordMappingError, TotalsMismatch, ValueError) as exc:
                self.outcome.dead_letter("webshop", source.webshop_id, exc)
                continue
            bodies.append((source, body))
        size = self.ctx.options.batch_size
        for start in range(0, len(bodies), size):
            self.ctx.checkpoint()
            await self._create_batch(bodies[start : start + size])

    def _journal(self, batch: list[tuple[ShopSource, dict[str, Any]]]) -> list[_Pending]:
        mapping, entity = self.ctx.mapping, self.entity
        intents = [
            IntentInput(
                target="tripletex",
                op=IntentOp.CREATE,
                source_side="webshop",
                source_id=source.webshop_id,
                natural_key=natural_key(mapping, entity, source.view),
                payload=mapping.encode_view(entity, source.view),
            )
            for source, _body in batch
        ]
        ids = self.ctx.store.journal_intents(entity, intents)
        # None: that record already has a create in flight; recovery settles it first (next pass).
        return [_Pending(s, body, i) for (s, body), i in zip(batch, ids, strict=True) if i is not None]

    async def _create_batch(self, batch: list[tuple[ShopSource, dict[str, Any]]]) -> None:
        # A lost answer costs a round (searched, then sent again): five rounds outlast 10 % 5xx noise.
        await self._send(self._journal(batch), rounds=5)

    async def _send(self, pending: list[_Pending], rounds: int) -> None:
        """POST the journalled items; settle whatever a failing chunk leaves, in at most ``rounds``."""
        for _round in range(rounds):
            if not pending:
                return
            models = [self.side.model.model_validate(p.body) for p in pending]
            try:
                created = await self.side.resource.create_many(models)
            except BatchWriteError as exc:
                await self._created_many(list(zip(pending, exc.completed, strict=False)))
                failed = pending[exc.failed_offset : exc.failed_offset + exc.failed_count]
                rest = pending[exc.failed_offset + exc.failed_count :]
                pending = rest + await self._settle_failed_chunk(failed, exc.cause)
                continue
            await self._created_many(list(zip(pending, created, strict=True)))
            return
        for item in pending:
            self.ctx.store.journal_failed(item.intent, "not created after repeated batch failures")
            self.outcome.wait("webshop", item.source.webshop_id, "Tripletex create kept failing; retrying")

    async def _settle_failed_chunk(self, chunk: list[_Pending], cause: TripletexError) -> list[_Pending]:
        """Settle a chunk Tripletex did not store (or may have): what is left to try again."""
        store = self.ctx.store
        if isinstance(cause, AmbiguousWriteError):
            again: list[_Pending] = []
            for item in chunk:
                store.journal_ambiguous(item.intent, str(cause))
                intent = store.intent(item.intent)
                assert intent is not None
                free, _ = await search_free(self.ctx, self.entity, self.side, intent)
                if len(free) == 1:
                    await self._created(item, free[0])  # it was stored: link it, never create again
                elif free:
                    store.journal_failed(item.intent, "several Tripletex records match: review")
                    self.outcome.review(
                        "webshop",
                        item.source.webshop_id,
                        [{"tripletex_id": r.id, "recovered": True} for r in free],
                    )
                else:
                    store.journal_failed(item.intent, "not stored: the search found nothing")
                    retry = self._rejournal(item)  # searched and absent: creating again is safe
                    if retry is not None:
                        again.append(retry)
            return again
        if isinstance(cause, TripletexValidationFailed):
            named = {m.rootId for m in cause.validation_messages if m.rootId is not None}
            bad = {i for i in named if 0 <= i < len(chunk)} or ({0} if len(chunk) == 1 else set())
            if not bad:
                # Nothing says which item is wrong: send them one by one to find out (a second round
                # for an item sent again under a disambiguated name).
                for item in chunk:
                    await self._send([item], rounds=2)
                return []
            renamed: list[_Pending] = []
            for index in sorted(bad):
                item = chunk[index]
                store.journal_failed(item.intent, str(cause))
                retry = self._renamed(item, cause, index)
                if retry is not None:
                    renamed.append(retry)
                else:
                    self.outcome.dead_letter("webshop", item.source.webshop_id, _only_for(cause, index))
            return [item for n, item in enumerate(chunk) if n not in bad] + renamed
        for item in chunk:  # refused for another reason: nothing was stored
            store.journal_failed(item.intent, str(cause))
            self.outcome.dead_letter("webshop", item.source.webshop_id, cause)
        return []

    def _renamed(self, item: _Pending, cause: TripletexError, index: int) -> _Pending | None:
        """The item once more under a disambiguated name, if Tripletex refused it for a name in use."""
        mapping, source = self.ctx.mapping, item.source
        if item.renamed is not None or not names.name_in_use(mapping, self.entity, cause, index):
            return None
        rename = names.disambiguate(mapping, self.entity, source.view, source.webshop_id)
        if rename is None:
            return None
        return self._rejournal(item, {**item.body, rename.path: rename.value}, rename)

    def _rejournal(
        self, item: _Pending, body: dict[str, Any] | None = None, rename: names.Rename | None = None
    ) -> _Pending | None:
        rename = rename or item.renamed
        mapping = self.ctx.mapping
        payload = mapping.encode_view(self.entity, item.source.view)
        if rename is not None:
            payload[names.SENT_KEY] = mapping.encode_view(self.entity, {rename.key: rename.value})
        try:
            intent = self.ctx.store.journal_intent(
                self.entity,
                target="tripletex",
                op=IntentOp.CREATE,
                source_side="webshop",
                source_id=item.source.webshop_id,
                natural_key=natural_key(mapping, self.entity, item.source.view),
                payload=payload,
            )
        except IntentInFlight:
            return None
        return _Pending(item.source, body if body is not None else item.body, intent, rename)

    async def _created(self, item: _Pending, answer: TxRecord) -> None:
        await self._created_many([(item, answer)])

    async def _created_many(self, done: list[tuple[_Pending, TxRecord]]) -> None:
        """Link the records a batch created and save their bases, in one transaction."""
        resolver = await self.ctx.refs.resolver()
        mapping, entity = self.ctx.mapping, self.entity
        saved: list[tuple[_Pending, TxRecord, Base, LineState | None]] = []
        for item, answer in done:
            assert answer.id is not None
            plan = BodyPlan(item.body)
            if self.blocks:
                slots = lines.layout(self.blocks, item.source.view)
                plan = BodyPlan(item.body, slots, [None] * len(slots))
            t_view = mapping.tripletex_view(entity, item.body, resolver, record_id=answer.id)
            view, ids = await after_write(
                mapping, entity, self.blocks, plan, t_view, answer, self.side, resolver, answer.id
            )
            version = item.source.record.version
            base = Base(
                webshop=item.source.view,
                tripletex=view,
                webshop_version=None if version is None else str(version),
                tripletex_version=answer.version,
                line_ids=dict(ids.line_ids) if ids else {},
                element_ids=dict(ids.element_ids) if ids else {},
            )
            saved.append((item, answer, base, ids))
        store = self.ctx.store
        with store.transaction() as conn:
            store.link_many(
                entity, [(i.source.webshop_id, int(a.id or 0), None) for i, a, _, _ in saved], conn=conn
            )
            store.save_snapshots(
                entity,
                [
                    SnapshotInput(
                        i.source.webshop_id, b.values(mapping, entity), b.webshop_version, b.tripletex_version
                    )
                    for i, _, b, _ in saved
                ],
                conn=conn,
            )
            relink_lines_many(
                store,
                mapping,
                entity,
                self.blocks,
                [
                    (i.source.webshop_id, b.webshop, b.tripletex, ids)
                    for i, _, b, ids in saved
                    if ids is not None
                ],
                conn=conn,
            )
            store.journal_done_many([(i.intent, a.id) for i, a, _, _ in saved], conn=conn)
            store.log_events(
                entity,
                [
                    EventInput(
                        EventAction.CREATED,
                        webshop_id=i.source.webshop_id,
                        tripletex_id=a.id,
                        side="tripletex",
                    )
                    for i, a, _, _ in saved
                ],
                conn=conn,
            )
            for item, answer, _base, _ids in saved:
                webshop_id = item.source.webshop_id
                if item.renamed is not None:
                    self.outcome.renamed(
                        webshop_id, int(answer.id or 0), item.renamed, item.source.view, conn=conn
                    )
                self.outcome.settled("webshop", webshop_id, conn=conn)
        for _item, answer, _base, _ids in saved:
            if answer.version is not None and answer.id is not None:
                self.outcome.remember({answer.id: answer.version})
        self.outcome.created_in_tripletex(answer for _, answer, _, _ in saved)
        self.ctx.count(entity, "tripletex").created += len(saved)
        self.ctx.progress.handled(entity, "webshop", [i.source.webshop_id for i, _, _, _ in saved])

    # ------------------------------------------------------------------ into the webshop

    async def to_webshop(self, sources: list[TripletexSource]) -> None:
        """Create webshop records for unmatched Tripletex records (one request each, with a key)."""
        limit = asyncio.Semaphore(self.ctx.options.concurrency)

        async def one(source: TripletexSource) -> None:
            async with limit:
                if self.ctx.stopping:
                    return  # not begun: the next pass creates it
                await self._create_in_shop(source)

        await asyncio.gather(*(one(s) for s in sources))

    async def _create_in_shop(self, source: TripletexSource) -> None:
        resolver = await self.ctx.refs.resolver()
        store = self.ctx.store
        try:
            payload = self.ctx.mapping.to_webshop(
                self.entity, source.view, resolver, record_id=source.tripletex_id
            )
        except RecordMappingError as exc:
            self.outcome.dead_letter("tripletex", source.tripletex_id, exc)
            return
        key = str(uuid.uuid4())
        try:
            intent = store.journal_intent(
                self.entity,
                target="webshop",
                op=IntentOp.CREATE,
                source_side="tripletex",
                source_id=source.tripletex_id,
                natural_key=natural_key(self.ctx.mapping, self.entity, source.view),
                idempotency_key=key,
                payload={"body": payload, "view": self.ctx.mapping.encode_view(self.entity, source.view)},
            )
        except IntentInFlight:
            return
        record = await create_in_shop(
            self.ctx, self.entity, self.outcome, intent, payload, key, source.tripletex_id
        )
        if record is None:
            return
        await self.finish_shop_create(source, record, intent)

    async def finish_shop_create(self, source: TripletexSource, record: shop.Record, intent: int) -> None:
        """Link a created webshop record to its Tripletex source and save the base."""
        assert record.id is not None
        w_view = self.ctx.mapping.webshop_view(
            self.entity, record, self.ctx.refs.shop_resolver, record_id=record.id
        )
        line_ids, element_ids = lines.ids_from_record(self.blocks, source.record) if self.blocks else ({}, {})
        base = Base(
            webshop=w_view,
            tripletex=source.view,
            webshop_version=None if record.version is None else str(record.version),
            tripletex_version=source.record.version,
            line_ids=line_ids,
            element_ids=element_ids,
        )
        store = self.ctx.store
        with store.transaction() as conn:
            store.link(self.entity, record.id, source.tripletex_id, conn=conn)
            store.save_snapshot(
                self.entity,
                record.id,
                base.values(self.ctx.mapping, self.entity),
                webshop_version=base.webshop_version,
                tripletex_version=base.tripletex_version,
                conn=conn,
            )
            store.journal_done(intent, record.id, conn=conn)
            self.outcome.event(
                EventAction.CREATED,
                webshop_id=record.id,
                tripletex_id=source.tripletex_id,
                side="webshop",
                conn=conn,
            )
            self.outcome.settled("tripletex", source.tripletex_id, conn=conn)
        if source.record.version is not None:
            self.outcome.remember({source.tripletex_id: source.record.version})
        self.ctx.count(self.entity, "webshop").created += 1
        self.ctx.progress.handled(self.entity, "tripletex", [source.tripletex_id])


def _only_for(cause: TripletexValidationFailed, index: int) -> TripletexValidationFailed:
    """The batch error narrowed to the messages about one item."""
    mine = [m for m in cause.validation_messages if m.rootId in (None, index)]
    return TripletexValidationFailed(
        cause.message,
        method=cause.method,
        path=cause.path,
        status=cause.status,
        code=cause.code,
        validation_messages=mine,
        request_id=cause.request_id,
    )
