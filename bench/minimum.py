"""The fewest Tripletex calls a sync pass could make: the yardstick of the benchmarks' ``× minimum``.

An ideal engine with the same guarantees as shopsync (every pass lists every Tripletex record's id and
version, so a change or a deletion made there is never missed; writes are batched wherever Tripletex
has a batch endpoint) would send::

    1                                   login (session token)
    + L(active customers) + L(inactive customers)     GET /customer lists both only when asked
    + L(products) + L(orders in the order-date window the engine lists: 400 days back by default)
    + Σ ⌈C_e / 500⌉                     the changed records' mapped fields, by lists of ids (inactive
                                        customers apart: a GET by ids lists active ones unless asked)
    + 3 if anything is fetched or written   VAT types, countries, currencies (references)
    + Σ ⌈created_e / 100⌉ + ⌈updated_e / 100⌉ for customers and products (POST/PUT …/list)
    + ⌈created orders / 100⌉ + updated orders    (there is no PUT /order/list: one PUT per order)

where L(n) = ⌈n / 10,000⌉ (at least 1) is a complete listing: Tripletex refuses a list matching more
than 10,000 rows, and dates (orders) or price ranges (products) can cut one into parts of at most
that. Customers have no such range filter, only lists of ids or customer numbers, as many per request
as a URL holds (500, the client's ``id_block_size``); active and inactive customers share one
numbering, so over 10,000 active customers their listing takes ⌈(active + inactive) / 500⌉ calls.
Matching existing records costs nothing extra (it uses the listing) and order lines travel inside
their orders. What the engine sends beyond this is its overhead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = [
    "BATCH",
    "ENTITIES",
    "FETCH_IDS",
    "LIST_LIMIT",
    "NUMBER_BLOCK",
    "minimum_calls",
    "tripletex_writes",
]

#: Rows a Tripletex list may match; customer numbers per request; ids per fetch; objects per /list write.
LIST_LIMIT, NUMBER_BLOCK, FETCH_IDS, BATCH = 10_000, 500, 500, 100
ENTITIES = ("customer", "product", "order")


def listing(rows: int, *, numbered: int | None = None) -> int:
    """Calls that list ``rows`` records completely; ``numbered``: how many numbers they are spread over
    (customers: active and inactive), listed by blocks of numbers when ``rows`` is over the limit."""
    if numbered is not None and rows > LIST_LIMIT:
        return math.ceil(numbered / NUMBER_BLOCK)
    return max(1, math.ceil(rows / LIST_LIMIT))


def minimum_calls(
    counts: Mapping[str, int], changed: Mapping[str, int], writes: Mapping[str, tuple[int, int]]
) -> int:
    """The formula of the module docstring. ``counts``: Tripletex records per entity after the pass
    (``customer`` active, ``customer_inactive``); ``changed``: Tripletex records changed before it, per
    entity (``customer_inactive`` apart); ``writes``: (created, updated) in Tripletex per entity."""
    listings = (
        listing(
            counts.get("customer", 0),
            numbered=counts.get("customer", 0) + counts.get("customer_inactive", 0),
        )
        + listing(counts.get("customer_inactive", 0))
        + listing(counts.get("product", 0))
        + listing(counts.get("order", 0))
    )
    fetches = sum(math.ceil(changed.get(e, 0) / FETCH_IDS) for e in (*ENTITIES, "customer_inactive"))
    batches = 0
    for entity, (created, updated) in writes.items():
        batches += math.ceil(created / BATCH)
        batches += updated if entity == "order" else math.ceil(updated / BATCH)
    references = 3 if fetches or batches else 0
    return 1 + listings + fetches + references + batches


def tripletex_writes(summary: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """(created, updated + deactivated) in Tripletex per entity, from a pass summary."""
    counts = summary.get("counts", {})
    out = {}
    for entity in ENTITIES:
        side = counts.get(entity, {}).get("tripletex", {})
        out[entity] = (
            int(side.get("created", 0)),
            int(side.get("updated", 0)) + int(side.get("deactivated", 0)),
        )
    return out
