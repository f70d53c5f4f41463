"""Saving a pair's base: the write-ahead ``pending`` marks before writing, the new base after.

The new base (both views, both versions, line ids) is saved in one transaction with the conflicts,
events, line links and the closing of the pair's dead letters; keys whose write failed or whose
conflict is held keep their old bases, so nothing is absorbed that did not reach the other side.
"""

from __future__ import annotations

from typing import Any

from shopsync.mapping import Mapping as FieldMapping
from shopsync.state import EventAction

from . import lines
from .base import Base
from .context import PassContext
from .outcome import Outcome
from .pair_state import Pair, Plan, tripletex_version
from .writes import relink_lines

__all__ = ["BaseKeeper"]


class BaseKeeper:
    """Stores the bases of one entity's pairs."""

    def __init__(self, ctx: PassContext, entity: str, outcome: Outcome) -> None:
        self.ctx = ctx
        self.entity = entity
        self.outcome = outcome
        self.mapping: FieldMapping = ctx.mapping
        self.blocks = lines.blocks(ctx.mapping, entity)

    def mark_pending(self, plans: list[Plan]) -> None:
        """Write-ahead: note what each pair is about to send, before sending it (see ``Base.pending``)."""
        writing = [p for p in plans if p.body is not None or p.patch is not None]
        if not writing:
            return
        store = self.ctx.store
        with store.transaction() as conn:
            for plan in writing:
                pair = plan.pair
                old = pair.base or Base.unknown()
                # Earlier attempts' values stay: one of them may have landed (harmless if not).
                pending = {side: dict(values) for side, values in old.pending.items()}
                if plan.body is not None:
                    pending.setdefault("tripletex", {}).update(plan.decision.to_tripletex)
                if plan.patch is not None:
                    pending.setdefault("webshop", {}).update(plan.decision.to_webshop)
                base = old.with_(pending=pending)
                store.save_snapshot(
                    self.entity,
                    pair.webshop_id,
                    base.values(self.mapping, self.entity),
                    webshop_version=base.webshop_version,
                    tripletex_version=base.tripletex_version,
                    conn=conn,
                )
                pair.base = base

    def unchanged(self, pair: Pair, w_view: dict[str, Any]) -> None:
        """Nothing changed that the mapping sees: remember new versions, write nothing."""
        base = pair.base
        assert base is not None
        version = str(pair.webshop.version) if pair.webshop is not None and pair.webshop.version else None
        if version is not None and version != base.webshop_version:
            new = base.with_(webshop=w_view, webshop_version=version)
            self.ctx.store.save_snapshot(
                self.entity,
                pair.webshop_id,
                new.values(self.mapping, self.entity),
                webshop_version=new.webshop_version,
                tripletex_version=new.tripletex_version,
            )
        self.remember(pair)
        # In sync: a dead letter either side still had (an edit reverted meanwhile) is settled.
        self.outcome.settled("webshop", pair.webshop_id)
        self.outcome.settled("tripletex", pair.tripletex_id)
        for side in ("webshop", "tripletex"):
            self.ctx.count(self.entity, side).unchanged += 1

    def remember(self, pair: Pair) -> None:
        version = tripletex_version(pair)
        if version is not None:
            self.outcome.remember({pair.tripletex_id: version})

    async def save(self, plan: Plan) -> None:
        pair, decision, base = plan.pair, plan.decision, plan.pair.base
        resolver = self.ctx.refs.shop_resolver
        t_view = dict(pair.tripletex_view) if pair.tripletex_view is not None else dict(plan.tripletex_view)
        ids = pair.tripletex_lines if pair.tripletex_view is not None and pair.tripletex_lines else plan.ids
        if plan.webshop_done is not None:
            w_view = self.mapping.webshop_view(
                self.entity, plan.webshop_done, resolver, record_id=pair.webshop_id
            )
            w_version = plan.webshop_done.version
        else:
            w_view = dict(plan.webshop_view)
            w_version = pair.webshop.version if pair.webshop is not None else None
        for key in decision.held | plan.failed:  # keep their bases: the conflict or edit stays pending
            for view, old in (
                (w_view, base.webshop if base else {}),
                (t_view, base.tripletex if base else {}),
            ):
                if key in old and base is not None and not base.initial:
                    view[key] = old[key]
                else:
                    view.pop(key, None)  # no base for it: merged like a first sync next time
        new = Base(
            webshop=w_view,
            tripletex=t_view,
            webshop_version=str(w_version)
            if w_version is not None
            else (base.webshop_version if base else None),
            tripletex_version=tripletex_version(pair),
            line_ids=dict(ids.line_ids),
            element_ids=dict(ids.element_ids),
            locked=plan.locked or bool(base and base.locked),
            held=tuple(sorted(decision.held)),
        )
        wrote_tx = plan.tripletex_done is not None and plan.body is not None
        wrote_shop = plan.webshop_done is not None
        store = self.ctx.store
        with store.transaction() as conn:
            if new != base:
                store.save_snapshot(
                    self.entity,
                    pair.webshop_id,
                    new.values(self.mapping, self.entity),
                    webshop_version=new.webshop_version,
                    tripletex_version=new.tripletex_version,
                    conn=conn,
                )
            if self.blocks and (base is None or base.initial or wrote_tx or wrote_shop):
                relink_lines(
                    store,
                    self.mapping,
                    self.entity,
                    self.blocks,
                    pair.webshop_id,
                    w_view,
                    t_view,
                    ids,
                    conn=conn,
                )
            self.outcome.conflicts(
                pair.webshop_id, pair.tripletex_id, decision.conflicts, plan.labels, conn=conn
            )
            for side, wrote, keys in (
                ("tripletex", wrote_tx, decision.to_tripletex),
                ("webshop", wrote_shop, decision.to_webshop),
            ):
                if wrote:
                    self.outcome.event(
                        EventAction.UPDATED,
                        webshop_id=pair.webshop_id,
                        tripletex_id=pair.tripletex_id,
                        side=side,
                        detail={"fields": sorted(keys)},
                        conn=conn,
                    )
            if "webshop" not in plan.dead:
                self.outcome.settled("webshop", pair.webshop_id, conn=conn)
            if "tripletex" not in plan.dead:
                self.outcome.settled("tripletex", pair.tripletex_id, conn=conn)
        self.remember(pair)
        for side, wrote in (("tripletex", wrote_tx), ("webshop", wrote_shop)):
            counts = self.ctx.count(self.entity, side)
            if wrote:
                counts.updated += 1
            else:
                counts.unchanged += 1
        if wrote_tx or wrote_shop or decision.conflicts:
            self.ctx.log.info(
                "engine.pair_synced",
                entity=self.entity,
                webshop_id=pair.webshop_id,
                tripletex_id=pair.tripletex_id,
                to_tripletex=sorted(decision.to_tripletex) if wrote_tx else [],
                to_webshop=sorted(decision.to_webshop) if wrote_shop else [],
                conflicts=[c.key for c, _ in decision.conflicts],
            )
