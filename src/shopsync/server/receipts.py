"""When each record's webhook arrived, kept in memory until the daemon's worker takes it.

The latency metric runs from a webhook's receipt to the write on the other side being done. The
receiver ``record``s the receipt (``time.monotonic()``) of every accepted, new delivery; the worker
``take``s it when it picks the record's work item up and, once the write is done, calls
``Metrics.observe_webhook_latency(time.monotonic() - received)``. Several webhooks for a record before
the worker gets to it keep the earliest time (the first change waited longest). Records the worker
never takes (it found nothing to write, or the process restarted) are dropped oldest-first beyond
``max_size``, so the map cannot grow without bound.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["WebhookReceipts"]


class WebhookReceipts:
    """``(entity, side, record id) → monotonic receipt time`` of webhooks not yet taken by the worker."""

    def __init__(self, max_size: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._max = max_size
        self._clock = clock
        self._times: OrderedDict[tuple[str, str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, entity: str, side: str, record_id: str | int, at: float | None = None) -> None:
        """A webhook for the record arrived at ``at`` (default now); an earlier untaken time is kept."""
        key = (str(entity), str(side), str(record_id))
        when = self._clock() if at is None else at
        with self._lock:
            if key in self._times:
                return
            self._times[key] = when
            while len(self._times) > self._max:
                self._times.popitem(last=False)

    def take(self, entity: str, side: str, record_id: str | int) -> float | None:
        """The receipt time of the record's first untaken webhook, forgetting it; None if there is none."""
        with self._lock:
            return self._times.pop((str(entity), str(side), str(record_id)), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._times)
