"""Where a listing over Tripletex's limit is cut next time (``engine.partitions``)."""

from __future__ import annotations

import datetime as dt

from shopsync.engine.partitions import PARTITIONED, cuts_for

ORDER, PRODUCT = PARTITIONED["order"], PARTITIONED["product"]


def test_cuts_start_a_part_before_it_would_hold_too_many_rows() -> None:
    """Dates in order; a part closes before the value that would overfill it; one crowded value is a
    part of its own."""
    counts = {"2025-11-03": 3, "2025-11-01": 2, "2025-11-02": 2, "2025-11-04": 9, "2025-11-05": 1}
    assert cuts_for(counts, ORDER, rows=4) == ["2025-11-03", "2025-11-04", "2025-11-05"]
    assert cuts_for(counts, ORDER, rows=100) == []


def test_prices_are_cut_in_numeric_order() -> None:
    counts = {"100.00": 2, "9.50": 2, "1000": 2, "25": 2}
    assert cuts_for(counts, PRODUCT, rows=4) == ["100.00"]


def test_order_parts_cover_the_window_and_skip_cuts_it_has_left() -> None:
    """The first and last part end at the window's bounds; a cut older than the window (it moved on)
    makes no empty part."""
    window = {"order_date_from": dt.date(2025, 10, 25), "order_date_to": dt.date(2026, 12, 1)}
    parts = ORDER.parts(["2025-10-01", "2025-11-10"], window)
    assert [(p["order_date_from"], p["order_date_to"]) for p in parts] == [
        (dt.date(2025, 10, 25), "2025-11-10"),
        ("2025-11-10", dt.date(2026, 12, 1)),
    ]


def test_product_parts_are_open_at_both_ends() -> None:
    parts = PRODUCT.parts(["50", "200"], {})
    assert parts == [
        {"price_excluding_vat_currency_to": "50"},
        {"price_excluding_vat_currency_from": "50", "price_excluding_vat_currency_to": "200"},
        {"price_excluding_vat_currency_from": "200"},
    ]
