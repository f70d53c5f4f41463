"""Periodic jobs: the safety-net poll, the full reconcile and the subscription check.

``every`` runs a job, then sleeps ``interval`` seconds after it ended (so a slow pass is never
stacked on top of itself), until it is cancelled. A job's failure is logged and the schedule goes
on: an outage of one system must not stop the service, and the next run is the retry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from .errors import one_line
from .runner import ShuttingDown

__all__ = ["every", "guarded"]

log = structlog.get_logger("shopsync.daemon")


async def guarded(name: str, job: Callable[[], Awaitable[object]]) -> bool:
    """Run ``job`` once; False (and an error logged) if it raised. ``ShuttingDown`` passes through."""
    try:
        await job()
    except (ShuttingDown, asyncio.CancelledError):
        raise
    except Exception as exc:
        log.error("daemon.job_failed", job=name, error=one_line(exc))
        return False
    return True


async def every(
    name: str, interval: float, job: Callable[[], Awaitable[object]], *, first_delay: float | None = None
) -> None:
    """Run ``job`` every ``interval`` seconds (the first time after ``first_delay``, default
    ``interval``) until cancelled or the runner stops accepting work."""
    delay = interval if first_delay is None else first_delay
    while True:
        await asyncio.sleep(delay)
        try:
            await guarded(name, job)
        except ShuttingDown:
            return
        delay = interval
