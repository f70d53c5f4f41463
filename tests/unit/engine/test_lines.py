"""Order lines: which Tripletex line each desired line replaces, so nothing is duplicated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopsync.engine import lines
from shopsync.mapping import Mapping
from tests.unit.mapping.records import ORDER, make_resolver


def order_views(mapping: Mapping) -> tuple[dict[str, Any], list[Any]]:
    """The sample order's view and the mapping's blocks."""
    return mapping.webshop_view("order", ORDER, make_resolver()), lines.blocks(mapping, "order")


def test_layout_follows_the_written_body(mapping: Mapping) -> None:
    """Slots are the list block's lines then the shipping element, as ``to_tripletex`` writes them."""
    view, blocks = order_views(mapping)
    slots = lines.layout(blocks, view)
    assert [(s.block, s.index) for s in slots] == [("lines", 0), ("lines", 1), ("shipping", None)]
    body = mapping.to_tripletex("order", view, make_resolver())
    assert len(body["orderLines"]) == len(slots)


def test_kept_changed_new_and_removed_lines(mapping: Mapping) -> None:
    """Unchanged lines keep their ids, a changed quantity keeps its product's line, new lines get none."""
    view, blocks = order_views(mapping)
    first, second = view["lines"]
    new_line = {**second, "description": "Kort", "product": "2002"}
    desired = {**view, "lines": [second, {**first, "count": Decimal(7)}, new_line]}
    ids = lines.assign(mapping, "order", blocks, desired, view, {"lines": [11, 12]}, {"shipping": 13})
    assert ids == [12, 11, None, 13]
    shorter = {**view, "lines": [first]}
    assert lines.assign(mapping, "order", blocks, shorter, view, {"lines": [11, 12]}, {"shipping": 13}) == [
        11,
        13,
    ]


def test_position_only_lines_are_reused_in_order(mapping: Mapping) -> None:
    """Lines without products that changed are updated in place by position, never re-created."""
    view, blocks = order_views(mapping)
    plain = [{**line, "product": None} for line in view["lines"]]
    current = {**view, "lines": plain}
    desired = {**view, "lines": [{**plain[0], "description": "A"}, {**plain[1], "description": "B"}]}
    ids = lines.assign(mapping, "order", blocks, desired, current, {"lines": [21, 22]}, {"shipping": None})
    assert ids == [21, 22, None]


def test_settled_order_puts_new_lines_last() -> None:
    """Tripletex lists kept lines first, then the new ones, each in the order sent."""
    slots = [lines.Slot("lines", i) for i in range(3)] + [lines.Slot("shipping", None)]
    assert lines.settled_order(slots, [5, None, 6, 7]) == [0, 2, 3, 1]


def test_ids_from_a_tripletex_record_split_shipping_by_marker(mapping: Mapping) -> None:
    """The "Frakt" line is the shipping element wherever it is; the rest are lines in order."""
    _, blocks = order_views(mapping)
    record = {"orderLines": [{"id": 1, "description": "A"}, {"id": 2, "description": "Frakt"}, {"id": 3}]}
    assert lines.ids_from_record(blocks, record) == ({"lines": [1, 3]}, {"shipping": 2})
    assert lines.ids_from_record(blocks, {"orderLines": [{"id": 4}]}) == ({"lines": [4]}, {"shipping": None})
