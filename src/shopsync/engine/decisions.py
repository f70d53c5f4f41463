"""A person's decisions, applied through the normal sync path: conflicts, matching reviews, dead letters.

* ``resolve_conflict`` records the winner of an open conflict (``store.resolve_conflict``) and queues
  the record; with ``apply`` it syncs the pair at once (both sides read), and the merge applies the
  decision (see ``conflicts``: a held key whose recorded values still equal the current ones takes the
  person's winner), so the winner's value is written to the other side and the conflict is gone.
* ``resolve_review`` closes a matching review: ``link`` links the record to one of the review's
  candidates (then merged as a first sync: an empty value never overwrites a filled one), ``create``
  creates a new counterpart (the record skips matching from then on), ``dismiss`` leaves the record
  alone for good (it is neither matched nor created any more).
* ``replay`` re-syncs the records of dead letters through the targeted pass; a record that syncs closes
  its dead letter as replayed, one that fails again keeps it open with ``attempts + 1`` and the new
  reason, one that no longer exists gets that as its reason.

Every decision is checked before anything changes (``UnknownItem``, ``AlreadySettled``,
``InvalidDecision``) and is recorded in the record's timeline as an event ``decided_by: person``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from shopsync.state import (
    ConflictStatus,
    DeadLetter,
    DeadLetterStatus,
    EventAction,
    FieldConflict,
    InvalidTransition,
    LinkConflict,
    ReviewItem,
    ReviewStatus,
    StateStore,
    WorkItem,
)

from .conflicts import PERSON
from .context import PassScope, Target, Targets
from .errors import AlreadySettled, InvalidDecision, UnknownItem
from .summary import PassSummary
from .work import is_tripletex_id

if TYPE_CHECKING:
    import sqlalchemy as sa

    from .engine import SyncEngine

__all__ = ["REVIEW_ACTIONS", "replay", "resolve_conflict", "resolve_review"]

#: What ``resolve_review`` can do with a review item.
REVIEW_ACTIONS = ("link", "create", "dismiss")
_SIDES = ("webshop", "tripletex")


def _other(side: str) -> str:
    return "tripletex" if side == "webshop" else "webshop"


async def _sync_now(
    engine: SyncEngine, entity: str, targets: dict[str, list[str | int]]
) -> PassSummary | None:
    """Sync these records of ``entity`` now, completing their queued work; None if not synced here."""
    if entity not in engine.options.entities:
        return None
    store = engine.store
    work: list[WorkItem] = []
    for side, ids in targets.items():
        for record_id in ids:
            item = store.work_item(entity, side, record_id)
            if item is not None:
                work.append(item)
    scope = PassScope(targets={entity: targets}, work={entity: work})
    summary, _ctx = await engine._execute(scope)
    return summary


# ---------------------------------------------------------------------------------------------- conflicts


async def resolve_conflict(
    engine: SyncEngine, conflict_id: int, winner: str, *, apply: bool = True
) -> FieldConflict:
    """Decide conflict ``conflict_id`` for ``winner``; queue (and with ``apply`` sync) its record."""
    if winner not in _SIDES:
        raise InvalidDecision(f"the winner is 'webshop' or 'tripletex', not {winner!r}")
    store = engine.store
    found = store.conflict_by_id(conflict_id)
    if found is None:
        raise UnknownItem("conflict", conflict_id)
    if found.status != ConflictStatus.OPEN:
        raise AlreadySettled("conflict", conflict_id, found.status)
    if found.policy == "locked" and winner == "webshop":
        raise InvalidDecision(
            f"conflict {conflict_id}: the Tripletex {found.entity} {found.tripletex_id} is closed and takes "
            "no edits, so only its own value can be kept (winner 'tripletex'); reopen it in Tripletex to "
            "let the shop's value through"
        )
    with store.transaction() as conn:
        try:
            resolved = store.resolve_conflict(conflict_id, winner, conn=conn)
        except InvalidTransition:
            raise AlreadySettled("conflict", conflict_id, "resolved") from None
        store.enqueue(
            found.entity,
            "webshop",
            found.webshop_id,
            f"conflict resolved: {found.field} -> {winner}",
            conn=conn,
        )
        store.log_event(
            found.entity,
            EventAction.CONFLICT,
            webshop_id=found.webshop_id,
            tripletex_id=found.tripletex_id,
            detail={"field": found.field, "winner": winner, "decided_by": PERSON, "conflict_id": conflict_id},
            conn=conn,
        )
    if apply:
        # Both sides are read: the decision is applied only while both still hold the recorded values.
        await _sync_now(
            engine, found.entity, {"webshop": [found.webshop_id], "tripletex": [found.tripletex_id]}
        )
    return resolved


# ---------------------------------------------------------------------------------------------- reviews


def _candidate_ids(review: ReviewItem) -> list[str]:
    """The ids of the other side's records a review offers."""
    key = "tripletex_id" if review.side == "webshop" else "webshop_id"
    return [str(c[key]) for c in review.candidates if isinstance(c, dict) and c.get(key) is not None]


