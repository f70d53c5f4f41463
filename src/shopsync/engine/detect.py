"""What changed on each side since the last pass, read as cheaply as Tripletex's rate limit wants.

* Webshop: the change feed from the stored cursor (changed records and tombstones; items the
  connector could not translate are dead-lettered); plus records queued as pending work. Shops
  without tombstones are reconciled with ``all_ids()`` (complete, or an exception: never partial).
* Tripletex: a ``fields=id,version`` scan compared with the versions seen before (customers: every
  ``customer_scan_every`` passes, ``changedSince`` in between); then only the changed records are
  fetched, and of the unlinked ones only those the creation direction can use. A linked record
  missing from a *complete* scan is deleted only when a GET confirms it (404); absence alone never is
  (and when more than the mass-delete share is missing at once, none is even confirmed: breaker).

Nothing here writes anything but dead letters: cursors are stored by the entity pass after the
records they cover (``Detected.webshop_cursor``, ``Detected.tripletex_cursor``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from shopsync.connectors.base import NotFound, Record
from shopsync.state import WorkItem

from .context import RESOURCES, PassContext
from .outcome import Outcome
from .tripletex_side import TripletexSide, TxRecord

__all__ = ["Detected", "detect", "detect_ids", "fetch_webshop"]


@dataclass
class Detected:
    """The dirty records of one entity, both sides."""

    webshop: dict[str, Record] = field(default_factory=dict)
    webshop_deleted: set[str] = field(default_factory=set)
    tripletex: dict[int, TxRecord] = field(default_factory=dict)
    tripletex_deleted: set[int] = field(default_factory=set)
    #: Versions observed by a scan (every record in it, changed or not).
    versions: dict[int, int] = field(default_factory=dict)
    #: Changed unlinked records not fetched (nothing would use them): remembered as seen.
    ignored: dict[int, int] = field(default_factory=dict)
    #: The complete scan, when one ran (for matching without searches).
    scan: dict[int, TxRecord] | None = None
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

    await asyncio.gather(*(one(i) for i in dict.fromkeys(ids)))
    return found, gone


async def _read_feed(ctx: PassContext, entity: str, outcome: Outcome, out: Detected) -> None:
    resource = RESOURCES[entity]
    cursor = ctx.store.cursor("webshop", entity)
    async for page in ctx.webshop.changes(resource, cursor):
        for record in page.items:
            assert record.id is not None
            out.webshop[record.id] = record  # a later page has the later state
            out.webshop_deleted.discard(record.id)
        for tomb in page.tombstones:
            out.webshop.pop(tomb.id, None)
            out.webshop_deleted.add(tomb.id)
        for rejected in page.rejected:
            if rejected.id is not None:
                outcome.dead_letter("webshop", rejected.id, ValueError(rejected.error))
        out.webshop_cursor = page.cursor
    if not ctx.webshop.capabilities(resource).tombstones:
        # No tombstones: a linked record missing from the complete id list was deleted.
        live = await ctx.webshop.all_ids(resource)
        linked = {link.webshop_id for link in ctx.store.links(entity)}
        out.webshop_deleted |= linked - live


def _customer_cursor(ctx: PassContext) -> tuple[dt.datetime | None, int]:
    raw = ctx.store.cursor("tripletex", "customer")
    if not raw:
        return None, 0
    data = json.loads(raw)
    return dt.datetime.fromisoformat(data["since"]), int(data.get("passes_without_scan", 0))


async def _read_tripletex(ctx: PassContext, entity: str, side: TripletexSide, out: Detected) -> None:
    store = ctx.store
    started = ctx.clock()
    changed: dict[int, TxRecord] = {}
    since, skipped = _customer_cursor(ctx) if entity == "customer" else (None, 0)
    if entity == "customer" and since is not None and skipped + 1 < ctx.options.customer_scan_every:
        # Between full scans: changedSince (an optimisation; the scan stays the safety net).
        changed = await side.changed_since(since - ctx.options.changed_since_overlap)
        seen = store.seen_versions(entity, changed.keys())
        changed = {i: r for i, r in changed.items() if seen.get(i) != r.version}
        out.tripletex.update(changed)
        out.tripletex_cursor = json.dumps({"since": started.isoformat(), "passes_without_scan": skipped + 1})
        return
    scan = await side.scan()
    out.scan = scan
    out.versions = {i: r.version for i, r in scan.items() if r.version is not None}
    seen = store.seen_versions(entity)
    dirty = [i for i, v in out.versions.items() if seen.get(i) != v]
    linked = store.webshop_ids_for(entity, dirty)
    wanted = [i for i in dirty if i in linked or ctx.options.creates_on(entity, "webshop")]
    out.ignored = {i: out.versions[i] for i in dirty if i not in set(wanted)}
    out.tripletex.update(await side.fetch(wanted))
    if entity == "customer":
        out.tripletex_cursor = json.dumps({"since": started.isoformat(), "passes_without_scan": 0})
    await _confirm_deletions(ctx, entity, side, scan, out)


async def _confirm_deletions(
    ctx: PassContext, entity: str, side: TripletexSide, scan: dict[int, TxRecord], out: Detected
) -> None:
    """Linked records absent from a complete scan, confirmed deleted one by one (404)."""
    missing = [link for link in ctx.store.links(entity) if link.tripletex_id not in scan]
    if not missing:
        return
    snapshots = ctx.store.snapshots_many(entity, [m.webshop_id for m in missing])
    confirm = []
    for link in missing:
        values = snapshots[link.webshop_id].values if link.webshop_id in snapshots else {}
        if values.get("deleted"):
            continue  # handled in an earlier pass
        # Orders: the scan only covers the order-date window; older orders are outside it, not gone.
        if entity == "order" and not side.in_window((values.get("tripletex") or {}).get("order_date")):
            continue
        confirm.append(link.tripletex_id)
    options = ctx.options
    if (
        options.delete_policy == "deactivate"
        and not ctx.allow_mass_delete
        and len(confirm) > 1
        and len(confirm) > options.mass_delete_share * ctx.store.count_links(entity)
    ):
        # Far too many at once (a wiped or swapped account?): do not even confirm them one by one.
        reason = (
            f"{len(confirm)} linked {entity} records are missing from Tripletex "
            f"(more than {options.mass_delete_share:.0%}); nothing was deactivated"
        )
        ctx.summary.breaker[entity] = reason
        ctx.log.warning("engine.mass_delete_breaker", entity=entity, reason=reason)
        return
    for tripletex_id in confirm:
        found = await side.get(tripletex_id)
        if found is None:
            out.tripletex_deleted.add(tripletex_id)
        else:
            out.tripletex[tripletex_id] = found


async def _read_work(ctx: PassContext, entity: str, side: TripletexSide, out: Detected) -> None:
    out.work = ctx.store.due_work(limit=100_000, entity=entity)
    shop_ids = [w.record_id for w in out.work if w.side == "webshop" and w.record_id not in out.webshop]
    shop_ids = [i for i in shop_ids if i not in out.webshop_deleted]
    found, gone = await fetch_webshop(ctx, entity, shop_ids)
    out.webshop.update(found)
    out.webshop_deleted |= gone
    tx_ids = [int(w.record_id) for w in out.work if w.side == "tripletex"]
    tx_ids = [i for i in tx_ids if i not in out.tripletex and i not in out.tripletex_deleted]
    fetched = await side.fetch(tx_ids)
    out.tripletex.update(fetched)
    out.tripletex_deleted |= {i for i in tx_ids if i not in fetched}


async def detect(ctx: PassContext, entity: str, side: TripletexSide, outcome: Outcome) -> Detected:
    """Everything that changed for ``entity`` since the last pass, plus the queued work."""
    out = Detected()
    await _read_feed(ctx, entity, outcome, out)
    await _read_tripletex(ctx, entity, side, out)
    await _read_work(ctx, entity, side, out)
    return out


async def detect_ids(
    ctx: PassContext, entity: str, side: TripletexSide, target: str, ids: Iterable[str | int]
) -> Detected:
    """The given records of one side (``sync_records``): read now, 404 meaning deleted; no cursors."""
    out = Detected()
    if target == "webshop":
        out.webshop, out.webshop_deleted = await fetch_webshop(ctx, entity, [str(i) for i in ids])
    else:
        wanted = [int(i) for i in ids]
        out.tripletex = await side.fetch(wanted)
        out.tripletex_deleted = {i for i in wanted if i not in out.tripletex}
    return out
