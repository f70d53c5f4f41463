"""``EngineRunner``: every engine call of the daemon, one at a time, and never cut short by its caller.

Webhook work, scheduled passes and manual actions (status page, resolve/replay) all touch the same
records, so they run strictly one after another behind one lock. Each call runs in a task of its own
that the caller awaits through ``asyncio.shield``: a caller that is cancelled (a scheduler being
stopped, an HTTP client hanging up) never cancels an engine call halfway through a record write.

On shutdown ``stop_accepting`` makes new and still-queued calls fail with ``ShuttingDown``, and
``drain`` waits for the running call to finish (the daemon has asked the engine to stop at its next
safe point first, so that is soon); only when it overruns the grace period is it cancelled (the
engine's intent journal resolves such an interrupted write on the next start).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog

from shopsync.engine.summary import PassSummary

from .ports import MetricsPort

__all__ = ["EngineRunner", "ShuttingDown"]

log = structlog.get_logger("shopsync.daemon")

T = TypeVar("T")


class ShuttingDown(RuntimeError):
    """The daemon is stopping: no new engine work is started."""

    def __init__(self) -> None:
        super().__init__("shopsync is shutting down; try again after it has restarted")


class EngineRunner:
    """Serialises engine calls (one lock) and tells the metrics what each pass or queue run did."""

    def __init__(self, metrics: MetricsPort, *, after_call: Callable[[], None] | None = None) -> None:
        self._metrics = metrics
        self._after_call = after_call
        self._lock = asyncio.Lock()
        self._accepting = True
        self._tasks: set[asyncio.Task[object]] = set()
        self._running: str | None = None

    @property
    def accepting(self) -> bool:
        """False once shutdown has begun."""
        return self._accepting

    @property
    def running(self) -> str | None:
        """The name of the engine call in progress, if any."""
        return self._running

    async def call(self, name: str, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work()`` once no other engine call runs; its result (or exception).

        Cancelling the caller leaves the call running to its end (``drain`` waits for it).
        """
        if not self._accepting:
            raise ShuttingDown()
        task: asyncio.Task[T] = asyncio.create_task(self._locked(name, work), name=f"engine:{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return await asyncio.shield(task)

    async def _locked(self, name: str, work: Callable[[], Awaitable[T]]) -> T:
        async with self._lock:
            # The stop may have come while this call waited for the lock: it must not start then.
            if not self._accepting:
                raise ShuttingDown()
            self._running = name
            started = time.monotonic()
            try:
                result = await work()
            finally:
                self._running = None
                if self._after_call is not None:
                    self._after_call()
            log.debug("daemon.engine_call", call=name, seconds=round(time.monotonic() - started, 3))
            _observe(self._metrics, result)
            return result

    def stop_accepting(self) -> None:
        """Refuse new calls from now on (calls waiting for the lock fail when they get it)."""
        self._accepting = False

    async def drain(self, grace: float, *, abort: asyncio.Event | None = None) -> bool:
        """Stop accepting calls and wait up to ``grace`` seconds (or until ``abort`` is set) for those
        still in flight; True if all ended by themselves, False if some had to be cancelled."""
        self.stop_accepting()
        pending = set(self._tasks)
        if not pending:
            return True
        if self._running is not None:
            log.info("daemon.waiting_for_engine", call=self._running, grace_seconds=grace)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        late = {t for t in pending if not t.done()}
        while late and (abort is None or not abort.is_set()) and (left := deadline - loop.time()) > 0:
            await asyncio.wait(late, timeout=min(left, 0.1))
            late = {t for t in late if not t.done()}
        for task in late:
            log.warning("daemon.engine_call_cancelled", call=task.get_name(), grace_seconds=grace)
            task.cancel()
        if late:
            await asyncio.wait(late)
        for task in pending - late:
            if (
                not task.cancelled()
                and (exc := task.exception()) is not None
                and not isinstance(exc, ShuttingDown)
            ):
                # Its caller may be gone (cancelled while waiting), so say it here too.
                log.warning("daemon.engine_call_failed", call=task.get_name(), error=repr(exc))
        return not late


def _observe(metrics: MetricsPort, result: object) -> None:
    # Passes, queue runs and replays return a PassSummary; resolutions return the settled item.
    if isinstance(result, PassSummary):
        metrics.observe_summary(result)
