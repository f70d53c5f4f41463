"""Who wins a field conflict, key by key: a person's decision, else the row's owner, else the global policy.

The merge (``merge.analyse``) finds the keys both sides changed to different values; ``Arbiter`` picks
a side for each, in this order:

1. **a person's decision** — a conflict that was held (policy ``manual``, or a locked order) and then
   resolved by hand (``SyncEngine.resolve_conflict``), for the same pair and key, whose recorded shop
   and Tripletex values still equal the current ones. Its winner is applied and nothing new is recorded
   (the decision is already on record). Should either side change again, the decision no longer fits
   and the key is a new conflict;
2. **the row's owner** (``owner: webshop | tripletex`` in the mapping) — recorded with policy
   ``owner:<side>``;
3. **the global ``conflict_policy``** — ``webshop_wins`` / ``tripletex_wins``; ``newest_wins`` compares
   the shop record's ``updated_at`` with Tripletex's last change (one ``changes`` read per pair, only
   when some key needs it); ``manual`` holds the key (no winner: an open conflict).

A locked Tripletex order takes no writes: only a person's decision for Tripletex's value settles such a
key (its value then flows to the shop); otherwise it stays an open conflict with policy ``locked``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shopsync.state import ConflictStatus

from .context import PassContext
from .merge import FieldConflict, same
from .pair_state import Pair
from .tripletex_side import TripletexSide

__all__ = ["HELD_POLICIES", "PERSON", "Arbiter", "Verdict"]

#: Policies under which a conflict is recorded open (held): only a person resolves those.
HELD_POLICIES = frozenset({"manual", "locked"})
#: The label of a winner a person chose (no new conflict row is recorded for it).
PERSON = "person"


@dataclass
class Verdict:
    """The winners for one pair's conflicts; ``labels`` says which rule picked each (for the record)."""

    decisions: dict[str, str] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    policy: str = "newest_wins"
    newest: str | None = None
    labels: dict[str, str] = field(default_factory=dict)

    def __call__(self, conflict: FieldConflict) -> str | None:
        """The winning side of ``conflict`` (None: hold it); remembers the rule in ``labels``."""
        key = conflict.key
        if key in self.decisions:
            self.labels[key] = PERSON
            return self.decisions[key]
        if conflict.locked:
            self.labels[key] = "locked"
            return None
        if key in self.owners:
            self.labels[key] = f"owner:{self.owners[key]}"
            return self.owners[key]
        self.labels[key] = self.policy
        if self.policy == "manual":
            return None
        if self.policy in ("webshop_wins", "tripletex_wins"):
            return self.policy.removesuffix("_wins")
        return self.newest


class Arbiter:
    """Prepares the ``Verdict`` of each pair of one entity."""

    def __init__(self, ctx: PassContext, entity: str, side: TripletexSide) -> None:
        self.ctx = ctx
        self.entity = entity
        self.side = side
        self.mapping = ctx.mapping

    async def verdict(
        self, pair: Pair, conflicts: list[FieldConflict], blocked: Mapping[str, tuple[Any, Any]]
    ) -> Verdict:
        """The verdict for ``pair``: its two-sided ``conflicts`` and, for a locked record, the keys that
        would flow into it (``blocked``: key → (shop value, Tripletex's current value))."""
        verdict = Verdict(policy=self.ctx.options.conflict_policy)
        if conflicts or blocked:
            current = dict(blocked) | {c.key: (c.webshop, c.tripletex) for c in conflicts}
            verdict.decisions = self._decisions(pair, current)
        for conflict in conflicts:
            owner = self.mapping.owner(self.entity, conflict.key)
            if owner is not None:
                verdict.owners[conflict.key] = owner
        undecided = [c for c in conflicts if c.key not in verdict.decisions and c.key not in verdict.owners]
        if undecided and verdict.policy == "newest_wins":
            verdict.newest = await self._newest(pair)
        return verdict

    def _decisions(self, pair: Pair, current: Mapping[str, tuple[Any, Any]]) -> dict[str, str]:
        """Winners a person chose for these keys whose recorded values still equal the current ones
        (the latest such decision per key)."""
        found: dict[str, str] = {}
        mapping, entity = self.mapping, self.entity
        for row in self.ctx.store.conflicts_for(entity, pair.webshop_id):  # oldest first
            if (
                row.field not in current
                or row.status != ConflictStatus.RESOLVED
                or row.winner is None
                or row.policy not in HELD_POLICIES
            ):
                continue
            webshop = mapping.decode_view(entity, {row.field: row.webshop_value})[row.field]
            tripletex = mapping.decode_view(entity, {row.field: row.tripletex_value})[row.field]
            w_now, t_now = current[row.field]
            if same(mapping, entity, row.field, webshop, w_now) and same(
                mapping, entity, row.field, tripletex, t_now
            ):
                found[row.field] = row.winner
        return found

    async def _newest(self, pair: Pair) -> str:
        """The side edited last (``newest_wins``); Tripletex within the same second (it stamps seconds)."""
        shop_time = pair.webshop.updated_at if pair.webshop is not None else None
        tripletex_time = await self.side.last_changed(pair.tripletex_id) if pair.tripletex else None
        if shop_time is None:
            return "tripletex"
        if tripletex_time is None or shop_time.replace(microsecond=0) > tripletex_time:
            return "webshop"
        return "tripletex"
