"""Writers: a canonical view (or some of its keys) as a Tripletex body or as a webshop merge patch.

Tripletex bodies are nested dicts with ``{"id": n}`` references and ``Decimal`` numbers (the client
writes them as exact JSON numbers). An empty string field is sent as ``""`` (Tripletex ignores null in
a partial update), an unset number or reference is left out, and an object whose mapped properties
are all empty is sent as null. Lists (``orderLines``) are always written whole, from every block that
maps into them, because Tripletex replaces an order's lines as a set.

Webshop patches are JSON merge patches in the contract's JSON form (decimal strings). When several rows
write the same webshop field (``phone`` from ``phoneNumberMobile`` and ``phoneNumber``), the first row in
file order with a value wins. Given the ``current`` webshop record, fields whose current value already
maps to the view's value are left alone, so equivalent shop data (``nn`` for Tripletex ``NO``, an
organisation number written with spaces) is never rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shopsync.mapping import _contract, _paths
from shopsync.mapping._common import Context, active, record_failure, shop_value, view_json, webshop_data
from shopsync.mapping._contract import WebshopField
from shopsync.mapping._errors import UnresolvedReference
from shopsync.mapping._expr import to_json
from shopsync.mapping._model import Block, Row
from shopsync.mapping._values import same, to_shop

__all__ = ["write_tripletex", "write_webshop"]

_DROP = object()  # an unset number or reference: left out of the body


def _selected(keys: Iterable[str] | None, key: str) -> bool:
    return keys is None or key in keys


# --------------------------------------------------------------------------- Tripletex


def write_tripletex(ctx: Context, view: Mapping[str, Any], keys: Iterable[str] | None) -> dict[str, Any]:
    """The Tripletex body for ``keys`` of ``view`` (all writable keys when None).

    ``view`` must be a whole view: list blocks are written from every block sharing the list.
    """
    keys = None if keys is None else set(keys)
    entries = [e for e in active(ctx, ctx.entity.entries) if e.writes_tripletex]
    lists = {e.tripletex for e in entries if isinstance(e, Block) and _selected(keys, e.key)}
    leaves: dict[str, Any] = {}
    rows: list[Row] = []
    for entry in entries:
        if isinstance(entry, Row):
            rows.append(entry)
            if _selected(keys, entry.key) and entry.key in view:
                leaves[entry.tripletex] = _tx_leaf(ctx, entry, view[entry.key], "")
    body = _assemble(leaves, rows)
    for path in lists:
        elements: list[dict[str, Any]] = []
        for block in (e for e in entries if isinstance(e, Block) and e.tripletex == path):
            if block.key not in view:
                # Writing the list without this block's elements would delete them in Tripletex.
                raise ValueError(f"the view lacks {block.key!r}, needed to write {path} as a whole")
            value = view[block.key]
            if block.kind == "list":
                for i, item in enumerate(value or []):
                    elements.append(_tx_element(ctx, block, item, f"{block.webshop}[{i}]."))
            elif value is not None:
                elements.append(_tx_element(ctx, block, value, ""))
        _paths.put(body, path, elements)
    return body


def _tx_element(ctx: Context, block: Block, item: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    rows = [r for r in active(ctx, block.rows) if r.writes_tripletex]
    leaves = {r.tripletex: _tx_leaf(ctx, r, item.get(r.key), prefix) for r in rows if r.key in item}
    element = _assemble(leaves, rows)
    return {**block.marker, **element}


def _tx_leaf(ctx: Context, row: Row, value: Any, prefix: str) -> Any:
    field = prefix + row.field_name
    if value is None:
        if row.required:
            raise ctx.error(field, f"required by Tripletex ({row.tripletex}) but empty")
        return None
    if row.ref is None:
        return value
    resolver, kind = ctx.resolver, row.ref.kind
    with record_failure(ctx, field):
        if kind == "link":
            assert row.ref.target is not None
            found = resolver.tripletex_id(row.ref.target, str(value))
        elif kind == "vat_type":
            found = resolver.vat_type_id(value)
        elif kind == "country":
            found = resolver.country_id(str(value))
        else:
            found = resolver.currency_id(str(value))
    if found is None:
        reason = {
            "link": f"webshop {row.ref.target} {value} is not linked to a Tripletex {row.ref.target} yet",
            "vat_type": f"no outgoing Tripletex VAT type with rate {value} %",
            "country": f"no Tripletex country with ISO code {value!r}",
            "currency": f"no Tripletex currency with code {value!r}",
        }[kind]
        raise UnresolvedReference(
            ctx.entity.name, ctx.record_id, field, reason, kind=kind, target=row.ref.target, key=value
        )
    return found


def _assemble(leaves: Mapping[str, Any], rows: list[Row]) -> dict[str, Any]:
    """Nested body from ``{path: value}``; None strings become "", other Nones are dropped."""
    refs = {r.tripletex.rsplit(".", 1)[0] for r in rows if r.ref}
    nulls = [p for p in _collapsed(leaves, [r.tripletex for r in rows]) if p not in refs]
    ctypes = {r.tripletex: ("ref" if r.ref else r.ctype) for r in rows}
    body: dict[str, Any] = {}
    for path, value in leaves.items():
        if any(path.startswith(p + ".") for p in nulls):
            continue
        if value is None:
            value = "" if ctypes.get(path) == "string" else _DROP
        if value is not _DROP:
            _paths.put(body, path, value)
    for prefix in nulls:
        _paths.put(body, prefix, None)
    return body


def _collapsed(leaves: Mapping[str, Any], all_paths: list[str]) -> list[str]:
    """Object paths whose every mapped property is written here and empty (they become null)."""
    prefixes = sorted({p.rsplit(".", n)[0] for p in leaves for n in range(1, p.count(".") + 1)}, key=len)
    out: list[str] = []
    for prefix in prefixes:
        if any(prefix.startswith(o + ".") for o in out):
            continue
        under = [p for p in all_paths if p.startswith(prefix + ".")]
        if under and all(p in leaves and leaves[p] is None for p in under):
            out.append(prefix)
    return out


# --------------------------------------------------------------------------- webshop


def write_webshop(
    ctx: Context, view: Mapping[str, Any], keys: Iterable[str] | None, current: Any | None
) -> dict[str, Any]:
    """The webshop merge patch for ``keys`` of ``view`` (all keys written to the shop when None)."""
    keys = None if keys is None else set(keys)
    cur = None if current is None else webshop_data(ctx, current)
    entries = [e for e in active(ctx, ctx.entity.entries) if e.writes_webshop]
    rows = [e for e in entries if isinstance(e, Row)]
    leaves: dict[str, Any] = {}
    owners: dict[str, Row] = {}
    _contribute(ctx, rows, view, view, keys, cur, "", leaves, owners)
    for block in (e for e in entries if isinstance(e, Block)):
        if not _selected(keys, block.key) or block.key not in view:
            continue
        if block.kind == "element":
            element = view[block.key] or {}
            sub_rows = [r for r in active(ctx, block.rows) if r.writes_webshop]
            _contribute(ctx, sub_rows, element, view, None, cur, "", leaves, owners)
        else:
            _write_list(ctx, block, view, cur, leaves)
    return _shop_patch(ctx, leaves, owners, rows)


def _write_list(
    ctx: Context, block: Block, view: Mapping[str, Any], cur: Mapping[str, Any] | None, leaves: dict[str, Any]
) -> None:
    assert block.webshop is not None
    items = view[block.key] or []
    if cur is not None:
        current_items = _paths.get(cur, block.webshop) or []
        rows = [r for r in active(ctx, block.rows) if r.readable_from_webshop]
        if len(current_items) == len(items) and all(
            all(
                same(r.compare, shop_value(ctx, r, ci, cur, ""), item.get(r.key))
                for r in rows
                if r.key in item
            )
            for ci, item in zip(current_items, items, strict=True)
        ):
            return
    sub_rows = [r for r in active(ctx, block.rows) if r.writes_webshop]
    model = _contract.list_item_model(ctx.entity.webshop_model, block.webshop)
    out = []
    for i, item in enumerate(items):
        element: dict[str, Any] = {}
        owners: dict[str, Row] = {}
        _contribute(ctx, sub_rows, item, view, None, None, "", element, owners)
        patch: dict[str, Any] = {}
        for path, value in element.items():
            with record_failure(ctx, f"{block.webshop}[{i}].{path}"):
                _paths.put(patch, path, to_shop(value, _contract.resolve(model, path)))
        out.append(patch)
    leaves[block.webshop] = out


def _targets(row: Row) -> tuple[str, ...]:
    return row.webshop if row.to_webshop is not None and len(row.webshop) > 1 else row.webshop[:1]


def _contribute(
    ctx: Context,
    rows: list[Row],
    view: Mapping[str, Any],
    root: Mapping[str, Any],
    keys: set[str] | None,
    cur: Mapping[str, Any] | None,
    prefix: str,
    leaves: dict[str, Any],
    owners: dict[str, Row],
) -> None:
    """Add the webshop fields of the selected rows to ``leaves`` (first row with a value wins)."""
    wanted = {t for r in rows if _selected(keys, r.key) for t in _targets(r)}
    values: dict[int, Mapping[str, Any]] = {}
    for target in sorted(wanted):
        chosen: tuple[Row, Any] | None = None
        for row in (r for r in rows if target in _targets(r) and r.key in view):
            if id(row) not in values:
                values[id(row)] = _contribution(ctx, row, view, root, cur, prefix)
            if target in values[id(row)]:
                value = values[id(row)][target]
                if chosen is None or (chosen[1] is None and value is not None):
                    chosen = (row, value)
        if chosen is None:
            continue
        row, value = chosen
        if (
            cur is not None
            and row.readable_from_webshop
            and same(row.compare, shop_value(ctx, row, cur, cur, prefix), view.get(row.key))
        ):
            continue  # the shop already holds an equivalent value: leave it as it is
        leaves[target] = value
        owners[target] = row


def _contribution(
    ctx: Context,
    row: Row,
    view: Mapping[str, Any],
    root: Mapping[str, Any],
    cur: Mapping[str, Any] | None,
    prefix: str,
) -> Mapping[str, Any]:
    value = view.get(row.key)
    if row.to_webshop is None:
        return {row.webshop[0]: value}
    with record_failure(ctx, prefix + row.field_name):
        result = row.to_webshop.evaluate(
            view_json(view),
            {"value": to_json(value), "shop": ctx.shop, "view": view_json(root), "record": cur},
        )
        if len(row.webshop) > 1 and isinstance(result, dict):
            if not set(result) <= set(row.webshop):
                raise ValueError(
                    f"to_webshop returned keys outside {', '.join(row.webshop)}: {sorted(result)}"
                )
            return result
        return {row.webshop[0]: result}


def _shop_patch(
    ctx: Context, leaves: Mapping[str, Any], owners: Mapping[str, Row], rows: list[Row]
) -> dict[str, Any]:
    all_paths = [t for r in rows for t in _targets(r)]
    nulls = _collapsed(leaves, all_paths)
    patch: dict[str, Any] = {}
    for path, value in leaves.items():
        if any(path.startswith(p + ".") for p in nulls):
            continue
        owner = owners.get(path)
        if owner is None:  # a whole list written by a block
            patch[path] = value
            continue
        with record_failure(ctx, path):
            field: WebshopField = _contract.resolve(ctx.entity.webshop_model, path)
            _paths.put(patch, path, to_shop(value, field))
    for prefix in nulls:
        if not _contract.resolve(ctx.entity.webshop_model, prefix).nullable:
            raise ctx.error(prefix, "the webshop requires this object but every mapped property is empty")
        _paths.put(patch, prefix, None)
    return patch
