"""Shared by the server's unit and integration tests: a recording ``SyncActions``, a config, a clock."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from shopsync.config import ShopsyncConfig
from shopsync.state import ReviewStatus, StateStore

TOKEN = "status-token-0123456789"
WEBSHOP_SECRET = "whsec-server-test-0123456789"
TRIPLETEX_AUTH = "Bearer tripletex-callback-0123456789"
TRIPLETEX_HMAC = "tx-hmac-secret-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}

_REVIEW_OUTCOME = {
    "link": ReviewStatus.LINKED,
    "create": ReviewStatus.CREATED,
    "dismiss": ReviewStatus.DISMISSED,
}


class RecordingActions:
    """A ``SyncActions`` that records every call and, given a store, settles the item there as the
    daemon would (so the page's lists change); ``fail_with`` makes every decision raise."""

    def __init__(self, store: StateStore | None = None) -> None:
        self.store = store
        self.calls: list[tuple[Any, ...]] = []
        self.notified = 0
        self.fail_with: BaseException | None = None
        self.woken = threading.Event()

    async def resolve_conflict(self, conflict_id: int, winner: str) -> None:
        self.calls.append(("resolve_conflict", conflict_id, winner))
        if self.fail_with is not None:
            raise self.fail_with
        if self.store is not None:
            self.store.resolve_conflict(conflict_id, winner)

    async def resolve_review(self, review_id: int, action: str, candidate: str | None) -> None:
        self.calls.append(("resolve_review", review_id, action, candidate))
        if self.fail_with is not None:
            raise self.fail_with
        if self.store is not None:
            self.store.resolve_review(review_id, _REVIEW_OUTCOME[action])

    async def replay_dead_letters(self, dead_letter_ids: list[int] | None) -> None:
        self.calls.append(("replay_dead_letters", dead_letter_ids))
        if self.fail_with is not None:
            raise self.fail_with
        if self.store is not None:
            ids = dead_letter_ids or [d.id for d in self.store.open_dead_letters()]
            for dead_letter_id in ids:
                self.store.mark_replayed(dead_letter_id)

    def notify_work(self) -> None:
        self.notified += 1
        self.woken.set()


class MovableClock:
    """Wall-clock time plus an offset the test can move (for stale-timestamp checks)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, **delta: float) -> None:
        """Move forward by ``timedelta(**delta)``."""
        self.offset += dt.timedelta(**delta)


def make_config(*, webshop_url: str = "http://127.0.0.1:9", **server: Any) -> ShopsyncConfig:
    """A config with every server secret set (override or drop them with ``server`` keys)."""
    section: dict[str, Any] = {
        "status_token": TOKEN,
        "tripletex_webhook_auth": TRIPLETEX_AUTH,
        "tripletex_webhook_secret": TRIPLETEX_HMAC,
        **server,
    }
    section = {k: v for k, v in section.items() if v is not None}
    return ShopsyncConfig.model_validate(
        {"webshop": {"url": webshop_url, "webhook_secret": WEBSHOP_SECRET}, "server": section}
    )
