"""``process_queue``: sync the due queued work — what webhooks enqueue, and records waiting to be retried.

The daemon calls it right after a webhook is enqueued, so it reads only the queued records themselves
(no change feed, no Tripletex scan): up to ``limit`` due items are grouped by entity (in dependency
order: customers, products, orders) and side, and synced through the targeted pass of
``sync_records``. Each item is completed at the end only if it was not enqueued again meanwhile (the
store checks its generation), so a webhook arriving during the pass is never lost.

A record the pass had to queue again (its customer is not linked yet, a write kept meeting newer
versions, the mass-delete breaker) is deferred with a growing back-off instead of being due at once,
so a daemon calling ``process_queue`` in a loop does not spin on it; a new webhook for the record makes
it due again immediately (``enqueue`` keeps the earlier time). Items of entities this engine does not
sync are left in the queue untouched; an item naming a Tripletex record by something other than a
whole number cannot be read, so it is dead-lettered with that reason and completed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import structlog

from shopsync.state import WorkItem

from .context import PassScope, Targets
from .summary import PassSummary

if TYPE_CHECKING:
    from .engine import SyncEngine

__all__ = ["BACKOFF_FIRST", "BACKOFF_MAX", "backoff", "is_tripletex_id", "process_queue"]

log = structlog.get_logger("shopsync.engine")

#: The first wait of a record queued again by ``process_queue``; it doubles per attempt up to the max.
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(minutes=30)


def is_tripletex_id(value: str | int) -> bool:
    """Whether ``value`` can be a Tripletex id (a positive whole number)."""
    text = str(value).strip()
    return text.isdigit() and int(text) > 0


def backoff(attempts: int) -> dt.timedelta:
    """How long a record waits after its ``attempts``-th retry by ``process_queue``."""
    wait: dt.timedelta = BACKOFF_FIRST * (2 ** min(attempts, 16))
    return min(wait, BACKOFF_MAX)


def _group(engine: SyncEngine, items: list[WorkItem]) -> tuple[Targets, dict[str, list[WorkItem]]]:
    targets: Targets = {}
    work: dict[str, list[WorkItem]] = {}
    for item in items:
        ids = targets.setdefault(item.entity, {}).setdefault(item.side, [])
        ids.append(item.record_id if item.side == "webshop" else int(item.record_id))
        work.setdefault(item.entity, []).append(item)
    ordered = [e for e in engine.options.entities if e in targets]
    return {e: targets[e] for e in ordered}, {e: work[e] for e in ordered}


def _reject(engine: SyncEngine, item: WorkItem) -> None:
    reason = f"queued for Tripletex {item.entity} {item.record_id!r}, which is not a Tripletex id"
    with engine.store.transaction() as conn:
        engine.store.dead_letter(item.entity, item.side, item.record_id, reason, conn=conn)
        engine.store.complete_work(item, conn=conn)
    log.warning("engine.bad_work_item", entity=item.entity, side=item.side, id=item.record_id)


async def process_queue(engine: SyncEngine, limit: int = 500) -> PassSummary | None:
    """Sync up to ``limit`` due queued items; None when nothing is due (see the module docstring)."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    store = engine.store
    due = [i for i in store.due_work(limit) if i.entity in engine.options.entities]
    items: list[WorkItem] = []
    for item in due:
        if item.side == "tripletex" and not is_tripletex_id(item.record_id):
            _reject(engine, item)
        else:
            items.append(item)
    if not items:
        return None
    targets, work = _group(engine, items)
    summary, ctx = await engine._execute(PassScope(targets=targets, work=work))
    now = engine.clock()
    for entity, side, record_id in sorted(ctx.waiting):
        queued = store.work_item(entity, side, record_id)
        if queued is not None and queued.not_before <= now:
            store.defer_work(queued, queued.reason, now + backoff(queued.attempts))
    return summary
