"""The 3-way merge per row key, against each side's own base (pure functions, no I/O).

``analyse`` compares a linked pair's two current views with their bases (``Base``) and says, per row
key, what flows where and what conflicts:

* a key changed on one side only flows to the other (if the row writes that way and the other side
  does not already hold an equal value);
* a key changed on both sides to equal values is agreed; to different values it is a conflict;
* rows that flow one way only (``to_tripletex`` / ``to_webshop``) follow their source side and are
  never conflicts: the other side's edits of them are left alone;
* with no base for a key (a pair just linked by matching or recovery, or a row new in the mapping),
  equal values are fine, an empty value never overwrites a filled one, and two different filled
  values are a conflict.

``decide`` then applies, key by key, the winner the caller picks (a row's owner, a person's decision
or the global conflict policy, see ``conflicts``) — or none: the key is *held*, neither side is
written and its bases stay, so the conflict stays visible. Lists (order lines) compare
regardless of order, so a shop and Tripletex that sort lines differently do not look changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shopsync.mapping import Mapping as FieldMapping

__all__ = [
    "LOCKED_REASON",
    "Analysis",
    "Decision",
    "FieldConflict",
    "Winner",
    "analyse",
    "decide",
    "is_empty",
    "same",
]

LOCKED_REASON = "the Tripletex record is locked (closed)"


@dataclass(frozen=True)
class FieldConflict:
    """A key whose two sides disagree and cannot both be kept."""

    key: str
    base: Any
    webshop: Any
    tripletex: Any
    reason: str
    #: The value could not be written because the Tripletex record is locked (not a two-sided edit).
    locked: bool = False


@dataclass
class Analysis:
    """What the two views of a pair say, before the conflict policy is applied."""

    to_tripletex: dict[str, Any] = field(default_factory=dict)
    to_webshop: dict[str, Any] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)
    #: Keys each side changed since its base (for logging and events).
    changed_webshop: set[str] = field(default_factory=set)
    changed_tripletex: set[str] = field(default_factory=set)


@dataclass
class Decision:
    """The writes to make, the conflicts to record (with their winner) and the keys held back."""

    to_tripletex: dict[str, Any]
    to_webshop: dict[str, Any]
    conflicts: list[tuple[FieldConflict, str | None]]
    held: set[str]

    @property
    def writes(self) -> bool:
        """Whether either side needs a write."""
        return bool(self.to_tripletex or self.to_webshop)


def is_empty(value: Any) -> bool:
    """None, blank text and empty lists are empty (False and 0 are values)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return not value
    return False


def same(mapping: FieldMapping, entity: str, key: str, left: Any, right: Any) -> bool:
    """Equal under the row's comparison; lists also when they hold the same elements in another order."""
    if mapping.same(entity, key, left, right):
        return True
    if not (isinstance(left, list) and isinstance(right, list)) or len(left) != len(right):
        return False
    remaining = list(right)
    for item in left:
        for i, other in enumerate(remaining):
            if mapping.same(entity, key, [item], [other]):
                del remaining[i]
                break
        else:
            return False
    return True


def _directions(mapping: FieldMapping, entity: str, key: str) -> tuple[bool, bool]:
    entries = mapping.entity(entity).entry(key)
    return any(e.writes_tripletex for e in entries), any(e.writes_webshop for e in entries)


_MISSING = object()


