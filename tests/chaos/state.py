"""What the state store holds after a chaos run, as totals (what ``shopsync status`` shows), read
in-process: cheaper than a CLI start-up per check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shopsync.state import StateStore

__all__ = ["StateCounts", "state_counts"]


@dataclass(frozen=True)
class StateCounts:
    """Totals over every entity of the store's status summary."""

    links: dict[str, int]
    pending: int
    conflicts: int
    dead_letters: int
    reviews: int
    open_intents: int
    raw: dict[str, Any]


def state_counts(location: str) -> StateCounts:
    """The status summary of the store at ``location`` (a SQLite path or a PostgreSQL URL), totalled."""
    with StateStore.open(location) as store:
        data = store.status_summary().to_dict()
    entities: dict[str, dict[str, int]] = data["entities"]

    def total(key: str) -> int:
        return sum(int(counts.get(key, 0)) for counts in entities.values())

    return StateCounts(
        links={entity: int(counts.get("links", 0)) for entity, counts in entities.items()},
        pending=total("pending"),
        conflicts=total("conflicts"),
        dead_letters=total("dead_letters"),
        reviews=total("reviews"),
        open_intents=int(data["open_intents"]),
        raw=data,
    )
