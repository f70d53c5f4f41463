"""Deletes: a record deleted on one side deactivates its partner (the default policy), within a breaker.

Only confirmed deletes arrive here (a webshop tombstone or 404, a Tripletex record missing from a
complete scan *and* answering 404): absence from a partial or failed read never counts. The policy:

* ``deactivate`` — customers and products are set inactive on the other side (the mapping's
  ``deactivation``); orders are closed in Tripletex (``isClosed``) or cancelled in the shop, never
  deleted, because accounting keeps them;
* ``ignore`` — the partner is left as it is.

Either way the pair's base is marked ``deleted`` so that the pair is left alone afterwards (the link
stays: removing it would let the surviving partner be created again on the other side). If a pass
would deactivate more than ``mass_delete_share`` of an entity's links (and more than one record), the
breaker stops every delete of that entity: they are queued as pending work with the reason, the
summary says so, and the exit code is 1 until a pass runs with ``allow_mass_delete``.
"""

from __future__ import annotations

from typing import Any

from shopsync.connectors import base as shop
from shopsync.state import EventAction
from shopsync.tripletex import AmbiguousWriteError, NotFound, TripletexError, VersionConflict

from .base import Base
from .context import RESOURCES, PassContext
from .outcome import Outcome
from .tripletex_side import TripletexSide

__all__ = ["apply_deletes"]

_CLOSE_ORDER: dict[str, Any] = {"isClosed": True}
_CANCEL_ORDER: dict[str, Any] = {"status": "cancelled"}


async def apply_deletes(
    ctx: PassContext,
    entity: str,
    side: TripletexSide,
    outcome: Outcome,
    webshop_deleted: set[str],
    tripletex_deleted: set[int],
) -> None:
    """Apply the delete policy to the linked partners of deleted records."""
    store = ctx.store
    pairs: list[tuple[str, int, str]] = []
    by_webshop = store.tripletex_ids_for(entity, webshop_deleted)
    pairs += [(w, t, "webshop") for w, t in by_webshop.items()]
    by_tripletex = store.webshop_ids_for(entity, tripletex_deleted)
    pairs += [(w, t, "tripletex") for t, w in by_tripletex.items() if w not in by_webshop]
    if not pairs:
        return
    snapshots = store.snapshots_many(entity, [w for w, _, _ in pairs])
    bases = {w: Base.from_snapshot(ctx.mapping, entity, s) for w, s in snapshots.items()}
    pairs = [p for p in pairs if not (p[0] in bases and bases[p[0]].deleted)]
    if not pairs:
        return
    if ctx.options.delete_policy == "deactivate" and not ctx.allow_mass_delete:
        links = store.count_links(entity)
        if len(pairs) > 1 and len(pairs) > ctx.options.mass_delete_share * links:
            reason = (
                f"{len(pairs)} of {links} linked {entity} records would be deactivated "
                f"(more than {ctx.options.mass_delete_share:.0%}); nothing was deactivated"
            )
            ctx.summary.breaker[entity] = reason
            for webshop_id, tripletex_id, deleted in pairs:
                record = webshop_id if deleted == "webshop" else tripletex_id
                outcome.wait(deleted, record, f"mass-delete breaker: {reason}")
            ctx.log.warning("engine.mass_delete_breaker", entity=entity, reason=reason)
            return
    for webshop_id, tripletex_id, deleted in pairs:
        ctx.checkpoint()  # between records: each delete is written and recorded before the next
        base = bases.get(webshop_id) or Base({}, {})
        await _delete_one(ctx, entity, side, outcome, webshop_id, tripletex_id, deleted, base)
        ctx.progress.handled(entity, deleted, [webshop_id if deleted == "webshop" else tripletex_id])


async def _delete_one(
    ctx: PassContext,
    entity: str,
    side: TripletexSide,
    outcome: Outcome,
    webshop_id: str,
    tripletex_id: int,
    deleted: str,
    base: Base,
) -> None:
    partner = "tripletex" if deleted == "webshop" else "webshop"
    new = base.with_(deleted=deleted)
    action = EventAction.DELETED
    if ctx.options.delete_policy == "deactivate":
        try:
            if partner == "tripletex":
                tx_version = await _deactivate_tripletex(ctx, entity, side, tripletex_id, base)
                new = new.with_(tripletex_version=tx_version)
            else:
                shop_version = await _deactivate_webshop(ctx, entity, webshop_id, base)
                new = new.with_(webshop_version=shop_version)
        except (TripletexError, shop.WebshopError) as exc:
            outcome.dead_letter(deleted, webshop_id if deleted == "webshop" else tripletex_id, exc)
            return
        action = EventAction.DEACTIVATED
        ctx.count(entity, partner).deactivated += 1
    store = ctx.store
    with store.transaction() as conn:
        store.save_snapshot(
            entity,
            webshop_id,
            new.values(ctx.mapping, entity),
            webshop_version=new.webshop_version,
            tripletex_version=new.tripletex_version,
            conn=conn,
        )
        outcome.event(
            action,
            webshop_id=webshop_id,
            tripletex_id=tripletex_id,
            side=partner,
            detail={"deleted_on": deleted, "policy": ctx.options.delete_policy},
            conn=conn,
        )
    if new.tripletex_version is not None:
        outcome.remember({tripletex_id: new.tripletex_version})
    ctx.log.info(
        "engine.deleted", entity=entity, deleted_on=deleted, webshop_id=webshop_id, tripletex_id=tripletex_id
    )


async def _deactivate_tripletex(
    ctx: PassContext, entity: str, side: TripletexSide, tripletex_id: int, base: Base
) -> int | None:
    """Deactivate (or close) the Tripletex partner; its new version (None if it is gone too)."""
    if entity == "order":
        body = dict(_CLOSE_ORDER)
    else:
        found = ctx.mapping.deactivation(entity, ctx.refs.shop_resolver)  # no references involved
        if found is None:
            return base.tripletex_version
        body = dict(found[0])
    version = base.tripletex_version
    for _attempt in range(ctx.options.write_attempts):
        if version is None:
            current = await side.get(tripletex_id, fields="id,version")
            if current is None:
                return None
            version = current.version
        try:
            answer = await side.resource.update(
                side.model.model_validate({**body, "id": tripletex_id, "version": version})
            )
            return None if answer.version is None else int(answer.version)
        except (VersionConflict, AmbiguousWriteError):
            version = None  # re-read the version and apply the (idempotent) deactivation again
        except NotFound:
            return None
    raise VersionConflict("kept changing while being deactivated")


async def _deactivate_webshop(ctx: PassContext, entity: str, webshop_id: str, base: Base) -> str | None:
    """Deactivate (or cancel) the webshop partner; its new version (None if it is gone too)."""
    if entity == "order":
        patch = dict(_CANCEL_ORDER)
    else:
        found = ctx.mapping.deactivation(entity, ctx.refs.shop_resolver)
        if found is None:
            return base.webshop_version
        patch = dict(found[1])
    version = int(base.webshop_version) if base.webshop_version else None
    resource = RESOURCES[entity]
    for _attempt in range(ctx.options.write_attempts):
        try:
            record = await ctx.webshop.update(resource, webshop_id, patch, if_match=version)
            return None if record.version is None else str(record.version)
        except (shop.PreconditionFailed, shop.AmbiguousWriteError):
            try:
                version = (await ctx.webshop.get(resource, webshop_id)).version
            except shop.NotFound:
                return None
        except shop.NotFound:
            return None
    raise shop.PreconditionFailed("kept changing while being deactivated")
