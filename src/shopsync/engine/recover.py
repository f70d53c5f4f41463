"""Recovery of journalled creates whose outcome is unknown (a crash, a lost answer): never a duplicate.

Run first in every pass, before anything new is written. For each open intent:

* a create in Tripletex: search Tripletex by the natural keys journalled with it (organisation number,
  e-mail, product number, order number around the order date). One unlinked record found → link it
  (the pair is then merged like a first sync, in this pass); several → review; none → the intent
  failed, the record is still unlinked and is created again in this pass (safe: the search proved it
  absent);
* a create in the webshop: send it again with the *same* Idempotency-Key and payload, so a shop that
  stored the first one answers with it instead of creating a second record; then link it.

Updates are not journalled: their ``version``/If-Match makes a repeat harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shopsync.connectors import base as shop
from shopsync.mapping import Mapping as FieldMapping
from shopsync.state import EventAction, Intent, IntentOp

from .context import RESOURCES, PassContext
from .merge import is_empty
from .outcome import Outcome
from .tripletex_side import TripletexSide, TxRecord

__all__ = ["create_in_shop", "natural_key", "recover", "search_free"]


def natural_key(mapping: FieldMapping, entity: str, view: Mapping[str, Any]) -> dict[str, Any]:
    """The match-key values of a view, journalled with a create so a lost answer can be searched for."""
    out = {m.key: str(view[m.key]) for m in mapping.match_keys(entity) if not is_empty(view.get(m.key))}
    if entity == "order" and not is_empty(view.get("order_date")):
        out["order_date"] = str(view["order_date"])
    return out


async def search_free(
    ctx: PassContext, entity: str, side: TripletexSide, intent: Intent
) -> tuple[list[TxRecord], bool]:
    """Tripletex records matching the intent's natural keys and not linked elsewhere; True as second
    item if one is already linked to the intent's own source record (nothing to do)."""
    found = [r for r in await side.search(intent.natural_key or {}) if r.id is not None]
    linked = ctx.store.webshop_ids_for(entity, [int(r.id) for r in found if r.id is not None])
    if any(linked.get(int(r.id)) == intent.source_id for r in found if r.id is not None):
        return [], True
    return [r for r in found if r.id is not None and int(r.id) not in linked], False


async def create_in_shop(
    ctx: PassContext,
    entity: str,
    outcome: Outcome,
    intent: int,
    payload: Mapping[str, Any],
    key: str,
    tripletex_id: int,
) -> shop.Record | None:
    """Send a journalled webshop create (again with ``key`` if the answer is lost); None if not created."""
    store = ctx.store
    for attempt in range(2):
        try:
            return await ctx.webshop.create(RESOURCES[entity], payload, idempotency_key=key)
        except shop.AmbiguousWriteError as exc:
            if attempt == 0:
                continue  # the same key again: the shop replays the first answer, never a second record
            store.journal_ambiguous(intent, str(exc))
            outcome.wait("tripletex", tripletex_id, "webshop create outcome unknown; replaying next pass")
            return None
        except (shop.ValidationFailed, shop.Conflict) as exc:
            store.journal_failed(intent, str(exc))
            outcome.dead_letter("tripletex", tripletex_id, exc, payload=dict(payload))
            return None
    return None


async def _recover_tripletex(
    ctx: PassContext, entity: str, side: TripletexSide, outcome: Outcome, intent: Intent
) -> None:
    store = ctx.store
    free, done = await search_free(ctx, entity, side, intent)
    if done:
        linked = store.tripletex_id_for(entity, intent.source_id)
        store.journal_done(intent.id, linked)
        return
    if len(free) > 1:
        store.journal_failed(intent.id, "several Tripletex records match: review")
        outcome.review("webshop", intent.source_id, [{"tripletex_id": r.id, "recovered": True} for r in free])
        return
    if not free:
        store.journal_failed(intent.id, "not found in Tripletex: it was never created")
        outcome.wait("webshop", intent.source_id, "create interrupted; creating it now", count=False)
        return
    tripletex_id = int(free[0].id or 0)
    with store.transaction() as conn:
        store.link(entity, intent.source_id, tripletex_id, conn=conn)
        store.journal_done(intent.id, tripletex_id, conn=conn)
        outcome.event(
            EventAction.LINKED,
            webshop_id=intent.source_id,
            tripletex_id=tripletex_id,
            detail={"recovered": "create whose answer was lost"},
            conn=conn,
        )
    outcome.wait("webshop", intent.source_id, "recovered a lost create; merging", count=False)
    ctx.log.info("engine.recovered", entity=entity, webshop_id=intent.source_id, tripletex_id=tripletex_id)


async def _recover_webshop(ctx: PassContext, entity: str, outcome: Outcome, intent: Intent) -> None:
    store = ctx.store
    tripletex_id = int(intent.source_id)
    if intent.idempotency_key is None or intent.payload is None:
        store.journal_failed(intent.id, "no idempotency key or payload journalled")
        return
    record = await create_in_shop(
        ctx, entity, outcome, intent.id, intent.payload, intent.idempotency_key, tripletex_id
    )
    if record is None or record.id is None:
        return
    with store.transaction() as conn:
        store.link(entity, record.id, tripletex_id, conn=conn)
        store.journal_done(intent.id, record.id, conn=conn)
        outcome.event(
            EventAction.LINKED,
            webshop_id=record.id,
            tripletex_id=tripletex_id,
            detail={"recovered": "webshop create replayed with its Idempotency-Key"},
            conn=conn,
        )
    outcome.wait("webshop", record.id, "recovered a lost create; merging", count=False)


async def recover(ctx: PassContext, entity: str, side: TripletexSide, outcome: Outcome) -> int:
    """Resolve every open create intent of ``entity``; how many there were."""
    intents = ctx.store.open_intents(entity)
    for intent in intents:
        if intent.op != IntentOp.CREATE:
            ctx.store.journal_failed(intent.id, "only creates need recovery")
        elif intent.target == "tripletex":
            await _recover_tripletex(ctx, entity, side, outcome, intent)
        else:
            await _recover_webshop(ctx, entity, outcome, intent)
    return len(intents)
