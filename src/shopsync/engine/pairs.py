"""Linked pairs: read what is missing, merge against the base, write both sides, save the new base.

A side that did not change since the last sync is not read again: its base view stands in for it
(a webshop record absent from the feed; a Tripletex record whose scanned version is the stored one).
Tripletex updates of customers and products go out in ``PUT …/list`` batches; whatever a batch could
not write, and every order, is written alone. A 409 (Tripletex) or 412 (webshop) re-reads that side,
re-merges and retries, a bounded number of times; an ambiguous update is treated the same way (the
re-read shows whether it landed). After the writes the new base (both views, both versions, line ids)
is saved in one transaction with the conflicts, events and seen version: our own write is thereby
never mistaken for a new change.

A stop (``PassContext.checkpoint``) is honoured between pairs while planning and before the writes
begin; once writing, a pair the Tripletex batch already wrote is always finished and its base saved,
and only pairs not written at all are skipped (their write-ahead marks are harmless, see ``base``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from shopsync.connectors import base as shop
from shopsync.mapping import RecordMappingError, UnresolvedReference
from shopsync.tripletex import AmbiguousWriteError, BatchWriteError, VersionConflict
from shopsync.tripletex import Conflict as TripletexConflict
from shopsync.tripletex import NotFound as TripletexNotFound
from shopsync.tripletex import ValidationFailed as TripletexValidationFailed

from . import lines, merge, names
from .conflicts import Arbiter
from .context import RESOURCES, PassContext
from .detect import fetch_webshop
from .outcome import Outcome
from .pair_save import BaseKeeper
from .pair_state import Pair, Plan, known, tripletex_version
from .references import EngineResolver
from .tripletex_side import TripletexSide
from .writes import (
    LineState,
    TotalsMismatch,
    after_write,
    check_totals,
    tripletex_body,
)

__all__ = ["Pair", "PairSync", "Plan"]


_VANISHED_TX = "the Tripletex record vanished: re-checking"
_VANISHED_SHOP = "the webshop record vanished: re-checking"


class _Retry(Exception):
    """Re-read and re-merge this pair."""


class PairSync:
    """Merges and writes the linked pairs of one entity."""

    def __init__(self, ctx: PassContext, entity: str, side: TripletexSide, outcome: Outcome) -> None:
        self.ctx = ctx
        self.entity = entity
        self.side = side
        self.outcome = outcome
        self.mapping = ctx.mapping
        self.blocks = lines.blocks(ctx.mapping, entity)
        self.resource = RESOURCES[entity]
        self.keeper = BaseKeeper(ctx, entity, outcome)
        self.arbiter = Arbiter(ctx, entity, side)

    async def run(self, pairs: list[Pair]) -> None:
        """Sync every pair (bases already attached)."""
        live = []
        for pair in pairs:
            if pair.base is not None and pair.base.deleted:
                self.keeper.remember(pair)  # one side is gone: the pair is left alone
                self._settled(pair)
            else:
                live.append(pair)
        await self._complete(live)
        plans: list[Plan] = []
        for pair in live:
            self.ctx.checkpoint()
            plan = await self._plan(pair)
            if plan is None:
                self._settled(pair)  # unchanged, waiting or dead-lettered
            else:
                plans.append(plan)
        self.ctx.checkpoint()
        self.keeper.mark_pending(plans)
        await self._batch_update(plans)
        limit = asyncio.Semaphore(self.ctx.options.concurrency)

        async def finish(plan: Plan) -> None:
            async with limit:
                if self.ctx.stopping and plan.tripletex_done is None:
                    return  # nothing written yet: left for the next pass
                await self._finish(plan)
                self._settled(plan.pair)

        await asyncio.gather(*(finish(p) for p in plans))
        self.ctx.checkpoint()

    def _settled(self, pair: Pair) -> None:
        """Report the pair's records as settled (only the sides the pass detected count)."""
        progress = self.ctx.progress
        progress.handled(self.entity, "webshop", [pair.webshop_id])
        progress.handled(self.entity, "tripletex", [pair.tripletex_id])

    # ------------------------------------------------------------------ reading

    def _reusable(self, pair: Pair) -> bool:
        """Whether the Tripletex side is known without reading it (our own write, or an unchanged version)."""
        if pair.tripletex_view is not None:
            return True
        if not known(pair.base):
            return False
        assert pair.base is not None
        stored = pair.base.tripletex_version
        # Without a stored version an update could not be sent: read the record.
        return stored is not None and pair.tripletex_version in (None, stored)

    async def _complete(self, pairs: list[Pair]) -> None:
        need = {p.tripletex_id for p in pairs if p.tripletex is None and not self._reusable(p)}
        if need:
            fetched = await self.side.fetch(need)
            for pair in pairs:
                if pair.tripletex_id in need:
                    pair.tripletex = fetched.get(pair.tripletex_id)
        missing_shop = [p.webshop_id for p in pairs if p.webshop is None and not known(p.base)]
        found, _gone = await fetch_webshop(self.ctx, self.entity, missing_shop)
        for pair in pairs:
            if pair.webshop is None and pair.webshop_id in found:
                pair.webshop = found[pair.webshop_id]

    # ------------------------------------------------------------------ planning

    async def _plan(self, pair: Pair) -> Plan | None:
        mapping, entity, base = self.mapping, self.entity, pair.base
        if pair.tripletex is None and not self._reusable(pair):
            self.outcome.wait("tripletex", pair.tripletex_id, _VANISHED_TX)
            return None
        if pair.webshop is None and not known(base):
            self.outcome.wait("webshop", pair.webshop_id, _VANISHED_SHOP)
            return None
        try:
            w_view = (
                mapping.webshop_view(
                    entity, pair.webshop, self.ctx.refs.shop_resolver, record_id=pair.webshop_id
                )
                if pair.webshop is not None
                else dict(base.webshop if base else {})
            )
        except RecordMappingError as exc:
            self.outcome.dead_letter("webshop", pair.webshop_id, exc)
            return None
        unread = pair.tripletex is None and pair.tripletex_view is None
        if unread and known(base) and base is not None and self._same_views(w_view, base.webshop):
            self.keeper.unchanged(pair, w_view)
            return None
        resolver = await self.ctx.refs.resolver()
        try:
            t_view, ids = self._tripletex_state(pair, resolver)
        except UnresolvedReference as exc:
            self.outcome.wait("tripletex", pair.tripletex_id, str(exc))
            return None
        except RecordMappingError as exc:
            self.outcome.dead_letter("tripletex", pair.tripletex_id, exc)
            return None
        base_w, base_t = base.effective(mapping, entity, w_view, t_view) if base else (None, None)
        analysis = merge.analyse(mapping, entity, w_view, t_view, base_w, base_t)
        locked = self._locked(pair)
        blocked = {k: (v, t_view.get(k)) for k, v in analysis.to_tripletex.items()} if locked else {}
        verdict = await self.arbiter.verdict(pair, analysis.conflicts, blocked)
        decision = merge.decide(analysis, verdict, locked=locked, tripletex=t_view)
        plan = Plan(pair, w_view, t_view, decision, locked, ids, labels=verdict.labels)
        if decision.to_tripletex and self.blocks and not ids.known and pair.tripletex is None:
            # Lines must be written but their Tripletex ids are unknown: read the order once.
            pair.tripletex = await self.side.get(pair.tripletex_id)
            pair.tripletex_view = None
            if pair.tripletex is None:
                self.outcome.wait("tripletex", pair.tripletex_id, _VANISHED_TX)
                return None
            return await self._plan(pair)
        return self._bodies(plan, resolver)

    def _tripletex_state(self, pair: Pair, resolver: EngineResolver) -> tuple[dict[str, Any], LineState]:
        if pair.tripletex is not None:
            view = self.mapping.tripletex_view(
                self.entity, pair.tripletex, resolver, record_id=pair.tripletex_id
            )
            line_ids, element_ids = lines.ids_from_record(self.blocks, pair.tripletex)
            return view, LineState(line_ids, element_ids)
        if pair.tripletex_view is not None:
            return dict(pair.tripletex_view), pair.tripletex_lines or LineState()
        assert pair.base is not None
        return dict(pair.base.tripletex), LineState(dict(pair.base.line_ids), dict(pair.base.element_ids))

    def _same_views(self, left: dict[str, Any], right: dict[str, Any]) -> bool:
        keys = set(left) | set(right)
        return all(
            merge.same(self.mapping, self.entity, k, left.get(k), right.get(k))
            for k in keys
            if self.mapping.entity(self.entity).entry(k)
        )

    def _locked(self, pair: Pair) -> bool:
        if self.entity != "order":
            return False
        if pair.locked:
            return True
        if pair.tripletex is not None:
            return bool(getattr(pair.tripletex, "isClosed", False))
        return bool(pair.base and pair.base.locked)

    def _bodies(self, plan: Plan, resolver: EngineResolver) -> Plan | None:
        pair, decision = plan.pair, plan.decision
        t_target = {**plan.tripletex_view, **decision.to_tripletex}
        try:
            if decision.to_tripletex:
                plan.body = tripletex_body(
                    self.mapping,
                    self.entity,
                    self.blocks,
                    t_target,
                    plan.tripletex_view,
                    list(decision.to_tripletex),
                    resolver,
                    plan.ids,
                    pair.webshop_id,
                )
                if plan.body.slots is not None and pair.webshop is not None:
                    check_totals(plan.body.body, pair.webshop, resolver)
                plan.body.body["id"] = pair.tripletex_id
                plan.body.body["version"] = tripletex_version(pair)
        except UnresolvedReference as exc:
            self.outcome.wait("webshop", pair.webshop_id, str(exc))
            return None
        except (RecordMappingError, TotalsMismatch, ValueError) as exc:
            self.outcome.dead_letter("webshop", pair.webshop_id, exc)
            return None
        if decision.to_webshop:
            w_target = {**plan.webshop_view, **decision.to_webshop}
            try:
                patch = self.mapping.to_webshop(
                    self.entity,
                    w_target,
                    resolver,
                    keys=list(decision.to_webshop),
                    current=pair.webshop,
                    record_id=pair.webshop_id,
                )
            except RecordMappingError as exc:
                self.outcome.dead_letter("tripletex", pair.tripletex_id, exc)
                return None
            plan.patch = patch or None
        return plan

    # ------------------------------------------------------------------ writing

    async def _batch_update(self, plans: list[Plan]) -> None:
        """Customers and products: all Tripletex updates through ``PUT …/list`` in batches."""
        if self.entity == "order":
            return
        todo = [p for p in plans if p.body is not None]
        if len(todo) < 2:
            return  # one record: the single PUT in ``_finish`` is the same call
        models = [self.side.model.model_validate(p.body.body) for p in todo if p.body is not None]
        try:
            done = await self.side.resource.update_many(models)
        except BatchWriteError as exc:
            done = list(exc.completed)  # the rest is written one by one, with conflict handling
        for plan, answer in zip(todo, done, strict=False):
            plan.tripletex_done = answer

    async def _finish(self, plan: Plan) -> None:
        for _attempt in range(self.ctx.options.write_attempts):
            try:
                if plan.tripletex_done is not None and not plan.noted:
                    await self._note_tripletex_write(plan)  # written by the batch
                await self._write(plan)
            except _Retry:
                fresh = await self._plan(plan.pair)
                if fresh is None:
                    return
                plan = fresh
                self.keeper.mark_pending([plan])
                continue
            await self.keeper.save(plan)
            return
        self.outcome.wait("webshop", plan.pair.webshop_id, "kept changing while being written; retrying")

    async def _write(self, plan: Plan) -> None:
        pair = plan.pair
        while plan.body is not None and plan.tripletex_done is None:
            try:
                model = self.side.model.model_validate(plan.body.body)
                if self.entity == "order":
                    answer = await self.ctx.tripletex.orders.update(
                        model,  # type: ignore[arg-type]
                        update_lines_and_groups=plan.body.slots is not None,
                    )
                else:
                    answer = await self.side.resource.update(model)
            except (VersionConflict, AmbiguousWriteError):
                pair.tripletex = await self.side.get(pair.tripletex_id)
                pair.tripletex_view = None
                raise _Retry from None
            except TripletexConflict as exc:
                # 409 other than a stale version: the order is locked (e.g. invoiced). A visible
                # conflict, not a retry loop; for other records the refusal is a dead letter.
                if self.entity != "order":
                    self._fail(plan, "tripletex", exc)
                else:
                    pair.locked = True
                    raise _Retry from None
            except TripletexValidationFailed as exc:
                if not self._rename(plan, exc):
                    self._fail(plan, "tripletex", exc)
            except TripletexNotFound:
                self._fail(plan, "tripletex", None)
            else:
                plan.tripletex_done = answer
                await self._note_tripletex_write(plan)
        if plan.patch is not None and plan.webshop_done is None:
            version = pair.webshop.version if pair.webshop is not None else None
            if version is None and pair.base is not None and pair.base.webshop_version is not None:
                version = int(pair.base.webshop_version)
            try:
                plan.webshop_done = await self.ctx.webshop.update(
                    self.resource, pair.webshop_id, plan.patch, if_match=version
                )
            except (shop.PreconditionFailed, shop.AmbiguousWriteError):
                found, _ = await fetch_webshop(self.ctx, self.entity, [pair.webshop_id])
                pair.webshop = found.get(pair.webshop_id)
                raise _Retry from None
            except (shop.ValidationFailed, shop.Conflict) as exc:
                self._fail(plan, "webshop", exc)
            except shop.NotFound:
                self._fail(plan, "webshop", None)

    def _rename(self, plan: Plan, exc: TripletexValidationFailed) -> bool:
        """A new name refused as taken by another record: send it once more disambiguated (``names``).

        The write-ahead mark is updated first, so a crash right after the write still knows the
        disambiguated name for the engine's own."""
        if plan.renamed or plan.body is None or not names.name_in_use(self.mapping, self.entity, exc):
            return False
        view = {**plan.webshop_view, **plan.decision.to_tripletex}
        rename = names.disambiguate(self.mapping, self.entity, view, plan.pair.webshop_id)
        if rename is None or rename.key not in plan.decision.to_tripletex:
            return False
        plan.renamed = True
        plan.decision.to_tripletex[rename.key] = rename.value
        plan.body.body[rename.path] = rename.value
        self.keeper.mark_pending([plan])
        self.outcome.renamed(plan.pair.webshop_id, plan.pair.tripletex_id, rename, plan.webshop_view)
        return True

    def _fail(self, plan: Plan, target: str, exc: BaseException | None) -> None:
        """A write to ``target`` failed for good: dead-letter the source (or re-check a vanished record);
        the keys it carried keep their bases so the edit is retried, not lost."""
        pair = plan.pair
        if target == "tripletex":
            plan.failed |= set(plan.decision.to_tripletex)
            plan.body = None
            if exc is None:
                self.outcome.wait("tripletex", pair.tripletex_id, _VANISHED_TX)
            else:
                self.outcome.dead_letter("webshop", pair.webshop_id, exc)
                plan.dead.add("webshop")
        else:
            plan.failed |= set(plan.decision.to_webshop)
            plan.patch = None
            if exc is None:
                self.outcome.wait("webshop", pair.webshop_id, _VANISHED_SHOP)
            else:
                self.outcome.dead_letter("tripletex", pair.tripletex_id, exc)
                plan.dead.add("tripletex")

    async def _note_tripletex_write(self, plan: Plan) -> None:
        """After a Tripletex write: the pair now stands at the written view and the new version."""
        pair, answer = plan.pair, plan.tripletex_done
        assert answer is not None and plan.body is not None
        plan.noted = True
        resolver = await self.ctx.refs.resolver()
        target = {**plan.tripletex_view, **plan.decision.to_tripletex}
        view, ids = await after_write(
            self.mapping,
            self.entity,
            self.blocks,
            plan.body,
            target,
            answer,
            self.side,
            resolver,
            pair.tripletex_id,
        )
        pair.tripletex = None
        pair.tripletex_view = view
        pair.tripletex_lines = ids or plan.ids
        pair.tripletex_version = answer.version
