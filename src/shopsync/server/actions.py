"""``SyncActions``: what the status page asks of the running engine (the daemon implements it).

The server never writes to either system itself: a person's decision on the page (keep one side of a
conflict, replay a dead letter, settle a matching review) and a webhook's "something changed" are
handed to the daemon, which owns the engine and its worker.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

__all__ = ["REVIEW_ACTIONS", "ReviewAction", "SyncActions"]

ReviewAction = Literal["link", "create", "dismiss"]
#: What a person can decide about a review item: link it to one candidate, create a new counterpart,
#: or leave it alone.
REVIEW_ACTIONS: tuple[ReviewAction, ...] = ("link", "create", "dismiss")


@runtime_checkable
class SyncActions(Protocol):
    """The daemon's side of the status page's buttons and of the webhook receivers."""

    async def resolve_conflict(self, conflict_id: int, winner: str) -> None:
        """Keep ``winner``'s value (``webshop`` or ``tripletex``) for an open conflict and write it."""
        ...

    async def resolve_review(self, review_id: int, action: str, candidate: str | None) -> None:
        """Settle a review: ``link`` (to ``candidate``, the other side's id), ``create`` or ``dismiss``."""
        ...

    async def replay_dead_letters(self, dead_letter_ids: list[int] | None) -> None:
        """Sync these dead-lettered records again (every open one when None)."""
        ...

    def notify_work(self) -> None:
        """New work was enqueued: wake the worker. Called on the server's event loop; must not block."""
        ...
