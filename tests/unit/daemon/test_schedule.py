"""``every`` and ``guarded``: periodic jobs survive failures and end with the runner."""

from __future__ import annotations

import asyncio

from structlog.testing import capture_logs

from shopsync.daemon import ShuttingDown
from shopsync.daemon.schedule import every, guarded


async def test_every_keeps_running_after_a_failure() -> None:
    """A job that raises is logged; the next run still happens."""
    runs: list[int] = []

    async def job() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("Tripletex is down")

    with capture_logs() as logs:
        task = asyncio.create_task(every("poll", 0.01, job, first_delay=0))
        for _ in range(200):
            if len(runs) >= 3:
                break
            await asyncio.sleep(0.01)
        task.cancel()
    assert len(runs) >= 3
    assert [e["job"] for e in logs if e["event"] == "daemon.job_failed"] == ["poll"]


async def test_every_ends_when_shutting_down() -> None:
    """ShuttingDown from the runner ends the schedule quietly."""

    async def job() -> None:
        raise ShuttingDown()

    await asyncio.wait_for(every("poll", 0.01, job, first_delay=0), timeout=5)


async def test_guarded_reports_success() -> None:
    """True when the job ran, False when it raised."""

    async def ok() -> None:
        return None

    async def bad() -> None:
        raise ValueError("no")

    assert await guarded("ok", ok) is True
    assert await guarded("bad", bad) is False
