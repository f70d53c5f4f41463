"""Tripletex write helpers: bodies with line ids, order totals, the state a write leaves, line links.

``tripletex_body`` turns the keys a merge sends to Tripletex into a request body (order lines carry
the ids of the lines they replace, see ``lines``); ``after_write`` works out the view and line ids the
record has after the write, from the answer alone when it can (Tripletex answers order lines as id
stubs), else by reading the order once; ``check_totals`` proves, without a call, that Tripletex will
compute the shop's order total to the øre; ``relink_lines`` keeps the order-line links current.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from shopsync.connectors.base import Record
from shopsync.mapping import Block, money
from shopsync.mapping import Mapping as FieldMapping
from shopsync.state import Entity, StateStore
from shopsync.tripletex import TripletexModel

from . import lines
from .references import EngineResolver
from .tripletex_side import TripletexSide, TxRecord

__all__ = [
    "LineState",
    "TotalsMismatch",
    "after_write",
    "check_totals",
    "relink_lines",
    "relink_lines_many",
    "tripletex_body",
]


class TotalsMismatch(ValueError):
    """Tripletex would compute another order total than the shop's."""


@dataclass
class LineState:
    """Tripletex ids of an order's lines (per list block) and elements (shipping), aligned with a view."""

    line_ids: dict[str, list[int]] = field(default_factory=dict)
    element_ids: dict[str, int | None] = field(default_factory=dict)

    @property
    def known(self) -> bool:
        """Whether any id is known."""
        return bool(self.line_ids or self.element_ids)


@dataclass
class BodyPlan:
    """A Tripletex body and, when it writes the order's lines, the slots and the ids they reuse."""

    body: dict[str, Any]
    slots: list[lines.Slot] | None = None
    slot_ids: list[int | None] | None = None


def tripletex_body(
    mapping: FieldMapping,
    entity: str,
    block_list: Sequence[Block],
    target: Mapping[str, Any],
    current: Mapping[str, Any],
    keys: Sequence[str],
    resolver: EngineResolver,
    ids: LineState,
    record_id: str | None,
) -> BodyPlan:
    """The body writing ``keys`` of ``target`` (``current`` is the Tripletex view ``ids`` belong to)."""
    body = mapping.to_tripletex(entity, target, resolver, keys=keys, record_id=record_id)
    if not any(b.key in keys for b in block_list):
        return BodyPlan(body)
    slots = lines.layout(block_list, target)
    slot_ids = lines.assign(mapping, entity, block_list, target, current, ids.line_ids, ids.element_ids)
    path = block_list[0].tripletex
    for element, line_id in zip(body.get(path) or [], slot_ids, strict=True):
        if line_id is not None:
            element["id"] = line_id
    return BodyPlan(body, slots, slot_ids)


def check_totals(body: Mapping[str, Any], record: Record, resolver: EngineResolver) -> None:
    """TotalsMismatch unless the order body totals exactly the shop order's total including VAT."""
    shop_total = money.shop_order_total(
        record.model_dump(mode="json"), prices_include_vat=resolver.shop.prices_include_vat
    )
    try:
        tripletex_total = money.tripletex_order_total(body, resolver.vat_rates())
    except (KeyError, TypeError):
        return  # a line without VAT type cannot be checked here; Tripletex will reject it anyway
    if tripletex_total != shop_total:
        raise TotalsMismatch(
            f"order total differs: the shop says {shop_total}, Tripletex would compute {tripletex_total}"
        )


def _stub_ids(record: TripletexModel, path: str) -> list[int] | None:
    items = record.model_dump(by_alias=True).get(path)
    if not isinstance(items, list):
        return None
    ids = [i.get("id") for i in items if isinstance(i, Mapping)]
    return [int(i) for i in ids if i is not None] if len(ids) == len(items) else None


async def after_write(
    mapping: FieldMapping,
    entity: str,
    block_list: Sequence[Block],
    plan: BodyPlan,
    target: Mapping[str, Any],
    answer: TxRecord,
    side: TripletexSide,
    resolver: EngineResolver,
    tripletex_id: int,
) -> tuple[dict[str, Any], LineState | None]:
    """The record's view and line ids after a write that ``answer`` acknowledged.

    Without lines in the body the view is ``target``. With lines, Tripletex lists kept lines first and
    new ones after, each answered as an id stub; if the answer does not fit that, the order is read.
    """
    if plan.slots is None or plan.slot_ids is None:
        return dict(target), None
    order = lines.settled_order(plan.slots, plan.slot_ids)
    got = _stub_ids(answer, block_list[0].tripletex)
    expected_kept = [plan.slot_ids[pos] for pos in order if plan.slot_ids[pos] is not None]
    if got is None or len(got) != len(order) or got[: len(expected_kept)] != expected_kept:
        record = await side.get(tripletex_id)
        if record is None:
            return dict(target), None
        view = mapping.tripletex_view(entity, record, resolver, record_id=tripletex_id)
        line_ids, element_ids = lines.ids_from_record(block_list, record)
        return view, LineState(line_ids, element_ids)
    view = dict(target)
    state = LineState()
    by_block: dict[str, list[tuple[Any, int]]] = {}
    for rank, pos in enumerate(order):
        slot = plan.slots[pos]
        if slot.index is None:
            state.element_ids[slot.block] = got[rank]
        else:
            by_block.setdefault(slot.block, []).append((target[slot.block][slot.index], got[rank]))
    for block in block_list:
        if block.kind == "list":
            pairs = by_block.get(block.key, [])
            view[block.key] = [element for element, _ in pairs]
            state.line_ids[block.key] = [line_id for _, line_id in pairs]
        else:
            state.element_ids.setdefault(block.key, None)
    return view, state


def relink_lines(
    store: StateStore,
    mapping: FieldMapping,
    entity: str,
    block_list: Sequence[Block],
    webshop_id: str,
    webshop_view: Mapping[str, Any],
    tripletex_view: Mapping[str, Any],
    ids: LineState,
    *,
    conn: sa.Connection,
) -> None:
    """Replace the order's line links: each webshop line (by position) ↔ the Tripletex line it pairs with."""
    relink_lines_many(
        store, mapping, entity, block_list, [(webshop_id, webshop_view, tripletex_view, ids)], conn=conn
    )


def relink_lines_many(
    store: StateStore,
    mapping: FieldMapping,
    entity: str,
    block_list: Sequence[Block],
    orders: Sequence[tuple[str, Mapping[str, Any], Mapping[str, Any], LineState]],
    *,
    conn: sa.Connection,
) -> None:
    """``relink_lines`` for many ``(webshop id, webshop view, Tripletex view, line ids)`` at once: one
    delete and one insert for a whole batch of orders instead of several statements per order."""
    if not block_list or not orders:
        return
    links = []
    for webshop_id, webshop_view, tripletex_view, ids in orders:
        slots = lines.layout(block_list, webshop_view)
        paired = lines.assign(
            mapping, entity, block_list, webshop_view, tripletex_view, ids.line_ids, ids.element_ids
        )
        for slot, line_id in zip(slots, paired, strict=True):
            if line_id is None:
                continue
            key = f"{webshop_id}:{slot.block}" + ("" if slot.index is None else f":{slot.index}")
            links.append((key, line_id, webshop_id))
    store.unlink_children(Entity.ORDER_LINE, [o[0] for o in orders], conn=conn)
    if links:
        store.link_many(Entity.ORDER_LINE, links, conn=conn)
