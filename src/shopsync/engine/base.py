"""The base of the 3-way merge: what each side held after the last sync of a linked pair.

One view per side (the mapping's advice: one shop field can feed two Tripletex fields, so the two
views may legitimately differ after a sync; a side's change is its new view against its own base).
Stored as the snapshot's JSON ``values``::

    {"webshop": {...view...}, "tripletex": {...view...},
     "line_ids": {"lines": [501, 502]}, "element_ids": {"shipping": 503},
     "pending": {"tripletex": {...keys being written...}, "webshop": {...}},
     "held": ["name"], "deleted": null, "locked": false, "initial": false}

``line_ids`` / ``element_ids`` are the Tripletex ids of an order's lines, aligned with the Tripletex
view's list blocks (so lines can be updated in place without reading the order first); ``deleted``
names the side whose record was deleted (the pair is then left alone); ``locked`` marks a closed
Tripletex order; ``initial`` says the views are not known yet (a pair linked but never merged);
``held`` lists keys whose conflict is held (open): their bases are the values before the conflict, so
neither side's view may stand in for an unread side (both are read while a conflict is held).

``pending`` is written *before* the engine writes a pair (write-ahead): the values it is about to
send to each side. If the process dies before the new base is saved, the next pass finds a side
holding exactly a pending value and knows it is the engine's own echo, not a user's edit — so a
newer edit on the other side is not lost to a same-second "newest wins" between the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from shopsync.mapping import Mapping as FieldMapping
from shopsync.state import Snapshot

from .merge import same

__all__ = ["Base"]


@dataclass(frozen=True)
class Base:
    """The last synced state of one linked pair."""

    webshop: dict[str, Any]
    tripletex: dict[str, Any]
    webshop_version: str | None = None
    tripletex_version: int | None = None
    line_ids: dict[str, list[int]] = field(default_factory=dict)
    element_ids: dict[str, int | None] = field(default_factory=dict)
    deleted: str | None = None
    #: The Tripletex record is closed (an invoiced order): edits to it become conflicts.
    locked: bool = False
    #: The views are not known yet: merge as a first sync.
    initial: bool = False
    #: Values being written to each side (``tripletex`` / ``webshop``), saved before the write.
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Keys whose conflict is held open (their bases predate the conflict).
    held: tuple[str, ...] = ()

    @classmethod
    def unknown(cls) -> Base:
        """The base of a pair that is linked but was never merged."""
        return cls({}, {}, initial=True)

    @classmethod
    def from_snapshot(cls, mapping: FieldMapping, entity: str, snapshot: Snapshot) -> Base:
        """Decode a stored snapshot (Decimals back from strings)."""
        values = snapshot.values
        return cls(
            webshop=mapping.decode_view(entity, values.get("webshop") or {}),
            tripletex=mapping.decode_view(entity, values.get("tripletex") or {}),
            webshop_version=snapshot.webshop_version,
            tripletex_version=snapshot.tripletex_version,
            line_ids={k: [int(i) for i in v] for k, v in (values.get("line_ids") or {}).items()},
            element_ids={
                k: None if v is None else int(v) for k, v in (values.get("element_ids") or {}).items()
            },
            deleted=values.get("deleted"),
            locked=bool(values.get("locked")),
            initial=bool(values.get("initial")),
            pending={
                side: mapping.decode_view(entity, view)
                for side, view in (values.get("pending") or {}).items()
            },
            held=tuple(values.get("held") or ()),
        )

    def values(self, mapping: FieldMapping, entity: str) -> dict[str, Any]:
        """The JSON stored as the snapshot's values."""
        out: dict[str, Any] = {
            "webshop": mapping.encode_view(entity, self.webshop),
            "tripletex": mapping.encode_view(entity, self.tripletex),
        }
        if self.line_ids:
            out["line_ids"] = self.line_ids
        if self.element_ids:
            out["element_ids"] = self.element_ids
        if self.deleted:
            out["deleted"] = self.deleted
        if self.locked:
            out["locked"] = True
        if self.initial:
            out["initial"] = True
        if self.pending:
            out["pending"] = {side: mapping.encode_view(entity, view) for side, view in self.pending.items()}
        if self.held:
            out["held"] = list(self.held)
        return out

    def with_(self, **changes: Any) -> Base:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    def effective(
        self, mapping: FieldMapping, entity: str, webshop: dict[str, Any], tripletex: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The bases to merge against: the stored views, except where a side holds exactly a value the
        engine was writing when it stopped — that is the engine's own echo, so it counts as synced."""
        base_w = {} if self.initial else dict(self.webshop)
        base_t = {} if self.initial else dict(self.tripletex)
        for side, current, own, other in (
            ("tripletex", tripletex, base_t, base_w),
            ("webshop", webshop, base_w, base_t),
        ):
            for key, value in self.pending.get(side, {}).items():
                if key in current and same(mapping, entity, key, current[key], value):
                    own[key] = value
                    other.setdefault(key, value)  # a first sync: the pending value is all we know
        return base_w, base_t
