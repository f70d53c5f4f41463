"""What changed on each side since the last pass, read as cheaply as Tripletex's rate limit wants.

* Webshop: the change feed from the stored cursor (changed records and tombstones; items the
  connector could not translate are dead-lettered); plus records queued as pending work. Shops
  without tombstones are reconciled with ``all_ids()`` (complete, or an exception: never partial).
* Tripletex: a ``fields=id,version`` scan compared with the versions seen before (customers: every
  ``customer_scan_every`` passes, ``changedSince`` in between); then only the changed records are
  fetched, and of the unlinked ones only those the creation direction can use. A linked record
  missing from a *complete* scan is deleted only when a GET confirms it (404); absence alone never is
  (and when more than the mass-delete share is missing at once, none is even confirmed: breaker).

A full reconcile (``ctx.full``) reads the webshop feed from its start and always scans Tripletex (no
``changedSince``), comparing the scanned versions with the snapshots' instead of the versions seen; a
linked webshop record missing from that complete feed is confirmed deleted by a 404 (within the same
breaker). A read that fails raises before anything is deleted.

A pass reads the Tripletex side first (``detect_tripletex``: the scan kept compact, the changed
records, the queued work), then the feed in windows (``read_feed``), then what only the end of the
feed tells (``feed_deletions``) and the queued records not seen yet (``fetch_work``).

Nothing here writes anything but dead letters: cursors are stored by the entity pass after the
records they cover (``Detected.webshop_cursor``, ``Detected.tripletex_cursor``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
import json
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from shopsync.connectors.base import MappingError, NotFound, Record
from shopsync.mapping import RecordMappingError
from shopsync.state import WorkItem

from .context import RESOURCES, PassContext
from .outcome import Outcome
from .partitions import PARTITIONED, cursor_cuts, cursor_text
from .tripletex_side import LIST_LIMIT, Scan, TripletexSide, TxRecord

#: Snapshots read at a time when only a few of their values are looked at.
CHUNK = 500
#: Scanned versions compared with the versions seen at a time.
SEEN_CHUNK = 5_000

__all__ = [
    "CustomerCursor",
    "Detected",
    "detect_targets",
    "detect_tripletex",
    "feed_deletions",
    "fetch_webshop",
    "fetch_work",
    "read_feed",
]


@dataclass
class Detected:
    """The dirty records of one entity, both sides."""

    webshop: dict[str, Record] = field(default_factory=dict)
    webshop_deleted: set[str] = field(default_factory=set)
    tripletex: dict[int, TxRecord] = field(default_factory=dict)
    tripletex_deleted: set[int] = field(default_factory=set)
    #: Versions observed by a scan (every record in it, changed or not).
    versions: dict[int, int | None] = field(default_factory=dict)
    #: Changed unlinked records not fetched (nothing would use them): remembered as seen.
    ignored: dict[int, int] = field(default_factory=dict)
    #: The complete scan, when one ran (for matching without searches).
    scan: Scan | None = None
    #: Changed Tripletex records a later step of the pass handles; a webshop record matched to one
    #: takes it over (``read_feed`` windows share the pass's pool).
    pool: dict[int, TxRecord] | None = None
    webshop_cursor: str | None = None
    tripletex_cursor: str | None = None
    #: Pending work taken for this pass (completed at its end unless re-queued).
    work: list[WorkItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to do for this entity."""
        return not (self.webshop or self.webshop_deleted or self.tripletex or self.tripletex_deleted)


async def fetch_webshop(
    ctx: PassContext, entity: str, ids: Iterable[str]
) -> tuple[dict[str, Record], set[str]]:
    """Webshop records by id (concurrently); ids answering 404 are returned as deleted."""
    resource = RESOURCES[entity]
    limit = asyncio.Semaphore(ctx.options.concurrency)
    found: dict[str, Record] = {}
    gone: set[str] = set()

    async def one(record_id: str) -> None:
        async with limit:
            try:
                found[record_id] = await ctx.webshop.get(resource, record_id)
            except NotFound:
                gone.add(record_id)
            except MappingError as exc:
                # A malformed record is parked with its reason (as the feed does); the others go on.
                Outcome(ctx, entity).dead_letter("webshop", record_id, exc)

    await asyncio.gather(*(one(i) for i in dict.fromkeys(ids)))
    return found, gone


