"""One entity's part of a pass: recover → detect → deletes → match/create → merge/write → commit.

The stages live in their own modules; this one routes records between them. Webshop records and
Tripletex records that changed are sorted into linked pairs (merged by ``pairs``) and unlinked records
(matched by ``match``; unmatched ones created by ``creates`` when the entity's creation direction
allows). The commit stores what the pass has now fully handled — the seen Tripletex versions, the
webshop feed cursor, the customer ``changedSince`` cursor — only after the records they cover, and
completes the pending work it took (records re-queued meanwhile keep their row).

A full pass reads the Tripletex side first (kept compact: versions and the match index), then the
webshop feed in windows of ``EngineOptions.feed_window`` records: each window is matched, created,
merged and committed (its feed cursor stored) before the next is read, so a pass holds one window
of records, whatever the size of the shop. A changed Tripletex record is synced in the window of
its linked webshop record. The last step takes what is left: deletes of both sides (once per pass,
so the mass-delete breaker sees them all; a record whose partner Tripletex deleted waits for it),
the changed Tripletex records no window took, the queued work, and the Tripletex cursor. A window is
to matching what a pass is: two unlinked records of one window claiming one candidate both go to
review; a record claiming a candidate an earlier window linked finds it taken, as in a later pass.

A stop requested mid-way (``PassStopped`` from a stage's checkpoint) commits only what is known to be
finished: the Tripletex versions the engine's own writes produced. No cursor moves and the queued work
stays queued, so the next pass reads every record this one did not settle again; records it did
settle are linked and based by then, so reading them again writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from shopsync.connectors import base as shop
from shopsync.mapping import RecordMappingError, UnresolvedReference
from shopsync.state import EventAction, ReviewStatus, WorkItem

from .base import Base
from .context import PassContext, PassStopped
from .creates import Creator, ShopSource, TripletexSource
from .deletes import apply_deletes
from .detect import (
    CustomerCursor,
    Detected,
    detect_targets,
    detect_tripletex,
    feed_deletions,
    fetch_work,
    linked_among,
    read_feed,
)
from .match import Matches, match_tripletex, match_webshop
from .outcome import Outcome
from .pairs import Pair, PairSync
from .partitions import PARTITIONED, cursor_text
from .recover import recover
from .tripletex_side import Scan, TripletexSide, TxRecord

__all__ = ["SEARCH_LIMIT", "EntityPass"]

#: Up to this many unlinked webshop records outside a full pass are matched by searching Tripletex for
#: their keys (a few calls each); more are matched against one scan (cheaper in calls by then).
SEARCH_LIMIT = 20


class EntityPass:
    """Syncs one entity within a pass; ``step`` names the stage running (for errors)."""

    def __init__(self, ctx: PassContext, entity: str) -> None:
        self.ctx = ctx
        self.entity = entity
        self.side = TripletexSide(ctx.tripletex, ctx.mapping, entity, ctx.options)
        self.outcome = Outcome(ctx, entity)
        self.creator = Creator(ctx, entity, self.side, self.outcome)
        self.pairs = PairSync(ctx, entity, self.side, self.outcome)
        self._step = "start"
        reviews = ctx.store.open_reviews(entity)
        self._in_review = {(r.side, r.record_id) for r in reviews}
        #: The complete scan matching uses (read once per pass), and the orders older than its window
        #: listed so far: (the first day listed, their index).
        self._scan: Scan | None = None
        self._older: tuple[dt.date, dict[str, dict[str, list[int]]]] | None = None

    @property
    def step(self) -> str:
        """The stage running (named in errors, reported as progress)."""
        return self._step

    @step.setter
    def step(self, value: str) -> None:
        self._step = value
        self.ctx.progress.stage(self.entity, value)

    async def run(self) -> None:
        """The full pass for this entity: the Tripletex side, the feed window by window, then the rest
        (see the module docstring)."""
        ctx, entity = self.ctx, self.entity
        try:
            self.step = "recover"
            await recover(ctx, entity, self.side, self.outcome)
            ctx.checkpoint()
            self.step = "detect"
            tx = await detect_tripletex(ctx, entity, self.side)
            ctx.checkpoint()  # reads only so far: a stop here loses nothing
            pool, read_tripletex = tx.tripletex, set(tx.tripletex)
            partner = {w: t for t, w in ctx.store.webshop_ids_for(entity, pool).items()}
            doomed = set(ctx.store.webshop_ids_for(entity, tx.tripletex_deleted).values())
            accounted: set[str] = set()
            tombstones: set[str] = set()
            deferred: dict[str, shop.Record] = {}
            first: Detected | None = tx
            async for window in read_feed(ctx, entity, self.outcome, ctx.options.feed_window, accounted):
                self.step = "detect"
                tombstones |= window.webshop_deleted  # deleted at the end, all at once
                window.webshop_deleted = set()
                for webshop_id in [w for w in window.webshop if w in doomed]:
                    deferred[webshop_id] = window.webshop.pop(webshop_id)
                for webshop_id in window.webshop:
                    tripletex_id = partner.get(webshop_id)
                    if tripletex_id is not None and tripletex_id in pool:
                        window.tripletex[tripletex_id] = pool.pop(tripletex_id)
                window.versions, window.scan, window.pool = tx.versions, tx.scan, pool
                self._expect(window, first, tombstones)
                first = None
                ctx.checkpoint()
                await self.process(window)
                self.step = "commit"
                self.commit(window)
            self.step = "detect"
            rest = await feed_deletions(ctx, entity, accounted)
            rest.webshop.update({w: r for w, r in deferred.items() if w not in tombstones})
            rest.webshop_deleted |= tombstones
            rest.tripletex.update(pool)
            rest.tripletex_deleted = tx.tripletex_deleted
            rest.versions, rest.scan, rest.ignored = tx.versions, tx.scan, tx.ignored
            rest.tripletex_cursor, rest.work = tx.tripletex_cursor, tx.work
            await fetch_work(
                ctx, entity, self.side, rest, seen_webshop=accounted, seen_tripletex=read_tripletex
            )
            self._expect(rest, first, set())
            ctx.checkpoint()
            await self.process(rest)
        except PassStopped:
            self.step = "commit"
            self.commit_stopped()
            raise
        self.step = "commit"
        self.commit(rest)
        ctx.progress.finish(entity)

    async def run_targets(self, targets: Mapping[str, list[str | int]], work: list[WorkItem]) -> None:
        """Only the given records of each side (webhooks, queued work, replays, decisions); no feed, no
        scan, cursors left alone; the queued ``work`` they stand for is completed at the end."""
        try:
            self.step = "recover"
            await recover(self.ctx, self.entity, self.side, self.outcome)
            self.ctx.checkpoint()
            self.step = "detect"
            detected = await detect_targets(self.ctx, self.entity, self.side, targets)
            detected.work = list(work)
            self.ctx.gone |= {(self.entity, "webshop", i) for i in detected.webshop_deleted}
            self.ctx.gone |= {(self.entity, "tripletex", str(i)) for i in detected.tripletex_deleted}
            self.ctx.checkpoint()
            self._expect(detected, Detected())
            await self.process(detected)
        except PassStopped:
            self.step = "commit"
            self.commit_stopped()
            raise
        self.step = "commit"
        detected.webshop_cursor = detected.tripletex_cursor = None
        self.commit(detected)
        self.ctx.progress.finish(self.entity)

    def _expect(self, d: Detected, first: Detected | None = None, deleted: set[str] | None = None) -> None:
        """Tell the progress report which records this pass settles: ``d``'s, and with the ``first``
        window the whole Tripletex side (``first``), the queued work and the ``deleted`` seen so far;
        later windows add theirs."""
        records: list[tuple[str, str | int]] = [("webshop", i) for i in (*d.webshop, *d.webshop_deleted)]
        records += [("tripletex", i) for i in (*d.tripletex, *d.tripletex_deleted)]
        if first is None:
            self.ctx.progress.expect_more(self.entity, records)
            return
        records += [("webshop", i) for i in deleted or ()]
        records += [("tripletex", i) for i in (*first.tripletex, *first.tripletex_deleted)]
        records += [(w.side, w.record_id) for w in first.work]
        self.ctx.progress.expect(self.entity, records)

    async def process(self, d: Detected) -> None:
        """Route the detected records through deletes, matching, creation and merging."""
        ctx, store, entity, progress = self.ctx, self.ctx.store, self.entity, self.ctx.progress
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
        progress.handled(entity, "webshop", d.webshop_deleted)
        progress.handled(entity, "tripletex", d.tripletex_deleted)
        self.step = "match"
        unlinked_webshop = {w: r for w, r in d.webshop.items() if w not in w_links}
        await self._unlinked_webshop(unlinked_webshop, d, pairs)
        ctx.checkpoint()
        # Settled unless now paired (a pair counts once it is merged): created, reviewed, left alone.
        progress.handled(entity, "webshop", [w for w in unlinked_webshop if w not in pairs])
        unlinked_tripletex = {t: r for t, r in d.tripletex.items() if t not in t_links}
        await self._unlinked_tripletex(unlinked_tripletex, pairs)
        ctx.checkpoint()
        paired = {p.tripletex_id for p in pairs.values()}
        progress.handled(entity, "tripletex", [t for t in unlinked_tripletex if t not in paired])
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

    def _decided(self, side: str, ids: Iterable[str | int]) -> tuple[set[str], set[str]]:
        """(to create without matching, to leave alone): records whose review a person closed as
        ``created`` or ``dismissed`` (open reviews are skipped by the caller)."""
        decisions = self.ctx.store.review_decisions(self.entity, side, ids)
        create = {i for i, d in decisions.items() if d == ReviewStatus.CREATED}
        return create, {i for i, d in decisions.items() if d == ReviewStatus.DISMISSED}

    async def _candidates(
        self, views: dict[str, dict[str, Any]], d: Detected
    ) -> list[dict[str, dict[str, list[int]]]]:
        """The indexes of the Tripletex records to match ``views`` against: the pass's scan, else a
        search per record (a targeted sync of a few records), else a scan (read once per pass)."""
        if d.scan is None and len(views) <= SEARCH_LIMIT:
            return [self.side.index(await self.side.lookup(views.values()))]
        if self._scan is None:
            self._scan = (
                d.scan
                if d.scan is not None
                else await self.side.scan_compact(linked=linked_among(self.ctx, self.entity))
            )
        scan = self._scan
        # Orders dated outside the scan window are not in the scan. Older ones: the days from the
        # oldest up to the window are listed once per pass (a later window only adds days before
        # those); orders dated after the window (rare) are listed for each window that has some.
        outside = [
            dt.date.fromisoformat(str(v["order_date"]))
            for v in views.values()
            if v.get("order_date") and not self.side.in_window(v.get("order_date"))
        ]
        if not outside:
            return [scan.index]
        window = self.side.window()
        indexes = [scan.index]
        older = [day for day in outside if day < window["order_date_from"]]
        if older and (self._older is None or min(older) < self._older[0]):
            first = min(older)
            end = window["order_date_from"] if self._older is None else self._older[0]
            index = self._older[1] if self._older is not None else {key: {} for key in self.side.match_paths}
            for tid, record in (await self.side.scan_dates(first, end - dt.timedelta(days=1))).items():
                if tid not in scan:
                    self.side.add_to_index(index, tid, record)
            self._older = (first, index)
        if self._older is not None:
            indexes.append(self._older[1])
        later = [day for day in outside if day >= window["order_date_to"]]
        if later:
            found = await self.side.scan_dates(min(later), max(later))
            indexes.append(self.side.index({t: r for t, r in found.items() if t not in scan}))
        return indexes

    async def _unlinked_webshop(
        self, records: dict[str, shop.Record], d: Detected, pairs: dict[str, Pair]
    ) -> None:
        ctx, entity = self.ctx, self.entity
        views: dict[str, dict[str, Any]] = {}
        create_now, dismissed = self._decided("webshop", records)
        for webshop_id, record in records.items():
            if ("webshop", webshop_id) in self._in_review or webshop_id in dismissed:
                continue  # a person decides first, or decided to leave it alone
            try:
                views[webshop_id] = ctx.mapping.webshop_view(
                    entity, record, ctx.refs.shop_resolver, record_id=webshop_id
                )
            except RecordMappingError as exc:
                self.outcome.dead_letter("webshop", webshop_id, exc)
        if not views:
            return
        to_match = {w: v for w, v in views.items() if w not in create_now}
        matches = Matches(unmatched=[w for w in views if w in create_now])
        if to_match:
            found = match_webshop(ctx, entity, to_match, await self._candidates(to_match, d))
            matches.linked, matches.review = found.linked, found.review
            matches.unmatched += found.unmatched
        for webshop_id, candidates in matches.review.items():
            self.outcome.review("webshop", webshop_id, candidates)
        for webshop_id, tripletex_id, key in matches.linked:
            self._link(webshop_id, tripletex_id, {"matched_on": key}, "tripletex")
            # Now linked: not an unlinked Tripletex record any more (of this window, or of the pass).
            taken = d.tripletex.pop(tripletex_id, None)
            if taken is None and d.pool is not None:
                taken = d.pool.pop(tripletex_id, None)
            pairs[webshop_id] = Pair(webshop_id, tripletex_id, webshop=records[webshop_id], tripletex=taken)
        if not ctx.options.creates_on(entity, "tripletex"):
            return
        self.step = "create"
        sources = [ShopSource(w, records[w], views[w]) for w in matches.unmatched]
        await self.creator.to_tripletex(sources)
        self.step = "match"

    async def _unlinked_tripletex(self, records: dict[int, TxRecord], pairs: dict[str, Pair]) -> None:
        ctx, entity = self.ctx, self.entity
        linked_now = {p.tripletex_id for p in pairs.values()}
        create_now, dismissed = self._decided("tripletex", records)
        records = {
            t: r
            for t, r in records.items()
            if t not in linked_now
            and ("tripletex", str(t)) not in self._in_review
            and str(t) not in dismissed
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
        matches = await match_tripletex(
            ctx, entity, {t: v for t, v in views.items() if str(t) not in create_now}
        )
        matches.unmatched += [str(t) for t in views if str(t) in create_now]
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
        seen: dict[int, int] = dict(d.ignored)
        seen.update({t: int(r.version) for t, r in d.tripletex.items() if r.version is not None})
        seen.update(self.outcome.take_seen())
        tripletex_cursor = d.tripletex_cursor
        if entity in PARTITIONED and d.scan is not None and self.outcome.created_values:
            # What this pass created is listed next time too: cut for the listing as it now is.
            tripletex_cursor = cursor_text(self.side.cuts(d.scan.counts + self.outcome.created_values))
        if entity == "customer" and tripletex_cursor is not None:
            # The customers this pass created count towards the next scan's size and numbering.
            parsed = CustomerCursor.parse(tripletex_cursor)
            if parsed is not None:
                outcome = self.outcome
                tripletex_cursor = parsed.with_created(outcome.created_numbers, outcome.created_range).text()
        # Read before the write transaction: a second pooled connection wanted while it holds SQLite's
        # write lock can wait for a pool slot held by webhook writers waiting for that lock (deadlock).
        not_waiting = self._not_waiting(seen)
        with store.transaction() as conn:
            store.record_seen_versions(entity, not_waiting, conn=conn)
            if d.webshop_cursor is not None:
                store.advance_cursor("webshop", entity, d.webshop_cursor, conn=conn)
            if tripletex_cursor is not None:
                store.advance_cursor("tripletex", entity, tripletex_cursor, conn=conn)
        for item in d.work:
            store.complete_work(item)

    def commit_stopped(self) -> None:
        """A stop cut this entity short: remember only the versions of the engine's own writes (their
        bases are stored); cursors stay, queued work stays queued (see the module docstring)."""
        self.ctx.store.record_seen_versions(self.entity, self._not_waiting(dict(self.outcome.seen)))

    def _not_waiting(self, seen: dict[int, int]) -> dict[int, int]:
        """``seen`` without the Tripletex records queued to wait (they must be looked at again)."""
        store, entity = self.ctx.store, self.entity
        waiting_tripletex = {int(i) for s, i in self.outcome.waiting if s == "tripletex"}
        waiting_webshop = {i for s, i in self.outcome.waiting if s == "webshop"}
        waiting_tripletex |= {t for w, t in store.tripletex_ids_for(entity, waiting_webshop).items()}
        return {t: v for t, v in seen.items() if t not in waiting_tripletex}
