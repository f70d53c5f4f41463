"""Prometheus metrics of one running shopsync, in their own registry (tests build many apps at once).

Every metric is named ``shopsync_*``; docs/status-page.md says what each one means. Besides the
Prometheus registry, ``snapshot()`` keeps the few figures the status page shows (rate-limit headroom,
API calls, 429s, webhook counts) as plain numbers, so the page never parses its own exposition.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from shopsync.engine.summary import PassSummary

__all__ = ["CONTENT_TYPE", "LATENCY_BUCKETS", "Metrics", "MetricsSnapshot", "RateLimit"]

#: The ``Content-Type`` of ``Metrics.render()``.
CONTENT_TYPE = CONTENT_TYPE_LATEST
#: Webhook → write latency buckets in seconds; the target is 1 s at p95, so they are finest below it.
LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)
#: Counts of a pass summary that are records written or matched, per ``action`` label.
_SYNC_ACTIONS = ("created", "updated", "deactivated", "linked")
#: Open issue kinds of ``PassSummary.attention``.
_ISSUE_KINDS = ("dead_letters", "conflicts", "reviews", "pending")


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The last rate-limit headers seen from one side (None: that side never sent the header)."""

    remaining: int | None
    limit: int | None

    @property
    def headroom(self) -> float | None:
        """``remaining / limit`` (0..1), when both are known."""
        if self.remaining is None or not self.limit:
            return None
        return max(0.0, min(1.0, self.remaining / self.limit))


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    """The figures the status page shows, copied out under the lock."""

    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    api_calls: dict[str, int] = field(default_factory=dict)
    rate_limited: dict[str, int] = field(default_factory=dict)
    webhooks: dict[str, dict[str, int]] = field(default_factory=dict)
    latency_count: int = 0
    latency_sum: float = 0.0
    passes: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for ``/api/status``)."""
        data = asdict(self)
        data["rate_limits"] = {
            side: {**asdict(limit), "headroom": limit.headroom} for side, limit in self.rate_limits.items()
        }
        return data


class Metrics:
    """The counters, gauges and the latency histogram of one shopsync process.

    Thread-safe: the engine, the worker and the server threads may all record at once.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._synced = Counter(
            "shopsync_records_synced",
            "Records written (created, updated, deactivated) or linked, per entity and the side written.",
            ["entity", "side", "action"],
            registry=r,
        )
        self._conflicts = Counter(
            "shopsync_conflicts",
            "Field conflicts found, per entity and the side whose edit was overwritten or not applied.",
            ["entity", "side"],
            registry=r,
        )
        self._dead_letters = Counter(
            "shopsync_dead_letters",
            "Records that failed and were parked as dead letters, per entity and the failing side.",
            ["entity", "side"],
            registry=r,
        )
        self._passes = Counter(
            "shopsync_passes",
            "Sync passes finished, by outcome (in_sync, attention, error).",
            ["outcome"],
            registry=r,
        )
        self._open = Gauge(
            "shopsync_open_issues",
            "Open issues after the last pass, per entity and kind "
            "(dead_letters, conflicts, reviews, pending).",
            ["entity", "kind"],
            registry=r,
        )
        self._last_pass = Gauge(
            "shopsync_last_pass_timestamp_seconds", "When the last pass finished (Unix time).", registry=r
        )
        self._api_calls = Counter(
            "shopsync_api_calls",
            "HTTP calls made to each side, by status code (0: no answer).",
            ["side", "status"],
            registry=r,
        )
        self._rate_limited = Counter(
            "shopsync_rate_limited", "Calls answered 429 Too Many Requests, per side.", ["side"], registry=r
        )
        self._remaining = Gauge(
            "shopsync_rate_limit_remaining",
            "Requests left in the current rate-limit window, per side (last header seen).",
            ["side"],
            registry=r,
        )
        self._limit = Gauge(
            "shopsync_rate_limit_limit",
            "Size of the rate-limit window, per side (last header seen).",
            ["side"],
            registry=r,
        )
        self._latency = Histogram(
            "shopsync_webhook_to_write_seconds",
            "Time from a webhook's receipt to the write on the other side being done.",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self._webhooks = Counter(
            "shopsync_webhooks",
            "Webhook deliveries received, per source and outcome "
            "(accepted, duplicate, ignored, rejected, unavailable).",
            ["source", "outcome"],
            registry=r,
        )
        self._lock = threading.Lock()
        self._rate_limits: dict[str, RateLimit] = {}
        self._calls: dict[str, int] = {}
        self._429s: dict[str, int] = {}
        self._hooks: dict[str, dict[str, int]] = {}
        self._latency_count = 0
        self._latency_sum = 0.0
        self._pass_count = 0

    # ------------------------------------------------------------------ recording

    def observe_summary(self, summary: PassSummary) -> None:
        """Count what a pass did: records synced per entity/side/action, conflicts, dead letters, and
        set the open-issue gauges from its ``attention``."""
        for entity, per_side in summary.counts.items():
            for side, counts in per_side.items():
                for action in _SYNC_ACTIONS:
                    value = getattr(counts, action)
                    if value:
                        self._synced.labels(entity, side, action).inc(value)
                if counts.conflicts:
                    self._conflicts.labels(entity, side).inc(counts.conflicts)
                if counts.dead_lettered:
                    self._dead_letters.labels(entity, side).inc(counts.dead_lettered)
        outcome = "error" if summary.error else ("in_sync" if summary.in_sync else "attention")
        self._passes.labels(outcome).inc()
        for entity in {*summary.entities, *summary.attention}:
            issues = summary.attention.get(entity, {})
            for kind in _ISSUE_KINDS:
                self._open.labels(entity, kind).set(issues.get(kind, 0))
        if summary.finished_at is not None:
            self._last_pass.set(summary.finished_at.timestamp())
        with self._lock:
            self._pass_count += 1

    def observe_api_call(self, side: str, status: int) -> None:
        """One HTTP call to ``side`` answered with ``status`` (0 when no answer came); 429s also count
        as rate limited."""
        self._api_calls.labels(side, str(status)).inc()
        if status == 429:
            self._rate_limited.labels(side).inc()
        with self._lock:
            self._calls[side] = self._calls.get(side, 0) + 1
            if status == 429:
                self._429s[side] = self._429s.get(side, 0) + 1

    def set_rate_limit(self, side: str, remaining: int | None, limit: int | None) -> None:
        """The rate-limit headers last seen from ``side`` (None: not sent)."""
        if remaining is not None:
            self._remaining.labels(side).set(remaining)
        if limit is not None:
            self._limit.labels(side).set(limit)
        with self._lock:
            self._rate_limits[side] = RateLimit(remaining, limit)

    def observe_webhook_latency(self, seconds: float) -> None:
        """A webhook's change reached the other side ``seconds`` after the webhook was received."""
        value = max(0.0, seconds)
        self._latency.observe(value)
        with self._lock:
            self._latency_count += 1
            self._latency_sum += value

    def observe_webhook(self, source: str, outcome: str) -> None:
        """A delivery from ``source`` was ``accepted``, a ``duplicate``, ``ignored``, ``rejected`` or
        ``unavailable`` (the receiver is not configured)."""
        self._webhooks.labels(source, outcome).inc()
        with self._lock:
            per_source = self._hooks.setdefault(source, {})
            per_source[outcome] = per_source.get(outcome, 0) + 1

    # ------------------------------------------------------------------ reading

    def snapshot(self) -> MetricsSnapshot:
        """The figures the status page shows."""
        with self._lock:
            return MetricsSnapshot(
                rate_limits=dict(self._rate_limits),
                api_calls=dict(self._calls),
                rate_limited=dict(self._429s),
                webhooks={source: dict(counts) for source, counts in self._hooks.items()},
                latency_count=self._latency_count,
                latency_sum=self._latency_sum,
                passes=self._pass_count,
            )

    def render(self) -> bytes:
        """Every metric in the Prometheus text exposition format."""
        return generate_latest(self.registry)
