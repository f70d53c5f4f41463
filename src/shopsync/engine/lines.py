"""Order lines: which Tripletex line each line of a view is, so lines are updated in place, never duplicated.

An order's Tripletex list (``orderLines``) holds the elements of several blocks of the mapping: the
``lines`` list block and the ``shipping`` element block (found by its marker). Writing the order,
``to_tripletex`` emits the list block by block in file order (the *layout*); ``assign`` gives each
element the id of the Tripletex line it replaces:

1. an existing line with the same content;
2. else one with the same linked product (a changed quantity or price keeps its line);
3. else the one at the same position, then any line left over, in order.

Lines left without a partner are deleted by Tripletex (``updateLinesAndGroups``), desired lines without
one are created. So a shop that identifies lines only by position or SKU never duplicates a line.
Tripletex lists kept lines first (in the order sent), then new ones: ``settled_order`` says where each
element ends up, which is how the view stored as the base matches the next read of the order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shopsync.mapping import Block
from shopsync.mapping import Mapping as FieldMapping
from shopsync.tripletex import TripletexModel

__all__ = ["Slot", "assign", "blocks", "ids_from_record", "layout", "settled_order"]


@dataclass(frozen=True)
class Slot:
    """One element of a written Tripletex list: its block, its index in the view's list (None: element)."""

    block: str
    index: int | None


def blocks(mapping: FieldMapping, entity: str) -> list[Block]:
    """The entity's list and element blocks, in file order (the order ``to_tripletex`` writes them)."""
    return [e for e in mapping.entity(entity).entries if isinstance(e, Block)]


def layout(block_list: Sequence[Block], view: Mapping[str, Any]) -> list[Slot]:
    """The slots of the Tripletex list ``to_tripletex`` writes for ``view``, in order."""
    out: list[Slot] = []
    for block in block_list:
        value = view.get(block.key)
        if block.kind == "list":
            out.extend(Slot(block.key, i) for i in range(len(value or [])))
        elif value is not None:
            out.append(Slot(block.key, None))
    return out


def _marker_matches(item: Mapping[str, Any], marker: Mapping[str, Any]) -> bool:
    for name, expected in marker.items():
        actual = item.get(name)
        if isinstance(expected, str) and isinstance(actual, str):
            if actual.strip() != expected.strip():
                return False
        elif actual != expected:
            return False
    return True


def ids_from_record(
    block_list: Sequence[Block], record: TripletexModel | Mapping[str, Any]
) -> tuple[dict[str, list[int]], dict[str, int | None]]:
    """Tripletex ids per list block and element block, aligned with the record's Tripletex view."""
    data = record.model_dump(by_alias=True) if isinstance(record, TripletexModel) else dict(record)
    line_ids: dict[str, list[int]] = {}
    element_ids: dict[str, int | None] = {}
    for path in dict.fromkeys(b.tripletex for b in block_list):
        items = [i for i in (data.get(path) or []) if isinstance(i, Mapping)]
        claimed: set[int] = set()
        for block in (b for b in block_list if b.tripletex == path and b.kind == "element"):
            found = next(
                (n for n, it in enumerate(items) if n not in claimed and _marker_matches(it, block.marker)),
                None,
            )
            if found is not None:
                claimed.add(found)
            element_ids[block.key] = None if found is None else int(items[found]["id"])
        rest = [int(it["id"]) for n, it in enumerate(items) if n not in claimed]
        for block in (b for b in block_list if b.tripletex == path and b.kind == "list"):
            line_ids[block.key] = rest
    return line_ids, element_ids


def _identity_keys(block: Block) -> list[str]:
    return [r.key for r in block.rows if r.ref is not None and r.ref.kind == "link"]


def _pair(
    mapping: FieldMapping,
    entity: str,
    block: Block,
    desired: Sequence[Mapping[str, Any]],
    existing: Sequence[tuple[int, Mapping[str, Any]]],
) -> list[int | None]:
    result: list[int | None] = [None] * len(desired)
    free = list(range(len(existing)))

    def take(j: int, idx: int) -> None:
        result[j] = existing[idx][0]
        free.remove(idx)

    for j, want in enumerate(desired):  # 1. same content
        idx = next((i for i in free if mapping.same(entity, block.key, [want], [existing[i][1]])), None)
        if idx is not None:
            take(j, idx)
    keys = _identity_keys(block)
    for j, want in enumerate(desired):  # 2. same linked product
        if result[j] is not None or not keys or all(want.get(k) is None for k in keys):
            continue
        idx = next((i for i in free if all(existing[i][1].get(k) == want.get(k) for k in keys)), None)
        if idx is not None:
            take(j, idx)
    for j in range(len(desired)):  # 3. same position
        if result[j] is None and j in free:
            take(j, j)
    for j in range(len(desired)):  # 4. whatever is left, in order
        if result[j] is None and free:
            take(j, free[0])
    return result


def assign(
    mapping: FieldMapping,
    entity: str,
    block_list: Sequence[Block],
    view: Mapping[str, Any],
    current: Mapping[str, Any],
    line_ids: Mapping[str, Sequence[int]],
    element_ids: Mapping[str, int | None],
) -> list[int | None]:
    """The Tripletex id (or None: create) of every slot of ``layout(view)``.

    ``current`` is the Tripletex view the ids belong to (``line_ids`` aligned with its list blocks).
    """
    per_block: dict[str, list[int | None]] = {}
    for block in block_list:
        if block.kind == "list":
            existing = list(zip(line_ids.get(block.key, ()), current.get(block.key) or [], strict=False))
            per_block[block.key] = _pair(mapping, entity, block, view.get(block.key) or [], existing)
        else:
            per_block[block.key] = [element_ids.get(block.key)]
    out: list[int | None] = []
    for slot in layout(block_list, view):
        out.append(per_block[slot.block][slot.index if slot.index is not None else 0])
    return out


def settled_order(slots: Sequence[Slot], ids: Sequence[int | None]) -> list[int]:
    """Positions of ``slots`` in the order Tripletex will list them: kept lines first, then new ones."""
    kept = [n for n, i in enumerate(ids) if i is not None]
    new = [n for n, i in enumerate(ids) if i is None]
    return kept + new