async def read_feed(
    ctx: PassContext, entity: str, outcome: Outcome, window: int, accounted: set[str]
) -> AsyncIterator[Detected]:
    """The webshop change feed from the stored cursor (from its start in a full reconcile) in windows of
    whole pages holding at least ``window`` records, each with the cursor after its last page.

    A window holds live records only: tombstones are collected in ``Detected.webshop_deleted`` of the
    window that ends the feed (deletes are applied once per pass, so the mass-delete breaker sees
    them all at once); a record alive again later in the feed is taken off it. ``accounted`` collects
    every id the feed showed, alive or deleted (``feed_deletions``, ``fetch_work``).
    """
    resource = RESOURCES[entity]
    cursor = None if ctx.full else ctx.store.cursor("webshop", entity)
    out = Detected()
    tombstones: set[str] = set()
    async for page in ctx.webshop.changes(resource, cursor):
        for record in page.items:
            assert record.id is not None
            out.webshop[record.id] = record  # a later page has the later state
            tombstones.discard(record.id)
            accounted.add(record.id)
        for tomb in page.tombstones:
            out.webshop.pop(tomb.id, None)
            tombstones.add(tomb.id)
            accounted.add(tomb.id)
        for rejected in page.rejected:
            if rejected.id is not None:
                # The connector names the field at fault; the dead letter carries it.
                failure = RecordMappingError(entity, rejected.id, rejected.field or "record", rejected.error)
                outcome.dead_letter("webshop", rejected.id, failure)
                accounted.add(rejected.id)  # it exists, it just cannot be read
        out.webshop_cursor = page.cursor
        if len(out.webshop) >= window:
            yield out
            out = Detected()
    out.webshop_deleted = tombstones
    if out.webshop or out.webshop_deleted or out.webshop_cursor is not None:
        yield out


async def feed_deletions(ctx: PassContext, entity: str, accounted: set[str]) -> Detected:
    """After the whole feed: linked records deleted without a tombstone (``webshop_deleted``) — a shop
    without tombstones, by its complete id list; a full reconcile, by a 404 for each linked record the
    complete feed did not show (those that answer are returned in ``webshop``: the feed missed them)."""
    out = Detected()
    resource = RESOURCES[entity]
    if not ctx.webshop.capabilities(resource).tombstones:
        # No tombstones: a linked record missing from the complete id list was deleted.
        live = await ctx.webshop.all_ids(resource)
        linked = {link.webshop_id for link in ctx.store.links(entity)}
        out.webshop_deleted |= linked - live
    elif ctx.full:
        await _absent_from_shop(ctx, entity, accounted, out)
    return out


def _breaker(ctx: PassContext, entity: str, missing: int, where: str) -> bool:
    """Whether ``missing`` linked records absent at once trip the mass-delete breaker (then noted)."""
    options = ctx.options
    if (
        options.delete_policy != "deactivate"
        or ctx.allow_mass_delete
        or missing <= 1
        or missing <= options.mass_delete_share * ctx.store.count_links(entity)
    ):
        return False
    # Far too many at once (a wiped or swapped account?): do not even confirm them one by one.
    reason = (
        f"{missing} linked {entity} records are missing from {where} "
        f"(more than {options.mass_delete_share:.0%}); nothing was deactivated"
    )
    ctx.summary.breaker[entity] = reason
    ctx.log.warning("engine.mass_delete_breaker", entity=entity, reason=reason)
    return True


def _not_deleted_yet(ctx: PassContext, entity: str, webshop_ids: list[str]) -> list[str]:
    """Of these linked records, those whose pair is not already marked deleted."""
    snapshots = ctx.store.snapshots_many(entity, webshop_ids)
    return [w for w in webshop_ids if not (w in snapshots and snapshots[w].values.get("deleted"))]


async def _absent_from_shop(ctx: PassContext, entity: str, seen: set[str], out: Detected) -> None:
    """Full reconcile: linked records missing from the complete feed, each confirmed by a 404."""
    linked = [link.webshop_id for link in ctx.store.links(entity) if link.webshop_id not in seen]
    missing = _not_deleted_yet(ctx, entity, linked)
    if not missing or _breaker(ctx, entity, len(missing), "the webshop"):
        return
    found, gone = await fetch_webshop(ctx, entity, missing)
    out.webshop.update(found)  # the feed missed it: sync it now
    out.webshop_deleted |= gone


