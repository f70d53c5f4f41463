"""Cutting a complete Tripletex listing of orders or products into parts the list limit allows.

Tripletex refuses a list matching more than 10,000 rows, whatever ``count`` asks. The client then
splits the query blindly (``tripletex._splitters``): the whole list and a probe are refused first, then
order-date windows are halved (most of a 400-day window is empty when the orders are recent) or price
ranges bisected, each refused half costing a call. A scan that listed more than the limit therefore
remembers where to cut next time: the order dates or product prices at which parts of at most
``PART_ROWS`` rows (headroom for growth between passes) begin. The next scan lists those parts, the
first and last open towards the window's ends (orders) or without a bound (products), so together
they cover everything; a part grown past the limit is split by the client as before.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["PARTITIONED", "PART_ROWS", "Partition", "cursor_cuts", "cursor_text", "cuts_for"]

#: Rows per remembered part: under the limit of 10,000, so a part can grow between passes.
PART_ROWS = 8_000


@dataclass(frozen=True)
class Partition:
    """How an entity's listing is cut: the property, the filters of a part, how values sort."""

    prop: str
    from_filter: str
    to_filter: str
    sort_key: Callable[[str], Any]

    def value(self, record: Any) -> str | None:
        """The record's value of ``prop`` as text (None when it has none)."""
        value = getattr(record, self.prop, None)
        if value is None:
            return None
        return format(value, "f") if isinstance(value, Decimal) else str(value)

    def parts(self, cuts: list[str], window: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The filters of each part ``cuts`` make, within ``window`` (the listing's own bounds)."""
        first, last = window.get(self.from_filter), window.get(self.to_filter)
        # Cuts the window has left behind (it moves on every day) bound nothing.
        inside = [
            c
            for c in cuts
            if (first is None or self.sort_key(c) > self.sort_key(str(first)))
            and (last is None or self.sort_key(c) < self.sort_key(str(last)))
        ]
        out = []
        for low, high in itertools.pairwise([first, *inside, last]):
            part = dict(window)
            part[self.from_filter] = low
            part[self.to_filter] = high
            out.append({k: v for k, v in part.items() if v is not None})
        return out


PARTITIONED: dict[str, Partition] = {
    "order": Partition("orderDate", "order_date_from", "order_date_to", sort_key=str),
    "product": Partition(
        "priceExcludingVatCurrency",
        "price_excluding_vat_currency_from",
        "price_excluding_vat_currency_to",
        sort_key=Decimal,
    ),
}


def cuts_for(counts: Mapping[str, int], partition: Partition, rows: int | None = None) -> list[str]:
    """The values at which parts of at most ``rows`` (default ``PART_ROWS``) rows begin (one value
    holding more is a part of its own), from the rows counted per value."""
    rows = PART_ROWS if rows is None else rows
    cuts: list[str] = []
    filled = 0
    for value in sorted(counts, key=partition.sort_key):
        if filled and filled + counts[value] > rows:
            cuts.append(value)
            filled = 0
        filled += counts[value]
    return cuts


def cursor_text(cuts: list[str]) -> str:
    """The Tripletex cursor of an order or product listing: where its next scan cuts it."""
    return json.dumps({"cuts": cuts})


def cursor_cuts(raw: str | None) -> list[str] | None:
    """The cuts a ``cursor_text`` holds (None: no cursor yet, or one without cuts)."""
    if not raw:
        return None
    cuts = json.loads(raw).get("cuts")
    return [str(c) for c in cuts] if isinstance(cuts, list) else None
