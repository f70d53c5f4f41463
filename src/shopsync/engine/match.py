"""Initial matching: find an existing partner before creating anything (customers by organisation number,
then e-mail; products by SKU ↔ product number; orders by the shop's order number).

Webshop records are matched against an index of the Tripletex scan (no search per record); Tripletex
records are matched with the connector's ``find`` (only keys the shop can search). Per record, the
match keys are tried most reliable first:

* exactly one unlinked candidate → link (the pair is then merged as a first sync: an empty value never
  overwrites a filled one);
* several → a review item (nothing linked, created or overwritten) until a person decides;
* none → the record may be created on the other side.

Two records of one batch claiming the same single candidate both go to review: one e-mail shared by
two shop customers must not silently pick one of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .context import RESOURCES, PassContext
from .tripletex_side import normalise_key

__all__ = ["Matches", "match_tripletex", "match_webshop"]


@dataclass
class Matches:
    """The verdict for a batch of unlinked records."""

    #: (webshop id, tripletex id, match key)
    linked: list[tuple[str, int, str]] = field(default_factory=list)
    #: record id → candidates shown in review
    review: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: record ids with no candidate (may be created on the other side)
    unmatched: list[str] = field(default_factory=list)


def match_webshop(
    ctx: PassContext,
    entity: str,
    views: Mapping[str, Mapping[str, Any]],
    indexes: Sequence[Mapping[str, Mapping[str, list[int]]]],
) -> Matches:
    """Match unlinked webshop records (``{webshop id: view}``) against the Tripletex scan index (the
    union of ``indexes``: ``TripletexSide.index``, ``Scan.index``)."""
    keys = [m.key for m in ctx.mapping.match_keys(entity)]

    def candidates(key: str, value: str) -> list[int]:
        return [t for index in indexes for t in index.get(key, {}).get(value, [])]

    # Only the candidates of these views are looked up (not every id of a scan, once per batch).
    wanted = {
        t
        for view in views.values()
        for key in keys
        if (value := normalise_key(view.get(key))) is not None
        for t in candidates(key, value)
    }
    taken = ctx.store.webshop_ids_for(entity, wanted)
    out = Matches()
    claims: dict[int, list[tuple[str, str]]] = {}
    for webshop_id, view in views.items():
        verdict: tuple[str, list[int]] | None = None
        for key in keys:
            value = normalise_key(view.get(key))
            if value is None:
                continue
            found = [t for t in candidates(key, value) if t not in taken]
            if found:
                verdict = (key, sorted(set(found)))
                break
        if verdict is None:
            out.unmatched.append(webshop_id)
        elif len(verdict[1]) > 1:
            out.review[webshop_id] = [{"tripletex_id": t, "matched_on": verdict[0]} for t in verdict[1]]
        else:
            claims.setdefault(verdict[1][0], []).append((webshop_id, verdict[0]))
    for tripletex_id, claimants in claims.items():
        if len(claimants) == 1:
            webshop_id, key = claimants[0]
            out.linked.append((webshop_id, tripletex_id, key))
            continue
        for webshop_id, key in claimants:
            out.review[webshop_id] = [
                {
                    "tripletex_id": tripletex_id,
                    "matched_on": key,
                    "also_claimed_by": [w for w, _ in claimants],
                }
            ]
    return out


async def match_tripletex(ctx: PassContext, entity: str, views: Mapping[int, Mapping[str, Any]]) -> Matches:
    """Match unlinked Tripletex records (``{tripletex id: view}``) with the webshop's ``find``."""
    resource = RESOURCES[entity]
    searchable = [m for m in ctx.mapping.match_keys(entity) if m.webshop_param]
    out = Matches()
    claims: dict[str, list[tuple[int, str]]] = {}
    for tripletex_id, view in views.items():
        verdict: tuple[str, list[str]] | None = None
        for match in searchable:
            value = view.get(match.key)
            if normalise_key(value) is None:
                continue
            assert match.webshop_param is not None
            records = await ctx.webshop.find(resource, **{match.webshop_param: str(value)})
            ids = [r.id for r in records if r.id is not None]
            taken = ctx.store.tripletex_ids_for(entity, ids)
            found = [i for i in ids if i not in taken]
            if found:
                verdict = (match.key, sorted(set(found)))
                break
        if verdict is None:
            out.unmatched.append(str(tripletex_id))
        elif len(verdict[1]) > 1:
            out.review[str(tripletex_id)] = [{"webshop_id": w, "matched_on": verdict[0]} for w in verdict[1]]
        else:
            claims.setdefault(verdict[1][0], []).append((tripletex_id, verdict[0]))
    for webshop_id, claimants in claims.items():
        if len(claimants) == 1:
            tripletex_id, key = claimants[0]
            out.linked.append((webshop_id, tripletex_id, key))
            continue
        for tripletex_id, key in claimants:
            out.review[str(tripletex_id)] = [
                {"webshop_id": webshop_id, "matched_on": key, "also_claimed_by": [t for t, _ in claimants]}
            ]
    return out
