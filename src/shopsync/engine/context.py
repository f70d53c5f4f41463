"""What every stage of a pass shares: the options, the two systems, the store, the mapping, the summary.

``EngineOptions`` is the engine's view of ``ShopsyncConfig`` (with defaults for knobs the config file
does not expose); ``PassContext`` bundles one pass's collaborators so stage functions take one argument.

A stop requested while a pass runs (``SyncEngine.request_stop``) is noticed only where a stage calls
``PassContext.checkpoint()`` — between records and write batches, never between a write and the
transaction that records it — which raises ``PassStopped`` for the entity pass to commit what it
finished; tasks running side by side check ``PassContext.stopping`` and skip what they have not begun.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog

from shopsync.config import DEFAULT_ENTITIES, ENTITIES, ShopsyncConfig
from shopsync.connectors.base import Connector, Resource
from shopsync.mapping import Mapping as FieldMapping
from shopsync.mapping.settings import ConflictPolicy, DeletePolicy
from shopsync.state import PassKind, StateStore, WorkItem
from shopsync.tripletex import TripletexClient

from .progress import PassProgress, ProgressCallback
from .references import References
from .summary import Counts, PassSummary

__all__ = [
    "RESOURCES",
    "EngineOptions",
    "PassContext",
    "PassScope",
    "PassStopped",
    "Target",
    "Targets",
]

Target = Literal["webshop", "tripletex"]
#: Records to sync: entity → side → record ids.
Targets = dict[str, dict[str, list[str | int]]]
#: The webshop resource (and Tripletex client attribute) of each entity.
RESOURCES: dict[str, Resource] = {"customer": "customers", "product": "products", "order": "orders"}


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class EngineOptions:
    """How the engine syncs (everything a pass needs from the config, plus internal knobs)."""

    entities: tuple[str, ...] = ENTITIES
    #: Creation direction per entity: both | to_tripletex | to_webshop | none.
    creates: Mapping[str, str] = field(
        default_factory=lambda: {name: e.create for name, e in DEFAULT_ENTITIES.items()}
    )
    conflict_policy: ConflictPolicy = "newest_wins"
    delete_policy: DeletePolicy = "deactivate"
    order_window_days: int = 400
    mass_delete_share: float = 0.10
    batch_size: int = 100
    #: A full ``fields=id,version`` scan of Tripletex customers every this many passes (changedSince else).
    customer_scan_every: int = 1
    #: How far back ``changedSince`` reaches before the last scan's start (clock skew, slow commits).
    changed_since_overlap: dt.timedelta = dt.timedelta(minutes=10)
    #: Attempts of one update that keeps meeting 409/412 (each re-reads and re-merges first).
    write_attempts: int = 3
    #: Ids per Tripletex ``id=`` / ``ids=`` list query (the client's ``id_block_size``: URL length).
    id_chunk: int = 500
    #: Webshop feed records (whole pages) a pass reads, syncs and commits at a time, so its memory
    #: does not grow with the shop (see ``entity``).
    feed_window: int = 2000
    #: Concurrent single-record calls (webshop reads and writes, Tripletex order writes).
    concurrency: int = 8

    @classmethod
    def from_config(cls, config: ShopsyncConfig, **overrides: Any) -> EngineOptions:
        """The options a config file asks for."""
        values: dict[str, Any] = {
            "creates": {name: e.create for name, e in config.entities.items()},
            "conflict_policy": config.conflict_policy,
            "delete_policy": config.delete_policy,
            "order_window_days": config.order_window_days,
            "mass_delete_share": config.mass_delete_share,
            "batch_size": config.batch_size,
            "customer_scan_every": config.customer_scan_every,
        }
        return cls(**(values | overrides))

    def creates_on(self, entity: str, target: Target) -> bool:
        """Whether new ``entity`` records are created on ``target`` from the other side."""
        direction = self.creates.get(entity, "none")
        return direction == "both" or direction == f"to_{target}"


@dataclass
class PassScope:
    """What one pass covers and how.

    ``targets`` None: everything (the change feed, the Tripletex scans and the due queued work);
    otherwise only these records (read now; no feed, no scan, cursors untouched), completing ``work``
    (the queued items they stand for) at the end. ``full`` reads every record of both sides instead of
    what changed since the cursors (the periodic reconcile).
    """

    targets: Targets | None = None
    work: dict[str, list[WorkItem]] = field(default_factory=dict)
    kind: PassKind = PassKind.SYNC
    full: bool = False
    allow_mass_delete: bool = False
    #: Called with each ``ProgressEvent`` of the pass.
    progress: ProgressCallback | None = None


class PassStopped(Exception):
    """A stop was requested: the entity pass commits what it finished and the pass ends early."""


@dataclass
class PassContext:
    """One pass's collaborators and running summary."""

    options: EngineOptions
    store: StateStore
    tripletex: TripletexClient
    webshop: Connector
    mapping: FieldMapping
    refs: References
    summary: PassSummary
    allow_mass_delete: bool = False
    clock: Callable[[], dt.datetime] = _utc_now
    log: Any = field(default_factory=lambda: structlog.get_logger("shopsync.engine"))
    #: Read every record of both sides (a full reconcile), not only what changed since the cursors.
    full: bool = False
    #: Records queued again in this pass to wait for something: (entity, side, record id).
    waiting: set[tuple[str, str, str]] = field(default_factory=set)
    #: Targeted records that no longer exist (404): (entity, side, record id).
    gone: set[tuple[str, str, str]] = field(default_factory=set)
    #: Set when the pass should end at its next safe point (``SyncEngine.request_stop``).
    stop: threading.Event | None = None
    #: Records settled so far, per entity (reported to the pass's progress callback).
    progress: PassProgress = field(default_factory=PassProgress)

    @property
    def stopping(self) -> bool:
        """A stop was requested: start nothing new."""
        return self.stop is not None and self.stop.is_set()

    def checkpoint(self) -> None:
        """Raise ``PassStopped`` if a stop was requested; call it only where nothing is half written."""
        if self.stopping:
            raise PassStopped()

    def count(self, entity: str, side: str) -> Counts:
        """The summary counts to bump for ``entity`` on ``side``."""
        return self.summary.of(entity, side)
