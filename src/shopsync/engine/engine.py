"""``SyncEngine``: one complete two-way pass over customers, products and orders (incremental, or the
full reconcile), a targeted sync (given records, the queued work), a dry run, and a person's decisions.

The entities run in dependency order (customers, then products, then orders: an order's customer
and products are linked before it is written). A pass is recorded in the state store (``start_pass``
/ ``finish_pass`` with the summary). Per-record problems never stop a pass; a system that stays
unreachable after the clients' retries does, with ``SyncStepFailed`` naming the step and entity and
the cause chained — every write made before it is already safely recorded.

``request_stop()`` (the daemon calls it on SIGTERM) ends the running pass at its next safe point:
between records and write batches, never between a write and the transaction recording it. The
entity in progress stores what it finished (no cursor moves, its queued work stays queued, so the
next pass reads the rest again), later entities are skipped, and the pass is recorded as
``interrupted`` (``PassSummary.interrupted``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Sequence

import structlog

from shopsync.config import ShopsyncConfig
from shopsync.connectors.base import Connector
from shopsync.mapping import Mapping as FieldMapping
from shopsync.mapping import load_mapping
from shopsync.state import FieldConflict, PassKind, PassStatus, ReviewItem, StateStore
from shopsync.tripletex import TripletexClient

from . import decisions, dry_run, work
from .context import EngineOptions, PassContext, PassScope, PassStopped
from .entity import EntityPass
from .errors import SyncStepFailed
from .progress import PassProgress, ProgressCallback
from .references import References
from .summary import PassSummary
from .work import is_tripletex_id

__all__ = ["SyncEngine"]

log = structlog.get_logger("shopsync.engine")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SyncEngine:
    """Keeps a webshop and a Tripletex account in sync; the CLI and the daemon drive it.

    ``config`` supplies the policies and knobs (``options`` may replace them, e.g. in tests); the
    collaborators are injected and owned by the caller (see ``factory.build_engine``).
    """

    def __init__(
        self,
        config: ShopsyncConfig | None = None,
        *,
        store: StateStore,
        tripletex: TripletexClient,
        webshop: Connector,
        mapping: FieldMapping | None = None,
        options: EngineOptions | None = None,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.config = config
        self.options = options or (EngineOptions.from_config(config) if config else EngineOptions())
        self.store = store
        self.tripletex = tripletex
        self.webshop = webshop
        self.mapping = mapping or load_mapping(config.mapping if config else None)
        self.clock = clock
        self._stop = threading.Event()

    def __repr__(self) -> str:
        return f"SyncEngine(tenant={self.store.tenant!r}, entities={self.options.entities!r})"

    def request_stop(self) -> None:
        """End the running pass, and any started later, at the next safe point (see the module
        docstring); the call in progress then returns its summary with ``interrupted`` set. Safe to
        call from a signal handler or another thread; ``clear_stop`` undoes it."""
        self._stop.set()

    def clear_stop(self) -> None:
        """Let passes run to their end again after ``request_stop``."""
        self._stop.clear()

    @property
    def stop_requested(self) -> bool:
        """Whether ``request_stop`` was called (and not cleared since)."""
        return self._stop.is_set()

    async def run_pass(
        self,
        *,
        allow_mass_delete: bool = False,
        full: bool = False,
        progress: ProgressCallback | None = None,
    ) -> PassSummary:
        """One complete two-way pass; ``allow_mass_delete`` lets deletes past the breaker go through.

        ``full`` is the periodic reconcile: every webshop record is read from the start of the feed
        and every Tripletex id and version is scanned (no cursor, no ``changedSince``) and compared with
        the snapshots, so a missed webhook or a lost cursor is repaired; a linked record missing from
        such a complete read counts as deleted (confirmed one by one, within the mass-delete breaker).
        ``progress`` is called with a ``ProgressEvent`` whenever an entity's stage or count of
        settled records changes (see ``engine.progress``).
        """
        scope = PassScope(
            kind=PassKind.RECONCILE if full else PassKind.SYNC,
            full=full,
            allow_mass_delete=allow_mass_delete,
            progress=progress,
        )
        return (await self._execute(scope))[0]

    async def sync_records(
        self, entity: str, side: str, ids: Iterable[str | int], *, allow_mass_delete: bool = False
    ) -> PassSummary:
        """Sync only these records of one side (webhook deliveries, replays): the same code path."""
        if entity not in self.options.entities:
            raise ValueError(f"unknown entity {entity!r}; expected one of {', '.join(self.options.entities)}")
        if side not in ("webshop", "tripletex"):
            raise ValueError(f"side must be 'webshop' or 'tripletex', not {side!r}")
        wanted = list(ids)
        if side == "tripletex":
            bad = [i for i in wanted if not is_tripletex_id(i)]
            if bad:
                raise ValueError(f"Tripletex ids are whole numbers, not {', '.join(map(repr, bad))}")
        scope = PassScope(targets={entity: {side: wanted}}, allow_mass_delete=allow_mass_delete)
        return (await self._execute(scope))[0]

    async def plan(self) -> PassSummary:
        """What the next pass would create, update, link, deactivate, dead-letter or queue on each side,
        per entity, with the record ids (``PassSummary.planned``) — a dry run: both systems are read,
        nothing is written to them or to the state store. See ``dry_run``."""
        return await dry_run.plan(self)

    async def process_queue(self, limit: int = 500) -> PassSummary | None:
        """Sync the due queued work (webhooks enqueue there; records waiting for a dependency too):
        up to ``limit`` items, entity by entity in dependency order, through ``sync_records``' code path —
        no feed read, no scan. None when nothing is due. See ``work``."""
        return await work.process_queue(self, limit)

    async def resolve_conflict(self, conflict_id: int, winner: str, *, apply: bool = True) -> FieldConflict:
        """Decide an open conflict for ``winner`` (``webshop``/``tripletex``) and queue the record; with
        ``apply`` sync it now, so the winner's value is written to the other side. See ``decisions``."""
        return await decisions.resolve_conflict(self, conflict_id, winner, apply=apply)

    async def resolve_review(
        self, review_id: int, action: str, candidate: str | int | None = None, *, apply: bool = True
    ) -> ReviewItem:
        """Decide a matching review: ``link`` to one of its candidates, ``create`` a new counterpart, or
        ``dismiss`` (leave the record alone). See ``decisions``."""
        return await decisions.resolve_review(self, review_id, action, candidate, apply=apply)

    async def replay(self, dead_letter_ids: Sequence[int] | None = None) -> PassSummary:
        """Sync the records of these open dead letters again (all open ones when None): one that syncs
        now is closed as replayed, one that fails again stays open with the new reason. See ``decisions``."""
        return await decisions.replay(self, dead_letter_ids)

    async def _execute(
        self,
        scope: PassScope,
        *,
        store: StateStore | None = None,
        tripletex: TripletexClient | None = None,
        webshop: Connector | None = None,
    ) -> tuple[PassSummary, PassContext]:
        """Run one pass over ``scope``; its summary and context (``SyncStepFailed`` if it stopped).

        ``store``, ``tripletex`` and ``webshop`` replace the engine's own for this pass (the dry run's
        scratch state and write-less stand-ins)."""
        store = store or self.store
        tripletex = tripletex or self.tripletex
        webshop = webshop or self.webshop
        targets = scope.targets
        entities = (
            self.options.entities
            if targets is None
            else tuple(e for e in self.options.entities if e in targets)
        )
        summary = PassSummary(entities=entities, started_at=self.clock())
        summary.pass_id = store.start_pass(scope.kind)
        entity, step = "(setup)", "shop settings"
        ctx: PassContext | None = None
        try:
            shop = await webshop.shop_settings()
            ctx = PassContext(
                options=self.options,
                store=store,
                tripletex=tripletex,
                webshop=webshop,
                mapping=self.mapping,
                refs=References(tripletex, store, shop),
                summary=summary,
                allow_mass_delete=scope.allow_mass_delete,
                clock=self.clock,
                full=scope.full,
                stop=self._stop,
                progress=PassProgress(scope.progress),
            )
            try:
                for entity in entities:
                    ctx.checkpoint()
                    stage = EntityPass(ctx, entity)
                    try:
                        if targets is None:
                            await stage.run()
                        else:
                            await stage.run_targets(targets[entity], scope.work.get(entity, []))
                    finally:
                        step = stage.step
            except PassStopped:
                summary.interrupted = True
                log.info("engine.pass_stopped", entity=entity, step=step)
            entity, step = "(all)", "status"
            summary.note_attention(store.status_summary(links_counted=False))
        except Exception as exc:
            summary.error = f"{step} failed for {entity}: {type(exc).__name__}: {exc}"
            summary.finished_at = self.clock()
            self._finish(store, summary, PassStatus.FAILED)
            log.error("engine.pass_failed", step=step, entity=entity, error=type(exc).__name__)
            raise SyncStepFailed(step, entity) from exc
        summary.finished_at = self.clock()
        if summary.interrupted:
            status = PassStatus.INTERRUPTED
        else:
            status = PassStatus.SUCCEEDED if summary.in_sync else PassStatus.PARTIAL
        self._finish(store, summary, status)
        assert ctx is not None
        log.info(
            "engine.pass_finished",
            kind=str(scope.kind),
            in_sync=summary.in_sync,
            interrupted=summary.interrupted,
            tripletex_writes=summary.total("tripletex").writes,
            webshop_writes=summary.total("webshop").writes,
        )
        return summary, ctx

    def _finish(self, store: StateStore, summary: PassSummary, status: PassStatus) -> None:
        assert summary.pass_id is not None
        try:
            store.finish_pass(summary.pass_id, status, summary.to_dict())
        except Exception:  # the store itself may be what failed; the pass error matters more
            log.exception("engine.finish_pass_failed", pass_id=summary.pass_id)