def _open_review(store: StateStore, review_id: int) -> ReviewItem:
    review = store.review_by_id(review_id)
    if review is None:
        raise UnknownItem("review item", review_id)
    if review.status != ReviewStatus.OPEN:
        raise AlreadySettled("review item", review_id, review.status)
    return review


def _link(engine: SyncEngine, review: ReviewItem, candidate: str | int | None) -> tuple[str, int]:
    """Link the review's record to ``candidate``; (webshop id, Tripletex id)."""
    offered = _candidate_ids(review)
    if candidate is None or str(candidate).strip() not in offered:
        raise InvalidDecision(
            f"review item {review.id}: link needs one of its candidates ({', '.join(offered) or 'none'}), "
            f"not {candidate!r}"
        )
    chosen = str(candidate).strip()
    webshop_id, tripletex_ref = (
        (review.record_id, chosen) if review.side == "webshop" else (chosen, review.record_id)
    )
    if not is_tripletex_id(tripletex_ref):
        raise InvalidDecision(f"review item {review.id}: {tripletex_ref!r} is not a Tripletex id")
    tripletex_id = int(tripletex_ref)
    store, entity = engine.store, review.entity
    with store.transaction() as conn:
        for side, record in (("webshop", webshop_id), ("tripletex", tripletex_id)):
            partner = (
                store.tripletex_id_for(entity, webshop_id, conn=conn)
                if side == "webshop"
                else store.webshop_id_for(entity, tripletex_id, conn=conn)
            )
            if partner is not None:
                raise InvalidDecision(
                    f"review item {review.id}: the {side} {entity} {record} is already linked to {partner}"
                )
        try:
            store.link(entity, webshop_id, tripletex_id, conn=conn)
        except LinkConflict as exc:
            raise InvalidDecision(f"review item {review.id}: {exc}") from None
        store.resolve_review(review.id, ReviewStatus.LINKED, conn=conn)
        # The chosen partner's own review (it claimed this record too) is settled by the same decision.
        other = store.review_for(entity, _other(review.side), chosen, conn=conn)
        if other is not None:
            store.resolve_review(other.id, ReviewStatus.LINKED, conn=conn)
        store.log_event(
            entity,
            EventAction.LINKED,
            webshop_id=webshop_id,
            tripletex_id=tripletex_id,
            detail={"decided_by": PERSON, "review_id": review.id},
            conn=conn,
        )
        store.enqueue(entity, "webshop", webshop_id, f"review decided: linked to {tripletex_id}", conn=conn)
    return webshop_id, tripletex_id


def _create(engine: SyncEngine, review: ReviewItem) -> None:
    target: Target = "tripletex" if review.side == "webshop" else "webshop"
    if not engine.options.creates_on(review.entity, target):
        raise InvalidDecision(
            f"review item {review.id}: {review.entity} records are not created in {target} "
            f"(creation direction {engine.options.creates.get(review.entity, 'none')})"
        )
    store = engine.store
    with store.transaction() as conn:
        _close_review(store, review, ReviewStatus.CREATED, "create", conn)
        store.enqueue(
            review.entity, review.side, review.record_id, "review decided: create a counterpart", conn=conn
        )


def _dismiss(engine: SyncEngine, review: ReviewItem) -> None:
    store = engine.store
    with store.transaction() as conn:
        _close_review(store, review, ReviewStatus.DISMISSED, "dismiss", conn)


def _close_review(
    store: StateStore, review: ReviewItem, status: ReviewStatus, action: str, conn: sa.Connection
) -> None:
    """Close ``review`` as ``status`` and log the person's ``action`` on its record."""
    store.resolve_review(review.id, status, conn=conn)
    store.log_event(
        review.entity,
        EventAction.REVIEW,
        webshop_id=review.record_id if review.side == "webshop" else None,
        tripletex_id=int(review.record_id) if review.side == "tripletex" else None,
        side=review.side,
        detail={"decided_by": PERSON, "review_id": review.id, "action": action},
        conn=conn,
    )


