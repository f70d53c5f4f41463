"""Readers: the canonical view of a webshop record and of a Tripletex record.

Both views map row keys to canonical values (see ``_values``), so the engine can compare a webshop
record, a Tripletex record and the last synced state property by property. A list block's value is a
list of element views (``lines``); an element block's value is one element view or None when Tripletex
has no such element (``shipping``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from shopsync.mapping import _paths
from shopsync.mapping._common import Context, active, record_failure, shop_value, tripletex_data, webshop_data
from shopsync.mapping._errors import UnresolvedReference
from shopsync.mapping._model import Block, Row
from shopsync.mapping._values import canonical

__all__ = ["read_tripletex", "read_webshop", "split_elements"]


def read_webshop(ctx: Context, record: Any) -> dict[str, Any]:
    """The webshop record's canonical view (rows that can be computed from the shop side)."""
    data = webshop_data(ctx, record)
    if ctx.record_id is None:
        ctx.record_id = data.get("id")
    view: dict[str, Any] = {}
    for entry in active(ctx, ctx.entity.entries):
        if isinstance(entry, Row):
            if entry.readable_from_webshop:
                view[entry.key] = shop_value(ctx, entry, data, data, "")
        elif entry.kind == "list":
            assert entry.webshop is not None
            items = _paths.get(data, entry.webshop) or []
            view[entry.key] = [
                _shop_element(ctx, entry, item, data, f"{entry.webshop}[{i}].")
                for i, item in enumerate(items)
            ]
        else:
            view[entry.key] = _shop_element(ctx, entry, data, data, "")
    return view


def _shop_element(
    ctx: Context, block: Block, item: Mapping[str, Any], record: Mapping[str, Any], prefix: str
) -> dict[str, Any]:
    return {
        row.key: shop_value(ctx, row, item, record, prefix)
        for row in active(ctx, block.rows)
        if row.readable_from_webshop
    }


def _matches(item: Mapping[str, Any], marker: Mapping[str, Any]) -> bool:
    for name, expected in marker.items():
        actual = item.get(name)
        if isinstance(expected, str) and isinstance(actual, str):
            if actual.strip() != expected.strip():
                return False
        elif isinstance(expected, int | Decimal) and not isinstance(expected, bool):
            try:
                if canonical(actual, "number") != Decimal(expected):
                    return False
            except ValueError:
                return False
        elif actual != expected:
            return False
    return True


def split_elements(ctx: Context, data: Mapping[str, Any]) -> dict[str, Any]:
    """Tripletex list elements per block: a list for list blocks, one element (or None) for element blocks."""
    out: dict[str, Any] = {}
    blocks = [e for e in active(ctx, ctx.entity.entries) if isinstance(e, Block)]
    for path in dict.fromkeys(b.tripletex for b in blocks):
        items = list(_paths.get(data, path) or [])
        claimed: set[int] = set()
        for block in (b for b in blocks if b.tripletex == path and b.kind == "element"):
            found = next(
                (i for i, it in enumerate(items) if i not in claimed and _matches(it, block.marker)), None
            )
            if found is not None:
                claimed.add(found)
            out[block.key] = None if found is None else items[found]
        rest = [it for i, it in enumerate(items) if i not in claimed]
        for block in (b for b in blocks if b.tripletex == path and b.kind == "list"):
            out[block.key] = rest
    return out


def read_tripletex(ctx: Context, record: Any) -> dict[str, Any]:
    """The Tripletex record's canonical view (every active row)."""
    data = tripletex_data(record)
    if ctx.record_id is None:
        ctx.record_id = data.get("id")
    elements = split_elements(ctx, data)
    view: dict[str, Any] = {}
    for entry in active(ctx, ctx.entity.entries):
        if isinstance(entry, Row):
            view[entry.key] = _tx_value(ctx, entry, data, "")
        elif entry.kind == "list":
            items = elements.get(entry.key) or []
            view[entry.key] = [
                _tx_element(ctx, entry, item, f"{entry.tripletex}[{i}].") for i, item in enumerate(items)
            ]
        else:
            item = elements.get(entry.key)
            view[entry.key] = None if item is None else _tx_element(ctx, entry, item, f"{entry.tripletex}[].")
    return view


def _tx_element(ctx: Context, block: Block, item: Any, prefix: str) -> dict[str, Any]:
    if not isinstance(item, Mapping) or set(item) <= {"id", "url"}:
        raise ctx.error(
            prefix.rstrip("."), "list elements are id/url stubs: fetch the record with the mapping's fields"
        )
    return {row.key: _tx_value(ctx, row, item, prefix) for row in active(ctx, block.rows)}


def _tx_value(ctx: Context, row: Row, data: Mapping[str, Any], prefix: str) -> Any:
    field = prefix + row.tripletex
    with record_failure(ctx, field):
        raw = _paths.get(data, row.tripletex)
        if row.ref is None:
            return canonical(raw, row.ctype)
        if raw is None:
            return None
        tx_id = canonical(raw, "integer")
        resolver, kind = ctx.resolver, row.ref.kind
        key: Any
        if kind == "link":
            assert row.ref.target is not None
            key = resolver.webshop_id(row.ref.target, tx_id)
        elif kind == "vat_type":
            key = resolver.vat_rate(tx_id)
        elif kind == "country":
            key = resolver.country_code(tx_id)
        else:
            key = resolver.currency_code(tx_id)
        if key is None:
            what = f"Tripletex {row.ref.target}" if kind == "link" else f"Tripletex {kind.replace('_', ' ')}"
            raise UnresolvedReference(
                ctx.entity.name,
                ctx.record_id,
                field,
                f"{what} {tx_id} has no webshop counterpart yet",
                kind=kind,
                target=row.ref.target,
                key=tx_id,
            )
        return canonical(key, row.ctype)
