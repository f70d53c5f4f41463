"""What every stage of a pass shares: the options, the two systems, the store, the mapping, the summary.

``EngineOptions`` is the engine's view of ``ShopsyncConfig`` (with defaults for knobs the config file
does not expose); ``PassContext`` bundles one pass's collaborators so stage functions take one argument.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog

from shopsync.config import DEFAULT_ENTITIES, ENTITIES, ShopsyncConfig
from shopsync.connectors.base import Connector, Resource
from shopsync.mapping import Mapping as FieldMapping
from shopsync.mapping.settings import ConflictPolicy, DeletePolicy
from shopsync.state import StateStore
from shopsync.tripletex import TripletexClient

from .references import References
from .summary import Counts, PassSummary

__all__ = ["RESOURCES", "EngineOptions", "PassContext", "Target"]

Target = Literal["webshop", "tripletex"]
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
    #: Ids per Tripletex ``id=`` / ``ids=`` list query.
    id_chunk: int = 200
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

    def count(self, entity: str, side: str) -> Counts:
        """The summary counts to bump for ``entity`` on ``side``."""
        return self.summary.of(entity, side)