async def resolve_review(
    engine: SyncEngine,
    review_id: int,
    action: str,
    candidate: str | int | None = None,
    *,
    apply: bool = True,
) -> ReviewItem:
    """Decide review ``review_id`` (``link`` to ``candidate``, ``create``, ``dismiss``); see the module."""
    if action not in REVIEW_ACTIONS:
        raise InvalidDecision(f"a review is decided by {', '.join(REVIEW_ACTIONS)}, not {action!r}")
    store = engine.store
    review = _open_review(store, review_id)
    if action != "link" and candidate is not None:
        raise InvalidDecision(f"review item {review_id}: a candidate is only given to link")
    try:
        if action == "link":
            webshop_id, tripletex_id = _link(engine, review, candidate)
            targets: dict[str, list[str | int]] = {"webshop": [webshop_id], "tripletex": [tripletex_id]}
        elif action == "create":
            _create(engine, review)
            targets = {review.side: [review.record_id if review.side == "webshop" else int(review.record_id)]}
        else:
            _dismiss(engine, review)
            targets = {}
    except InvalidTransition:
        raise AlreadySettled("review item", review_id, "closed") from None
    if apply and targets:
        await _sync_now(engine, review.entity, targets)
    settled = store.review_by_id(review_id)
    assert settled is not None
    return settled


# ---------------------------------------------------------------------------------------------- replay


def _dead_letters(store: StateStore, ids: Sequence[int] | None) -> list[DeadLetter]:
    if ids is None:
        return store.open_dead_letters()
    found: list[DeadLetter] = []
    for dead_letter_id in dict.fromkeys(ids):
        letter = store.dead_letter_by_id(dead_letter_id)
        if letter is None:
            raise UnknownItem("dead letter", dead_letter_id)
        if letter.status != DeadLetterStatus.OPEN:
            raise AlreadySettled("dead letter", dead_letter_id, letter.status)
        found.append(letter)
    return found


async def replay(engine: SyncEngine, dead_letter_ids: Sequence[int] | None = None) -> PassSummary:
    """Re-sync the records of these open dead letters (all open ones when None); see the module."""
    store = engine.store
    letters = _dead_letters(store, dead_letter_ids)
    if dead_letter_ids is not None:
        for letter in letters:
            if letter.entity not in engine.options.entities:
                raise InvalidDecision(
                    f"dead letter {letter.id} is a {letter.entity} record, which this configuration does "
                    f"not sync (entities: {', '.join(engine.options.entities)})"
                )
    targets: Targets = {}
    for letter in letters:
        if letter.entity not in engine.options.entities:
            continue  # all open ones: those of entities not synced here stay as they are
        if letter.side == "tripletex" and not is_tripletex_id(letter.record_id):
            store.dead_letter(letter.entity, letter.side, letter.record_id, letter.reason, field=letter.field)
            continue  # it can never be read: attempts + 1, the reason stays
        record: str | int = letter.record_id if letter.side == "webshop" else int(letter.record_id)
        targets.setdefault(letter.entity, {}).setdefault(letter.side, []).append(record)
    ordered = {e: targets[e] for e in engine.options.entities if e in targets}
    work = {
        entity: [w for side, ids in by_side.items() for i in ids if (w := store.work_item(entity, side, i))]
        for entity, by_side in ordered.items()
    }
    summary, ctx = await engine._execute(PassScope(targets=ordered, work=work))
    _note_vanished(engine, letters, ctx.gone)
    return summary


def _note_vanished(engine: SyncEngine, letters: list[DeadLetter], gone: set[tuple[str, str, str]]) -> None:
    """Dead letters whose record no longer exists (unlinked, so no delete policy applies) say so."""
    store = engine.store
    for letter in letters:
        if (letter.entity, letter.side, letter.record_id) not in gone:
            continue
        current = store.dead_letter_by_id(letter.id)
        if current is None or current.status != DeadLetterStatus.OPEN:
            continue
        reason = (
            f"the {letter.side} {letter.entity} {letter.record_id} no longer exists: discard this dead letter"
        )
        store.dead_letter(letter.entity, letter.side, letter.record_id, reason, payload=current.payload)