@dataclass(frozen=True)
class CustomerCursor:
    """The Tripletex customer cursor (stored as JSON): where ``changedSince`` starts, passes since the
    last scan, and how many active customers the last scan (plus the pass's own creates) counted with
    their lowest and highest customer number — a numbered walk's bounds once over the list limit."""

    since: dt.datetime
    passes_without_scan: int = 0
    active: int = 0
    numbers: tuple[int, int] | None = None

    @classmethod
    def parse(cls, raw: str | None) -> CustomerCursor | None:
        if not raw:
            return None
        data = json.loads(raw)
        numbers = data.get("numbers")
        return cls(
            since=dt.datetime.fromisoformat(data["since"]),
            passes_without_scan=int(data.get("passes_without_scan", 0)),
            active=int(data.get("active", 0)),
            numbers=(int(numbers[0]), int(numbers[1]))
            if isinstance(numbers, list) and len(numbers) == 2
            else None,
        )

    def text(self) -> str:
        data: dict[str, object] = {
            "since": self.since.isoformat(),
            "passes_without_scan": self.passes_without_scan,
        }
        if self.numbers is not None:
            data |= {"active": self.active, "numbers": list(self.numbers)}
        return json.dumps(data)

    @property
    def walk(self) -> tuple[int, int] | None:
        """The numbers to walk from and past, when a whole list would be refused (else None)."""
        return self.numbers if self.active > LIST_LIMIT else None

    def with_created(self, count: int, numbers: tuple[int, int] | None) -> CustomerCursor:
        """Counting ``count`` active customers this pass created, numbered within ``numbers``."""
        if numbers is None:
            return self
        merged = (
            numbers
            if self.numbers is None
            else (min(self.numbers[0], numbers[0]), max(self.numbers[1], numbers[1]))
        )
        return dataclasses.replace(self, active=self.active + count, numbers=merged)


def linked_among(ctx: PassContext, entity: str) -> Callable[[list[int]], Collection[int]]:
    """Which of some Tripletex ids are linked (``TripletexSide.scan_compact``'s ``linked``)."""
    return lambda ids: ctx.store.webshop_ids_for(entity, ids).keys()


async def _read_tripletex(ctx: PassContext, entity: str, side: TripletexSide, out: Detected) -> None:
    store = ctx.store
    started = ctx.clock()
    changed: dict[int, TxRecord] = {}
    cursor = CustomerCursor.parse(ctx.store.cursor("tripletex", "customer")) if entity == "customer" else None
    between_scans = cursor is not None and cursor.passes_without_scan + 1 < ctx.options.customer_scan_every
    if cursor is not None and between_scans and not ctx.full:
        # Between full scans: changedSince (an optimisation; the scan stays the safety net).
        changed = await side.changed_since(cursor.since - ctx.options.changed_since_overlap)
        seen = store.seen_versions(entity, changed.keys())
        changed = {i: r for i, r in changed.items() if seen.get(i) != r.version}
        out.tripletex.update(changed)
        passes = cursor.passes_without_scan + 1
        out.tripletex_cursor = dataclasses.replace(cursor, since=started, passes_without_scan=passes).text()
        return
    # A full reconcile walks every customer number from 1 (the client's own split).
    walk = cursor.walk if cursor is not None and not ctx.full else None
    cuts = cursor_cuts(ctx.store.cursor("tripletex", entity)) if entity in PARTITIONED else None
    scan = await side.scan_compact(numbers=walk, cuts=cuts, linked=linked_among(ctx, entity))
    if entity in PARTITIONED:
        out.tripletex_cursor = cursor_text(scan.cuts or [])
    out.scan = scan
    out.versions = scan.versions  # the same map, not a copy (a version None is never dirty)
    if ctx.full:
        # Compared with what the snapshots hold, not with the versions seen: a version marked seen
        # whose change never reached the other side is caught; unlinked records are all looked at.
        synced = store.synced_versions(entity)
        dirty = [i for i, v in scan.versions.items() if v is not None and synced.get(i, -1) != v]
    else:
        # The versions seen in chunks, not all at once: an idle pass of 100,000 customers held them twice.
        dirty = []
        versions = iter(scan.versions.items())
        while block := list(itertools.islice(versions, SEEN_CHUNK)):
            chunk = [(i, v) for i, v in block if v is not None]
            seen = store.seen_versions(entity, [i for i, _ in chunk])
            dirty += [i for i, v in chunk if seen.get(i) != v]
    linked = store.webshop_ids_for(entity, dirty)
    wanted = [i for i in dirty if i in linked or ctx.options.creates_on(entity, "webshop")]
    wanted_ids = set(wanted)
    out.ignored = {i: v for i in dirty if i not in wanted_ids and (v := out.versions[i]) is not None}
    out.tripletex.update(await side.fetch(wanted))
    if entity == "customer":
        out.tripletex_cursor = CustomerCursor(started, 0, scan.active, scan.numbers).text()
    await _confirm_deletions(ctx, entity, side, scan, out)


