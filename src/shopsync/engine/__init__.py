"""The two-way sync engine: links, 3-way merge, crash-safe writes, cheap change detection.

Quick start::

    from shopsync.engine import build_engine

    async with build_engine(config) as engine:          # config: shopsync.config.ShopsyncConfig
        summary = await engine.run_pass()               # one complete two-way pass
        print(summary.table(), summary.exit_code)       # 0 in sync, 1 something needs attention
        await engine.sync_records("customer", "webshop", ["17"])   # targeted (webhooks, replays)

A pass runs, per entity in dependency order (customer, product, order), the stages of one module
each: ``recover`` (journalled creates whose answer was lost), ``detect`` (webshop change feed;
Tripletex version scans / ``changedSince``), ``deletes`` (policy + mass-delete breaker), ``match``
(initial matching, review of ambiguous matches), ``creates`` (journalled, batched creates),
``pairs`` (linked pairs: ``merge`` — the 3-way merge per row key against each side's own ``base`` —
then ``writes``/``lines`` for bodies and order lines updated in place, ``pair_save`` for the
write-ahead marks and the new base), then a commit of cursors and seen versions (``entity``).
``tripletex_side`` shapes Tripletex reads, ``references`` fills the mapping's resolver, ``outcome``
records dead letters, waits, reviews, conflicts and events, ``summary`` is the ``PassSummary``.
"""

from .context import EngineOptions
from .engine import SyncEngine
from .errors import EngineError, SyncStepFailed
from .factory import build_engine
from .summary import Counts, PassSummary

__all__ = [
    "Counts",
    "EngineError",
    "EngineOptions",
    "PassSummary",
    "SyncEngine",
    "SyncStepFailed",
    "build_engine",
]
