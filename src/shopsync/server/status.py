"""The overview's data: one JSON-ready dict, rendered by the page and returned by ``/api/status``.

Per entity: linked pairs, pending work, open conflicts, dead letters and reviews, and when a record was
last written each way (webshop → Tripletex, Tripletex → webshop) according to the event log. Then the
last pass and the one running, journal intents still open, the cursors, and from ``Metrics``: the
rate-limit headroom per side, API calls, 429s, webhook counts and the mean webhook → write latency.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shopsync.config import ENTITIES
from shopsync.state import Pass, StateStore

from .metrics import Metrics
from .queries import last_writes

__all__ = ["overview"]


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _pass(p: Pass | None) -> dict[str, Any] | None:
    if p is None:
        return None
    summary = p.summary if isinstance(p.summary, dict) else {}
    return {
        "id": p.id,
        "kind": p.kind,
        "status": p.status,
        "started_at": _iso(p.started_at),
        "finished_at": _iso(p.finished_at),
        "error": summary.get("error"),
        "in_sync": summary.get("in_sync"),
    }


def overview(store: StateStore, metrics: Metrics) -> dict[str, Any]:
    """Everything the overview shows (blocking: call it from a worker thread)."""
    summary = store.status_summary()
    names = [*ENTITIES, *sorted(set(summary.entities) - set(ENTITIES))]
    writes = last_writes(store, names)
    entities: dict[str, dict[str, Any]] = {}
    for name in names:
        counts = summary.entities.get(name)
        entities[name] = {
            "linked": counts.links if counts else 0,
            "pending": counts.pending if counts else 0,
            "conflicts": counts.conflicts if counts else 0,
            "dead_letters": counts.dead_letters if counts else 0,
            "reviews": counts.reviews if counts else 0,
            # A write on Tripletex carried a webshop change, and the other way round.
            "last_to_tripletex": _iso(writes[name]["tripletex"]),
            "last_to_webshop": _iso(writes[name]["webshop"]),
        }
    figures = metrics.snapshot()
    return {
        "tenant": summary.tenant,
        "generated_at": _iso(summary.generated_at),
        "entities": entities,
        "totals": {
            key: sum(e[key] for e in entities.values())
            for key in ("linked", "pending", "conflicts", "dead_letters", "reviews")
        },
        "last_pass": _pass(store.last_pass(finished=True)),
        "running_pass": _pass(p) if (p := summary.last_pass) and p.finished_at is None else None,
        "open_intents": summary.open_intents,
        "cursors": [
            {"side": c.side, "entity": c.entity, "value": c.value, "updated_at": _iso(c.updated_at)}
            for c in summary.cursors
        ],
        **figures.to_dict(),
        "latency_mean_seconds": figures.latency_sum / figures.latency_count
        if figures.latency_count
        else None,
    }