async def _confirm_deletions(
    ctx: PassContext, entity: str, side: TripletexSide, scan: Scan, out: Detected
) -> None:
    """Linked records absent from a complete scan, confirmed deleted one by one (404)."""
    confirm: list[int] = []
    # In chunks, links and snapshots alike: every linked order older than the scan window is
    # "missing" in every pass (most of them, in a shop with years of orders).
    missing = (link for link in ctx.store.links(entity) if link.tripletex_id not in scan)
    while chunk := list(itertools.islice(missing, CHUNK)):
        snapshots = ctx.store.snapshots_many(entity, [m.webshop_id for m in chunk])
        for link in chunk:
            values = snapshots[link.webshop_id].values if link.webshop_id in snapshots else {}
            if values.get("deleted"):
                continue  # handled in an earlier pass
            # Orders: the scan only covers the order-date window; older orders are outside it, not gone.
            order_date = (values.get("tripletex") or {}).get("order_date")
            if entity == "order" and not side.in_window(order_date):
                continue
            confirm.append(link.tripletex_id)
    if _breaker(ctx, entity, len(confirm), "Tripletex"):
        return
    for tripletex_id in confirm:
        found = await side.get(tripletex_id)
        if found is None:
            out.tripletex_deleted.add(tripletex_id)
        else:
            out.tripletex[tripletex_id] = found


async def fetch_work(
    ctx: PassContext,
    entity: str,
    side: TripletexSide,
    out: Detected,
    *,
    seen_webshop: set[str] | frozenset[str] = frozenset(),
    seen_tripletex: set[int] | frozenset[int] = frozenset(),
) -> None:
    """Read the records of ``out.work`` into ``out`` (404: deleted), except those ``out`` already holds
    or the pass has already read (``seen_*``)."""
    shop_ids = [w.record_id for w in out.work if w.side == "webshop"]
    shop_ids = [
        i for i in shop_ids if i not in out.webshop and i not in out.webshop_deleted and i not in seen_webshop
    ]
    found, gone = await fetch_webshop(ctx, entity, shop_ids)
    out.webshop.update(found)
    out.webshop_deleted |= gone
    tx_ids = [int(w.record_id) for w in out.work if w.side == "tripletex"]
    tx_ids = [
        i
        for i in tx_ids
        if i not in out.tripletex and i not in out.tripletex_deleted and i not in seen_tripletex
    ]
    fetched = await side.fetch(tx_ids)
    out.tripletex.update(fetched)
    out.tripletex_deleted |= {i for i in tx_ids if i not in fetched}


async def detect_tripletex(ctx: PassContext, entity: str, side: TripletexSide) -> Detected:
    """The Tripletex side of a pass (scan or ``changedSince``, the changed records fetched, confirmed
    deletions) and the due queued work (not read yet: ``fetch_work``)."""
    out = Detected()
    await _read_tripletex(ctx, entity, side, out)
    out.work = ctx.store.due_work(limit=100_000, entity=entity)
    return out


async def detect_targets(
    ctx: PassContext, entity: str, side: TripletexSide, targets: Mapping[str, Iterable[str | int]]
) -> Detected:
    """The given records of each side (``sync_records``, queued work, replays): read now, 404 meaning
    deleted; no feed, no scan, no cursors."""
    out = Detected()
    shop_ids = [str(i) for i in targets.get("webshop", ())]
    if shop_ids:
        out.webshop, out.webshop_deleted = await fetch_webshop(ctx, entity, shop_ids)
    wanted = [int(i) for i in targets.get("tripletex", ())]
    if wanted:
        out.tripletex = await side.fetch(wanted)
        out.tripletex_deleted = {i for i in wanted if i not in out.tripletex}
    return out
