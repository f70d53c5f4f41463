"""The daemon's queue mode: notifications become one deferral, buttons become jobs."""

from __future__ import annotations

import asyncio

from shopsync.daemon.queued import QueuedActions, WorkForwarder


class FakeQueue:
    """Records the calls the daemon makes; ``fail`` deferrals fail first."""

    def __init__(self, fail: int = 0) -> None:
        self.calls: list[tuple[object, ...]] = []
        self.fail = fail

    async def process_work(self) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("queue down")
        self.calls.append(("process_work",))

    async def poll(self) -> None:
        self.calls.append(("poll",))

    async def reconcile(self) -> None:
        self.calls.append(("reconcile",))

    async def resolve_conflict(self, conflict_id: int, winner: str) -> None:
        self.calls.append(("resolve_conflict", conflict_id, winner))

    async def resolve_review(self, review_id: int, action: str, candidate: str | None) -> None:
        self.calls.append(("resolve_review", review_id, action, candidate))

    async def replay(self, dead_letter_ids: list[int] | None) -> None:
        self.calls.append(("replay", dead_letter_ids))


async def test_a_burst_of_notifications_is_one_deferral() -> None:
    """Ten webhooks before the forwarder runs: one job is deferred for all of them."""
    queue = FakeQueue()
    forwarder = WorkForwarder(queue)
    for _ in range(10):
        forwarder.notify()
    task = asyncio.create_task(forwarder.run())
    await asyncio.sleep(0.05)
    task.cancel()
    assert queue.calls == [("process_work",)] and forwarder.forwarded == 1


async def test_a_failed_deferral_is_tried_again() -> None:
    """The queue being down is logged and retried; the work itself waits in the state store."""
    queue = FakeQueue(fail=1)
    forwarder = WorkForwarder(queue, error_backoff=0.01)
    forwarder.notify()
    task = asyncio.create_task(forwarder.run())
    await asyncio.sleep(0.1)
    task.cancel()
    assert queue.calls == [("process_work",)]


async def test_the_status_page_buttons_become_jobs() -> None:
    """Each decision is handed to the queue as it is; notify_work wakes the forwarder."""
    queue = FakeQueue()
    forwarder = WorkForwarder(queue)
    actions = QueuedActions(queue, forwarder)
    await actions.resolve_conflict(3, "webshop")
    await actions.resolve_review(4, "link", "77")
    await actions.replay_dead_letters(None)
    actions.notify_work()
    assert queue.calls == [
        ("resolve_conflict", 3, "webshop"),
        ("resolve_review", 4, "link", "77"),
        ("replay", None),
    ]
