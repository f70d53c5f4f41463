"""One entity's part of a pass: recover → detect → deletes → match/create → merge/write → commit.

The stages live in their own modules; this one routes records between them. Webshop records and
Tripletex records that changed are sorted into linked pairs (merged by ``pairs``) and unlinked records
(matched by ``match``; unmatched ones created by ``creates`` when the entity's creation direction
allows). The commit stores what the pass has now fully handled — the seen Tripletex versions, the
webshop feed cursor, the customer ``changedSince`` cursor — only after the records they cover, and
completes the pending work it took (records re-queued meanwhile keep their row).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shopsync.connectors import base as shop
from shopsync.mapping import RecordMappingError, UnresolvedReference
from shopsync.state import EventAction

from .base import Base
from .context import PassContext
from .creates import Creator, ShopSource, TripletexSource
from .deletes import apply_deletes
from .detect import Detected, detect, detect_ids
from .match import match_tripletex, match_webshop
from .outcome import Outcome
from .pairs import Pair, PairSync
from .recover import recover
from .tripletex_side import TripletexSide, TxRecord

__all__ = ["EntityPass"]


class EntityPass:
    """Syncs one entity within a pass; ``step`` names the stage running (for errors)."""

    def __init__(self, ctx: PassContext, entity: str) -> None:
        self.ctx = ctx
        self.entity = entity
        self.side = TripletexSide(ctx.tripletex, ctx.mapping, entity, ctx.options)
        self.outcome = Outcome(ctx, entity)
        self.creator = Creator(ctx, entity, self.side, self.outcome)
        self.pairs = PairSync(ctx, entity, self.side, self.outcome)
        self.step = "start"
        reviews = ctx.store.open_reviews(entity)
        self._in_review = {(r.side, r.record_id) for r in reviews}

    async def run(self) -> None:
        """The full pass for this entity: feed, scan, queued work."""
        self.step = "recover"
        await recover(self.ctx, self.entity, self.side, self.outcome)
        self.step = "detect"
        detected = await detect(self.ctx, self.entity, self.side, self.outcome)
        await self.process(detected)
        self.step = "commit"
        self.commit(detected)

    async def run_ids(self, side: str, ids: list[str | int]) -> None:
        """Only the given records of one side (webhooks, replays); cursors are left alone."""
        self.step = "recover"
        await recover(self.ctx, self.entity, self.side, self.outcome)
        self.step = "detect"
        detected = await detect_ids(self.ctx, self.entity, self.side, side, ids)
        await self.process(detected)
        self.step = "commit"
        detected.webshop_cursor = detected.tripletex_cursor = None
        self.commit(detected)

    async def process(self, d: Detected) -> None:
        """Route the detected records through deletes, matching, creation and merging."""
        ctx, store, entity = self.ctx, self.ctx.store, self.entity
        self.step = "delete"
        await apply_deletes(ctx, entity, self.side, self.outcome, d.webshop_deleted, d.tripletex_deleted)
        w_links = store.tripletex_ids_for(entity, d.webshop)
        t_links = store.webshop_ids_for(entity, d.tripletex)
        pairs: dict[str, Pair] = {}
        for webshop_id, record in d.webshop.items():
            if webshop_id in w_links:
                pairs[webshop_id] = Pair(webshop_id, w_links[webshop_id], webshop=record)
        for tripletex_id, tx_record in d.tripletex.items():
            if tripletex_id in t_links:
                webshop_id = t_links[tripletex_id]
                pair = pairs.setdefault(webshop_id, Pair(webshop_id, tripletex_id))
                pair.tripletex = tx_record
        for pair in pairs.values():
            pair.tripletex_version = d.versions.get(pair.tripletex_id)
        self.step = "match"
        await self._unlinked_webshop({w: r for w, r in d.webshop.items() if w not in w_links}, d, pairs)
        await self._unlinked_tripletex({t: r for t, r in d.tripletex.items() if t not in t_links}, pairs)
        self.step = "merge"
        snapshots = store.snapshots_many(entity, pairs)
        for webshop_id, pair in pairs.items():
            if webshop_id in snapshots:
                pair.base = Base.from_snapshot(ctx.mapping, entity, snapshots[webshop_id])
        await self.pairs.run(list(pairs.values()))

    # ------------------------------------------------------------------ unlinked records

    def _link(self, webshop_id: str, tripletex_id: int, detail: dict[str, Any], side: str) -> None:
        with self.ctx.store.transaction() as conn:
            self.ctx.store.link(self.entity, webshop_id, tripletex_id, conn=conn)
            self.outcome.event(
                EventAction.LINKED, webshop_id=webshop_id, tripletex_id=tripletex_id, detail=detail, conn=conn
            )
        self.ctx.count(self.entity, side).linked += 1

    async def _unlinked_webshop(
        self, records: dict[str, shop.Record], d: Detected, pairs: dict[str, Pair]
    ) -> None:
        ctx, entity = self.ctx, self.entity
        views: dict[str, dict[str, Any]] = {}
        for webshop_id, record in records.items():
            if ("webshop", webshop_id) in self._in_review:
                continue  # a person decides first
            try:
                views[webshop_id] = ctx.mapping.webshop_view(
                    entity, record, ctx.refs.shop_resolver, record_id=webshop_id
                )
            except RecordMappingError as exc:
                self.outcome.dead_letter("webshop", webshop_id, exc)
        if not views:
            return
        scan = dict(d.scan) if d.scan is not None else await self.side.scan()
        # Orders older than the scan window are not in the scan: list their dates once more.
        older = sorted(
            dt.date.fromisoformat(str(v["order_date"]))
            for v in views.values()
            if v.get("order_date") and not self.side.in_window(v.get("order_date"))
        )
        if older:
            for tripletex_id, found in (await self.side.scan_dates(older[0], older[-1])).items():
                scan.setdefault(tripletex_id, found)
        matches = match_webshop(ctx, entity, views, self.side.index(scan))
        for webshop_id, candidates in matches.review.items():
            self.outcome.review("webshop", webshop_id, candidates)
        for webshop_id, tripletex_id, key in matches.linked:
            self._link(webshop_id, tripletex_id, {"matched_on": key}, "tripletex")
            pairs[webshop_id] = Pair(
                webshop_id, tripletex_id, webshop=records[webshop_id], tripletex=d.tripletex.get(tripletex_id)
            )
            d.tripletex.pop(tripletex_id, None)  # now linked: not an unlinked Tripletex record any more
        if not ctx.options.creates_on(entity, "tripletex"):
            return
        self.step = "create"
        sources = [ShopSource(w, records[w], views[w]) for w in matches.unmatched]
        await self.creator.to_tripletex(sources)
        self.step = "match"

    async def _unlinked_tripletex(self, records: dict[int, TxRecord], pairs: dict[str, Pair]) -> None:
        ctx, entity = self.ctx, self.entity
        linked_now = {p.tripletex_id for p in pairs.values()}
        records = {
            t: r
            for t, r in records.items()
            if t not in linked_now and ("tripletex", str(t)) not in self._in_review
        }
        if not records or not ctx.options.creates_on(entity, "webshop"):
            return
        resolver = await ctx.refs.resolver()
        views: dict[int, dict[str, Any]] = {}
        for tripletex_id, record in records.items():
            try:
                views[tripletex_id] = ctx.mapping.tripletex_view(
                    entity, record, resolver, record_id=tripletex_id
                )
            except UnresolvedReference as exc:
                self.outcome.wait("tripletex", tripletex_id, str(exc))
            except RecordMappingError as exc:
                self.outcome.dead_letter("tripletex", tripletex_id, exc)
        matches = await match_tripletex(ctx, entity, views)
        for record_id, candidates in matches.review.items():
            self.outcome.review("tripletex", int(record_id), candidates)
        for webshop_id, tripletex_id, key in matches.linked:
            self._link(webshop_id, tripletex_id, {"matched_on": key}, "webshop")
            pairs[webshop_id] = Pair(webshop_id, tripletex_id, tripletex=records[tripletex_id])
        self.step = "create"
        sources = [TripletexSource(int(t), records[int(t)], views[int(t)]) for t in matches.unmatched]
        await self.creator.to_webshop(sources)
        self.step = "match"

    # ------------------------------------------------------------------ commit

    def commit(self, d: Detected) -> None:
        """Remember what this pass handled: seen versions, cursors; complete the work it took."""
        store, entity = self.ctx.store, self.entity
        waiting_tripletex = {int(i) for s, i in self.outcome.waiting if s == "tripletex"}
        waiting_webshop = {i for s, i in self.outcome.waiting if s == "webshop"}
        waiting_tripletex |= {t for w, t in store.tripletex_ids_for(entity, waiting_webshop).items()}
        seen: dict[int, int] = dict(d.ignored)
        seen.update({t: int(r.version) for t, r in d.tripletex.items() if r.version is not None})
        seen.update(self.outcome.seen)
        for tripletex_id in waiting_tripletex:
            seen.pop(tripletex_id, None)
        with store.transaction() as conn:
            store.record_seen_versions(entity, seen, conn=conn)
            if d.webshop_cursor is not None:
                store.advance_cursor("webshop", entity, d.webshop_cursor, conn=conn)
            if d.tripletex_cursor is not None:
                store.advance_cursor("tripletex", entity, d.tripletex_cursor, conn=conn)
        for item in d.work:
            store.complete_work(item)