def analyse(
    mapping: FieldMapping,
    entity: str,
    webshop: Mapping[str, Any],
    tripletex: Mapping[str, Any],
    base_webshop: Mapping[str, Any] | None,
    base_tripletex: Mapping[str, Any] | None,
) -> Analysis:
    """Compare both current views with their bases (None: no base yet, the pair was just linked).

    A key missing from a base (a row added to the mapping since) is merged like a first sync.
    """
    out = Analysis()
    for key in dict.fromkeys([*webshop, *tripletex]):
        if not mapping.entity(entity).entry(key):
            continue  # a key an older mapping stored
        writes_tx, writes_shop = _directions(mapping, entity, key)
        in_w, in_t = key in webshop, key in tripletex
        w, t = webshop.get(key), tripletex.get(key)
        if in_w and in_t and same(mapping, entity, key, w, t):
            continue
        bw = _MISSING if base_webshop is None else base_webshop.get(key, _MISSING)
        bt = _MISSING if base_tripletex is None else base_tripletex.get(key, _MISSING)
        if bw is _MISSING or bt is _MISSING:
            _initial(out, key, w, t, in_w, in_t, writes_tx, writes_shop)
            continue
        cw = in_w and not same(mapping, entity, key, bw, w)
        ct = in_t and not same(mapping, entity, key, bt, t)
        if cw:
            out.changed_webshop.add(key)
        if ct:
            out.changed_tripletex.add(key)
        if not (in_w and in_t):
            continue  # only one side can hold it: nothing to carry over
        if writes_tx and writes_shop:
            if cw and ct:
                out.conflicts.append(FieldConflict(key, bw, w, t, "changed on both sides"))
            elif cw:
                out.to_tripletex[key] = w
            elif ct:
                out.to_webshop[key] = t
        elif writes_tx and cw:
            out.to_tripletex[key] = w
        elif writes_shop and ct:
            out.to_webshop[key] = t
    return out


def _initial(
    out: Analysis, key: str, w: Any, t: Any, in_w: bool, in_t: bool, writes_tx: bool, writes_shop: bool
) -> None:
    if not (in_w and in_t):
        return
    w_empty, t_empty = is_empty(w), is_empty(t)
    if writes_tx and writes_shop:
        if t_empty and not w_empty:
            out.to_tripletex[key] = w
        elif w_empty and not t_empty:
            out.to_webshop[key] = t
        elif not w_empty and not t_empty:
            out.conflicts.append(FieldConflict(key, None, w, t, "different values when first linked"))
    elif writes_tx and not w_empty:
        out.to_tripletex[key] = w
    elif writes_shop and not t_empty:
        out.to_webshop[key] = t


#: Who wins one conflict: ``webshop``, ``tripletex`` or None (hold it).
Winner = Callable[[FieldConflict], str | None]


def decide(
    analysis: Analysis,
    winner: str | Winner | None,
    *,
    locked: bool = False,
    tripletex: Mapping[str, Any] | None = None,
) -> Decision:
    """Apply the conflict winner per key (``webshop``, ``tripletex`` or None to hold).

    ``winner`` is one side for every conflict, or a callable asked per conflict (a row's owner, a
    person's decision and the global policy may pick different sides for different keys). A ``locked``
    Tripletex record takes no writes: what would flow there becomes an open conflict (with the record's
    current ``tripletex`` values) instead of a retry loop — unless ``winner`` says Tripletex's value is
    to be kept for it (a person decided so), which then flows to the webshop.
    """
    pick: Winner = winner if callable(winner) else (lambda _conflict: winner)
    to_tripletex = dict(analysis.to_tripletex)
    to_webshop = dict(analysis.to_webshop)
    conflicts: list[tuple[FieldConflict, str | None]] = []
    held: set[str] = set()
    for conflict in analysis.conflicts:
        side = pick(conflict)
        if side == "webshop" and not locked:
            to_tripletex[conflict.key] = conflict.webshop
        elif side == "tripletex":
            to_webshop[conflict.key] = conflict.tripletex
        else:
            held.add(conflict.key)
            conflicts.append((conflict, None))
            continue
        conflicts.append((conflict, side))
    if locked:
        for key, value in to_tripletex.items():
            current = (tripletex or {}).get(key)
            conflict = FieldConflict(key, None, value, current, LOCKED_REASON, locked=True)
            if pick(conflict) == "tripletex":
                to_webshop[key] = current
                conflicts.append((conflict, "tripletex"))
                continue
            conflicts.append((conflict, None))
            held.add(key)
        to_tripletex = {}
    return Decision(to_tripletex, to_webshop, conflicts, held)
