"""``PassSummary``: what one pass did, per entity and side, and whether both sides are now in sync.

Counts are attributed to the side whose record was written or examined: ``created``/``updated``/
``deactivated`` on the side that was written, ``unchanged`` on each side of a pair that needed no
write, ``linked`` on the side whose existing record was matched, ``dead_lettered``/``waiting``/
``review`` on the side of the failing record, ``conflicts`` on the side whose edit was overwritten
(or could not be applied). ``attention`` is read from the state store after the pass, so records that
failed in earlier passes and still fail keep the exit code at 1 until they are replayed or discarded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from rich.table import Table

from shopsync.state import StatusSummary

__all__ = ["COUNT_NAMES", "SIDES", "Counts", "PassSummary", "PlannedAction"]

SIDES: tuple[str, ...] = ("webshop", "tripletex")


@dataclass
class Counts:
    """What happened to one entity's records on one side."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    deactivated: int = 0
    dead_lettered: int = 0
    conflicts: int = 0
    waiting: int = 0
    review: int = 0

    def add(self, other: Counts) -> None:
        """Add ``other``'s counts to these."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def writes(self) -> int:
        """Records written on this side."""
        return self.created + self.updated + self.deactivated


#: Count names in display order.
COUNT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Counts))


@dataclass(frozen=True)
class PlannedAction:
    """One thing a dry run (``SyncEngine.plan``) found the next pass would do.

    ``action`` is ``create``, ``update``, ``link``, ``deactivate`` (writes), ``dead_letter``, ``wait``,
    ``review`` or ``conflict``; ``side`` is the system written (the failing record's side for
    ``dead_letter``/``wait``/``review``; None for ``link`` and ``conflict``, which concern both). A record
    that would be created has no id yet on the side it is created on (None there); ``detail`` holds the
    fields written, the reason or the conflict's field and winner.
    """

    entity: str
    action: str
    side: str | None
    webshop_id: str | None
    tripletex_id: int | None
    detail: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    def __str__(self) -> str:
        ids = ", ".join(
            text
            for text in (
                f"webshop {self.webshop_id}" if self.webshop_id else "",
                f"tripletex {self.tripletex_id}" if self.tripletex_id is not None else "",
            )
            if text
        )
        where = f" in {self.side}" if self.side else ""
        extra = self.detail.get("fields") or self.detail.get("reason") or self.detail.get("field") or ""
        shown = f": {', '.join(extra) if isinstance(extra, list) else extra}" if extra else ""
        return f"{self.action} {self.entity}{where} ({ids or 'new'}){shown}"


@dataclass
class PassSummary:
    """The outcome of ``SyncEngine.run_pass`` or ``sync_records``."""

    entities: tuple[str, ...]
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    pass_id: int | None = None
    counts: dict[str, dict[str, Counts]] = field(default_factory=dict)
    #: Entities whose deletes the mass-delete breaker stopped, with the reason.
    breaker: dict[str, str] = field(default_factory=dict)
    #: Open issues in the state after the pass: dead_letters, conflicts, reviews, pending (per entity).
    attention: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Why the pass stopped early, if it did.
    error: str | None = None
    #: The pass ended early because a stop was requested (``SyncEngine.request_stop``): what it
    #: finished is stored, the rest is left for the next pass.
    interrupted: bool = False
    #: A dry run (``SyncEngine.plan``): nothing was written; ``planned`` lists what a pass would do.
    dry_run: bool = False
    planned: list[PlannedAction] = field(default_factory=list)

    def __post_init__(self) -> None:
        for entity in self.entities:
            self.counts.setdefault(entity, {side: Counts() for side in SIDES})

    def of(self, entity: str, side: str) -> Counts:
        """The counts of ``entity`` on ``side`` (created on first use)."""
        return self.counts.setdefault(entity, {s: Counts() for s in SIDES}).setdefault(side, Counts())

    def total(self, side: str | None = None) -> Counts:
        """All entities' counts added up (for one side, or both)."""
        out = Counts()
        for per_side in self.counts.values():
            for name, counts in per_side.items():
                if side is None or name == side:
                    out.add(counts)
        return out

    def note_attention(self, status: StatusSummary) -> None:
        """Record the store's open issues after the pass (they decide ``in_sync``)."""
        self.attention = {
            entity: {
                "dead_letters": s.dead_letters,
                "conflicts": s.conflicts,
                "reviews": s.reviews,
                "pending": s.pending,
            }
            for entity, s in status.entities.items()
            if s.dead_letters or s.conflicts or s.reviews or s.pending
        }

    @property
    def in_sync(self) -> bool:
        """Both sides agree: no error, no stop, no breaker, no dead letter, open conflict, review or
        waiting record."""
        return self.error is None and not self.interrupted and not self.breaker and not self.attention

    @property
    def exit_code(self) -> int:
        """0 when in sync, 1 when the pass finished but something needs attention (or it was stopped)."""
        return 0 if self.in_sync else 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored as the pass summary and printed by ``sync --json``)."""
        return {
            "pass_id": self.pass_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "in_sync": self.in_sync,
            "exit_code": self.exit_code,
            "counts": {
                entity: {side: asdict(c) for side, c in per_side.items()}
                for entity, per_side in self.counts.items()
            },
            "breaker": dict(self.breaker),
            "attention": {k: dict(v) for k, v in self.attention.items()},
            "error": self.error,
            "interrupted": self.interrupted,
            "dry_run": self.dry_run,
            "planned": [a.to_dict() for a in self.planned],
        }

    def table(self) -> Table:
        """A rich table: one row per entity and side, one column per count."""
        table = Table(title="shopsync pass", show_lines=False)
        table.add_column("entity")
        table.add_column("side")
        for name in COUNT_NAMES:
            table.add_column(name.replace("_", " "), justify="right")
        for entity, per_side in self.counts.items():
            for side in SIDES:
                c = per_side.get(side, Counts())
                table.add_row(entity, side, *(str(getattr(c, n)) for n in COUNT_NAMES))
        return table

    def lines(self) -> list[str]:
        """Plain-text lines: the verdict, the breaker and what needs attention."""
        if self.dry_run:
            out = [
                "plan only: nothing was written; after such a pass both sides would be "
                + ("in sync" if self.in_sync else "NOT in sync")
            ]
            out += [f"  {action}" for action in self.planned]
        else:
            out = ["in sync" if self.in_sync else "NOT in sync"]
        if self.error:
            out.append(f"error: {self.error}")
        if self.interrupted:
            out.append("interrupted: stopped on request; what it did is stored, the next pass does the rest")
        for entity, reason in self.breaker.items():
            out.append(f"{entity}: mass-delete breaker: {reason}")
        for entity, issues in self.attention.items():
            text = ", ".join(f"{n.replace('_', ' ')} {v}" for n, v in issues.items() if v)
            out.append(f"{entity}: needs attention: {text}")
        return out

    def __str__(self) -> str:
        rows = []
        for entity, per_side in self.counts.items():
            for side, c in per_side.items():
                shown = ", ".join(f"{n} {getattr(c, n)}" for n in COUNT_NAMES if getattr(c, n))
                rows.append(f"{entity}/{side}: {shown or 'nothing'}")
        return "\n".join(rows + self.lines())
