"""Recovery of journalled creates whose outcome is unknown (a crash, a lost answer): never a duplicate.

Run first in every pass, before anything new is written. For each open intent:

* a create in Tripletex: search Tripletex by the natural keys journalled with it (organisation number,
  e-mail, product number, order number around the order date), key by key. An unlinked record found
  → link it (several: the one most like the journalled view; the pair is then merged like a first
  sync, in this pass); none → the intent failed, the record is still unlinked and is created again
  in this pass (safe: the search proved it absent);
* a create in the webshop: send it again with the *same* Idempotency-Key and payload, so a shop that
  stored the first one answers with it instead of creating a second record; then link it.

Either way the base saved with the link is what the create was made from (journalled with it), so an
edit made on either side while the answer was lost is merged as an edit, not as a first-sync conflict.

Updates are not journalled: their ``version``/If-Match makes a repeat harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shopsync.connectors import base as shop
from shopsync.mapping import Mapping as FieldMapping
from shopsync.mapping import RecordMappingError
from shopsync.state import EventAction, Intent, IntentOp

from . import lines
from .base import Base
from .context import RESOURCES, PassContext
from .merge import is_empty
from .names import journalled_views
from .outcome import Outcome
from .tripletex_side import TripletexSide, TxRecord

__all__ = ["best_candidate", "create_in_shop", "natural_key", "recover", "search_free", "shop_payload"]


def natural_key(mapping: FieldMapping, entity: str, view: Mapping[str, Any]) -> dict[str, Any]:
    """The match-key values of a view, journalled with a create so a lost answer can be searched for."""
    out = {m.key: str(view[m.key]) for m in mapping.match_keys(entity) if not is_empty(view.get(m.key))}
    if entity == "order" and not is_empty(view.get("order_date")):
        out["order_date"] = str(view["order_date"])
    return out


async def search_free(
    ctx: PassContext, entity: str, side: TripletexSide, intent: Intent
) -> tuple[list[TxRecord], bool]:
    """Tripletex records matching the intent's natural keys and not linked elsewhere (key by key, most
    reliable first); True as second item if one is already linked to the intent's own source."""
    async for _key, found in side.search_each(intent.natural_key or {}):
        ids = [int(r.id) for r in found if r.id is not None]
        linked = ctx.store.webshop_ids_for(entity, ids)
        if any(source == intent.source_id for source in linked.values()):
            return [], True
        free = [r for r in found if r.id is not None and int(r.id) not in linked]
        if free:
            return free, False
    return [], False


async def best_candidate(ctx: PassContext, entity: str, intent: Intent, found: list[TxRecord]) -> TxRecord:
    """Of several records a lost create may have made, the one most like what was sent (then lowest id).

    We know one of them is ours, so recovery links the likeliest rather than leave the record unlinked.
    """
    if len(found) == 1 or not isinstance(intent.payload, Mapping):
        return min(found, key=lambda r: int(r.id or 0))
    _view, sent = journalled_views(ctx.mapping, entity, intent.payload)
    resolver = await ctx.refs.resolver()

    def score(record: TxRecord) -> tuple[int, int]:
        try:
            view = ctx.mapping.tripletex_view(entity, record, resolver)
        except RecordMappingError:
            return (0, -int(record.id or 0))
        same = sum(1 for k in sent.keys() & view.keys() if ctx.mapping.same(entity, k, sent[k], view[k]))
        return (same, -int(record.id or 0))

    return max(found, key=score)


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


async def _sent_base(ctx: PassContext, entity: str, intent: Intent, found: TxRecord) -> Base | None:
    """The base a lost create left: the webshop view it was made from and the Tripletex view it sent.

    Merging against it (not as a first sync) keeps edits made on either side since the create.
    """
    if not isinstance(intent.payload, Mapping):
        return None
    resolver = await ctx.refs.resolver()
    view, sent_view = journalled_views(ctx.mapping, entity, intent.payload)
    try:
        body = ctx.mapping.to_tripletex(entity, sent_view, resolver, record_id=intent.source_id)
        sent = ctx.mapping.tripletex_view(entity, body, resolver, record_id=found.id)
    except (RecordMappingError, ValueError):
        return None
    line_ids, element_ids = lines.ids_from_record(lines.blocks(ctx.mapping, entity), found)
    return Base(webshop=view, tripletex=sent, line_ids=line_ids, element_ids=element_ids)


def _save_link(
    ctx: PassContext,
    entity: str,
    outcome: Outcome,
    intent: Intent,
    webshop_id: str,
    tripletex_id: int,
    base: Base | None,
    how: str,
) -> None:
    store = ctx.store
    with store.transaction() as conn:
        store.link(entity, webshop_id, tripletex_id, conn=conn)
        if base is not None:
            store.save_snapshot(
                entity,
                webshop_id,
                base.values(ctx.mapping, entity),
                webshop_version=base.webshop_version,
                tripletex_version=base.tripletex_version,
                conn=conn,
            )
        store.journal_done(intent.id, webshop_id if intent.target == "webshop" else tripletex_id, conn=conn)
        outcome.event(
            EventAction.LINKED,
            webshop_id=webshop_id,
            tripletex_id=tripletex_id,
            detail={"recovered": how},
            conn=conn,
        )
    # Merged in this pass: each side may have changed since the create.
    store.enqueue(entity, "webshop", webshop_id, "recovered a lost create; merging")
    ctx.log.info("engine.recovered", entity=entity, webshop_id=webshop_id, tripletex_id=tripletex_id, how=how)


async def _recover_tripletex(
    ctx: PassContext, entity: str, side: TripletexSide, outcome: Outcome, intent: Intent
) -> None:
    store = ctx.store
    free, done = await search_free(ctx, entity, side, intent)
    if done:
        linked = store.tripletex_id_for(entity, intent.source_id)
        store.journal_done(intent.id, linked)
        return
    if not free:
        store.journal_failed(intent.id, "not found in Tripletex: it was never created")
        store.enqueue(entity, "webshop", intent.source_id, "create interrupted; creating it now")
        return
    found = await best_candidate(ctx, entity, intent, free)
    base = await _sent_base(ctx, entity, intent, found)
    _save_link(
        ctx,
        entity,
        outcome,
        intent,
        intent.source_id,
        int(found.id or 0),
        base,
        "create whose answer was lost",
    )


async def _recover_webshop(ctx: PassContext, entity: str, outcome: Outcome, intent: Intent) -> None:
    store = ctx.store
    tripletex_id = int(intent.source_id)
    payload = intent.payload if isinstance(intent.payload, Mapping) else None
    if intent.idempotency_key is None or payload is None:
        store.journal_failed(intent.id, "no idempotency key or payload journalled")
        return
    body, sent = shop_payload(payload)
    record = await create_in_shop(ctx, entity, outcome, intent.id, body, intent.idempotency_key, tripletex_id)
    if record is None or record.id is None:
        return
    base = None
    if sent is not None:
        view = ctx.mapping.webshop_view(entity, record, ctx.refs.shop_resolver, record_id=record.id)
        version = None if record.version is None else str(record.version)
        base = Base(webshop=view, tripletex=ctx.mapping.decode_view(entity, sent), webshop_version=version)
    _save_link(ctx, entity, outcome, intent, record.id, tripletex_id, base, "webshop create replayed")


def shop_payload(payload: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(create body, encoded Tripletex view) of a journalled webshop create."""
    if "body" in payload and isinstance(payload["body"], Mapping):
        view = payload.get("view")
        return dict(payload["body"]), dict(view) if isinstance(view, Mapping) else None
    return dict(payload), None


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
