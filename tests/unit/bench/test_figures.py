"""The benchmark's own arithmetic: the minimum Tripletex calls, the share of a rate limit, growth."""

from __future__ import annotations

from bench.minimum import minimum_calls
from bench.rate_bound import Sample, window_share
from bench.scale import growth


def test_minimum_counts_listings_fetches_references_and_batches() -> None:
    """An initial load into an empty Tripletex: login, four lists, references, batched creates."""
    counts = {"customer": 1000, "customer_inactive": 0, "product": 250, "order": 1000}
    writes = {"customer": (1000, 0), "product": (250, 0), "order": (1000, 0)}
    assert minimum_calls(counts, {}, writes) == 1 + 4 + 3 + (10 + 3 + 10)


def test_minimum_fetches_changed_inactive_customers_apart() -> None:
    """Tripletex's GET by ids lists active customers unless asked for inactive ones: two fetches."""
    counts = {"customer": 93, "customer_inactive": 7, "product": 25, "order": 0}
    writes = {"customer": (1000, 0), "product": (250, 0), "order": (1000, 0)}
    changed = {"customer": 93, "customer_inactive": 7, "product": 25}
    assert minimum_calls(counts, changed, writes) == 1 + 4 + (1 + 1 + 1) + 3 + (10 + 3 + 10)
    assert minimum_calls(counts, {"customer": 100, "product": 25}, writes) == 1 + 4 + 2 + 3 + 23


def test_minimum_lists_many_customers_by_number_blocks_and_updates_orders_one_by_one() -> None:
    """Over 10,000 customers a list takes one call per 500 numbers (inactive customers hold numbers
    too); orders have no batch update."""
    counts = {"customer": 10_800, "customer_inactive": 200, "product": 2_750, "order": 10_000}
    changed = {"customer": 105, "product": 28}
    writes = {"customer": (0, 110), "product": (0, 28), "order": (0, 100)}
    assert minimum_calls(counts, changed, writes) == 1 + (22 + 1 + 1 + 1) + (1 + 1) + 3 + (2 + 1 + 100)
    assert minimum_calls(counts, {}, {}) == 1 + 22 + 1 + 1 + 1  # idle: listings only


def test_window_share_counts_complete_windows_only() -> None:
    """Two complete 10 s windows with 10 answered calls each of 10 allowed (the second sent 11, one
    answered 429); the burst of the last, incomplete window is left out."""
    samples = [Sample(0.0, 100, 0), Sample(0.5, 100, 0)]
    samples += [Sample(0.6 + t, 100 + n, 0) for t, n in ((0.0, 1), (3.0, 10))]
    samples += [Sample(10.6, 110, 0), Sample(11.0, 121, 1), Sample(20.6, 121, 1), Sample(21.0, 131, 1)]
    samples += [Sample(22.0, 136, 1), Sample(30.0, 136, 1)]
    result = window_share(samples, period=10.0, limit=10)
    assert result["windows"] == 2
    assert result["per_window"] == [10, 10]
    assert result["share"] == 1.0


def test_window_share_without_a_request_has_no_share() -> None:
    assert window_share([Sample(0.0, 5, 0), Sample(1.0, 5, 0)], period=1.0, limit=10)["share"] is None


def test_growth_is_per_decade_and_judged_by_kind() -> None:
    """CPU seconds ×10 per decade is linear; CPU per record ×2 per decade is not flat."""
    sizes = [
        {
            "size": 1000,
            "passes": {"initial": {"cpu_seconds": 1.0, "cpu_ms_per_record": 1.0}},
            "latency": None,
        },
        {
            "size": 100_000,
            "passes": {"initial": {"cpu_seconds": 100.0, "cpu_ms_per_record": 4.0}},
            "latency": None,
        },
    ]
    rows = {r["figure"]: r for r in growth(sizes)}
    assert rows["initial: CPU s"]["per_decade"] == 10.0 and rows["initial: CPU s"]["linear_or_better"]
    assert rows["initial: CPU ms / record"]["per_decade"] == 2.0
    assert not rows["initial: CPU ms / record"]["linear_or_better"]
