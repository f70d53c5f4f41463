"""The two-way sync engine: links, 3-way merge, crash-safe writes, cheap change detection.

Quick start::

    from shopsync.engine import build_engine

    async with build_engine(config) as engine:          # config: shopsync.config.ShopsyncConfig
        summary = await engine.run_pass()               # one complete two-way pass
        print(summary.table(), summary.exit_code)       # 0 in sync, 1 something needs attention
        await engine.sync_records("customer", "webshop", ["17"])   # targeted (webhooks, replays)
        await engine.process_queue()                    # the queued work only (the daemon, per webhook)
        await engine.run_pass(full=True)                # the periodic full reconcile
        print(await engine.plan())                      # a dry run: what the next pass would do
        await engine.run_pass(progress=print)           # ProgressEvent(entity, stage, done, total)
        await engine.resolve_conflict(12, "tripletex")  # a person's decisions, applied at once
        await engine.resolve_review(3, "link", 4711)
        await engine.replay()                           # dead letters synced again
        engine.request_stop()     # the running pass (and later ones, until clear_stop) ends at a safe point

A pass runs, per entity in dependency order (customer, product, order), the stages of one module
each: ``recover`` (journalled creates whose answer was lost), ``detect`` (webshop change feed;
Tripletex version scans / ``changedSince``; the whole of both for a full reconcile; only the given
records for a targeted pass), ``deletes`` (policy + mass-delete breaker), ``match`` (initial matching,
review of ambiguous matches), ``creates`` (journalled, batched creates; ``names`` for names Tripletex
already has), ``pairs`` (linked pairs: ``merge`` — the 3-way merge per row key against each side's own
``base``, its conflicts decided key by key by ``conflicts`` — then ``writes``/``lines`` for bodies and
order lines updated in place, ``pair_save`` for the write-ahead marks and the new base), then a commit
of cursors and seen versions (``entity``). The webshop feed is read, synced and committed in windows
of ``EngineOptions.feed_window`` records, so a pass's memory does not grow with the shop (``entity``).
``tripletex_side`` shapes Tripletex reads, ``references`` fills the mapping's resolver, ``outcome``
records dead letters, waits, reviews, conflicts and events, ``summary`` is the ``PassSummary``,
``progress`` reports ``ProgressEvent``s. Around the passes:
``work`` (``process_queue``), ``decisions`` (``resolve_conflict``, ``resolve_review``, ``replay``) and
``dry_run`` (``plan``). ``request_stop`` ends a pass early at a safe point (``engine``, ``context``).
"""

from .context import EngineOptions
from .engine import SyncEngine
from .errors import AlreadySettled, EngineError, InvalidDecision, SyncStepFailed, UnknownItem
from .factory import build_engine
from .progress import ProgressCallback, ProgressEvent
from .summary import Counts, PassSummary

__all__ = [
    "AlreadySettled",
    "Counts",
    "EngineError",
    "EngineOptions",
    "InvalidDecision",
    "PassSummary",
    "ProgressCallback",
    "ProgressEvent",
    "SyncEngine",
    "SyncStepFailed",
    "UnknownItem",
    "build_engine",
]
