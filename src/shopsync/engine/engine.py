"""``SyncEngine``: one complete two-way pass over customers, products and orders, or a targeted sync.

The entities run in dependency order (customers, then products, then orders: an order's customer
and products are linked before it is written). A pass is recorded in the state store (``start_pass``
/ ``finish_pass`` with the summary). Per-record problems never stop a pass; a system that stays
unreachable after the clients' retries does, with ``SyncStepFailed`` naming the step and entity and
the cause chained — every write made before it is already safely recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import structlog

from shopsync.config import ShopsyncConfig
from shopsync.connectors.base import Connector
from shopsync.mapping import Mapping as FieldMapping
from shopsync.mapping import load_mapping
from shopsync.state import PassKind, PassStatus, StateStore
from shopsync.tripletex import TripletexClient

from .context import EngineOptions, PassContext
from .entity import EntityPass
from .errors import SyncStepFailed
from .references import References
from .summary import PassSummary

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

    def __repr__(self) -> str:
        return f"SyncEngine(tenant={self.store.tenant!r}, entities={self.options.entities!r})"

    async def run_pass(self, *, allow_mass_delete: bool = False) -> PassSummary:
        """One complete two-way pass; ``allow_mass_delete`` lets deletes past the breaker go through."""
        return await self._run(None, allow_mass_delete=allow_mass_delete)

    async def sync_records(
        self, entity: str, side: str, ids: Iterable[str | int], *, allow_mass_delete: bool = False
    ) -> PassSummary:
        """Sync only these records of one side (webhook deliveries, replays): the same code path."""
        if entity not in self.options.entities:
            raise ValueError(f"unknown entity {entity!r}; expected one of {', '.join(self.options.entities)}")
        if side not in ("webshop", "tripletex"):
            raise ValueError(f"side must be 'webshop' or 'tripletex', not {side!r}")
        return await self._run((entity, side, list(ids)), allow_mass_delete=allow_mass_delete)

    async def _run(
        self, target: tuple[str, str, list[str | int]] | None, *, allow_mass_delete: bool
    ) -> PassSummary:
        entities = self.options.entities if target is None else (target[0],)
        summary = PassSummary(entities=entities, started_at=self.clock())
        summary.pass_id = self.store.start_pass(PassKind.SYNC)
        entity, step = "(setup)", "shop settings"
        try:
            shop = await self.webshop.shop_settings()
            ctx = PassContext(
                options=self.options,
                store=self.store,
                tripletex=self.tripletex,
                webshop=self.webshop,
                mapping=self.mapping,
                refs=References(self.tripletex, self.store, shop),
                summary=summary,
                allow_mass_delete=allow_mass_delete,
                clock=self.clock,
            )
            for entity in entities:
                stage = EntityPass(ctx, entity)
                try:
                    if target is None:
                        await stage.run()
                    else:
                        await stage.run_ids(target[1], target[2])
                finally:
                    step = stage.step
            entity, step = "(all)", "status"
            summary.note_attention(self.store.status_summary())
        except Exception as exc:
            summary.error = f"{step} failed for {entity}: {type(exc).__name__}: {exc}"
            summary.finished_at = self.clock()
            self._finish(summary, PassStatus.FAILED)
            log.error("engine.pass_failed", step=step, entity=entity, error=type(exc).__name__)
            raise SyncStepFailed(step, entity) from exc
        summary.finished_at = self.clock()
        self._finish(summary, PassStatus.SUCCEEDED if summary.in_sync else PassStatus.PARTIAL)
        log.info(
            "engine.pass_finished",
            in_sync=summary.in_sync,
            tripletex_writes=summary.total("tripletex").writes,
            webshop_writes=summary.total("webshop").writes,
        )
        return summary

    def _finish(self, summary: PassSummary, status: PassStatus) -> None:
        assert summary.pass_id is not None
        try:
            self.store.finish_pass(summary.pass_id, status, summary.to_dict())
        except Exception:  # the store itself may be what failed; the pass error matters more
            log.exception("engine.finish_pass_failed", pass_id=summary.pass_id)
