"""Metrics: what a pass, API calls, rate limits and webhook latency turn into, per app registry."""

from __future__ import annotations

import datetime as dt

from prometheus_client.parser import text_string_to_metric_families

from shopsync.engine.summary import PassSummary
from shopsync.server import Metrics

T0 = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition as ``{(name, sorted labels): value}`` (parsed, not grepped)."""
    out = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_a_pass_summary_counts_records_conflicts_and_dead_letters() -> None:
    """Created/updated/deactivated/linked per entity, side and action; conflicts and dead letters per
    entity and side; the pass outcome; open issues as gauges."""
    summary = PassSummary(entities=("customer", "product"), started_at=T0, finished_at=T0)
    summary.of("customer", "tripletex").created = 3
    summary.of("customer", "tripletex").updated = 2
    summary.of("customer", "webshop").linked = 4
    summary.of("product", "webshop").conflicts = 1
    summary.of("product", "tripletex").dead_lettered = 2
    summary.attention = {"product": {"dead_letters": 2, "conflicts": 1, "reviews": 0, "pending": 0}}
    metrics = Metrics()
    metrics.observe_summary(summary)
    metrics.observe_summary(summary)
    got = samples(metrics)
    synced = "shopsync_records_synced_total"
    assert got[(synced, (("action", "created"), ("entity", "customer"), ("side", "tripletex")))] == 6
    assert got[(synced, (("action", "updated"), ("entity", "customer"), ("side", "tripletex")))] == 4
    assert got[(synced, (("action", "linked"), ("entity", "customer"), ("side", "webshop")))] == 8
    assert got[("shopsync_conflicts_total", (("entity", "product"), ("side", "webshop")))] == 2
    assert got[("shopsync_dead_letters_total", (("entity", "product"), ("side", "tripletex")))] == 4
    assert got[("shopsync_passes_total", (("outcome", "attention"),))] == 2
    assert got[("shopsync_open_issues", (("entity", "product"), ("kind", "dead_letters")))] == 2
    assert got[("shopsync_open_issues", (("entity", "customer"), ("kind", "dead_letters")))] == 0
    assert got[("shopsync_last_pass_timestamp_seconds", ())] == T0.timestamp()
    assert metrics.snapshot().passes == 2


def test_a_pass_that_stopped_counts_as_error() -> None:
    """A pass with an error is counted under outcome=error."""
    summary = PassSummary(entities=("customer",), started_at=T0, error="connection refused")
    metrics = Metrics()
    metrics.observe_summary(summary)
    assert samples(metrics)[("shopsync_passes_total", (("outcome", "error"),))] == 1


def test_api_calls_429s_and_rate_limit_headroom() -> None:
    """Calls per side and status, 429s apart, and the last rate-limit headers as gauges and headroom."""
    metrics = Metrics()
    for status in (200, 200, 429, 0):
        metrics.observe_api_call("tripletex", status)
    metrics.observe_api_call("webshop", 201)
    metrics.set_rate_limit("tripletex", 25, 100)
    metrics.set_rate_limit("webshop", None, None)
    got = samples(metrics)
    assert got[("shopsync_api_calls_total", (("side", "tripletex"), ("status", "200")))] == 2
    assert got[("shopsync_api_calls_total", (("side", "tripletex"), ("status", "0")))] == 1
    assert got[("shopsync_rate_limited_total", (("side", "tripletex"),))] == 1
    assert got[("shopsync_rate_limit_remaining", (("side", "tripletex"),))] == 25
    assert got[("shopsync_rate_limit_limit", (("side", "tripletex"),))] == 100
    snap = metrics.snapshot()
    assert snap.api_calls == {"tripletex": 4, "webshop": 1} and snap.rate_limited == {"tripletex": 1}
    assert snap.rate_limits["tripletex"].headroom == 0.25
    assert snap.rate_limits["webshop"].headroom is None
    assert snap.to_dict()["rate_limits"]["tripletex"] == {"remaining": 25, "limit": 100, "headroom": 0.25}


def test_webhook_latency_is_a_histogram() -> None:
    """Observations land in the buckets; count and sum are kept for the page too."""
    metrics = Metrics()
    for seconds in (0.04, 0.3, 0.9, 2.5):
        metrics.observe_webhook_latency(seconds)
    got = samples(metrics)
    bucket = "shopsync_webhook_to_write_seconds_bucket"
    assert got[(bucket, (("le", "0.05"),))] == 1
    assert got[(bucket, (("le", "1.0"),))] == 3
    assert got[(bucket, (("le", "+Inf"),))] == 4
    assert got[("shopsync_webhook_to_write_seconds_count", ())] == 4
    snap = metrics.snapshot()
    assert snap.latency_count == 4 and abs(snap.latency_sum - 3.74) < 1e-9


def test_every_instance_has_its_own_registry() -> None:
    """Two apps in one process do not share or clash on metrics."""
    one, two = Metrics(), Metrics()
    one.observe_api_call("webshop", 200)
    assert ("shopsync_api_calls_total", (("side", "webshop"), ("status", "200"))) in samples(one)
    assert ("shopsync_api_calls_total", (("side", "webshop"), ("status", "200"))) not in samples(two)
