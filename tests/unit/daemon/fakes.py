"""Small stand-ins for the engine and the metrics: they record what the daemon asks of them."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shopsync.engine.summary import PassSummary


def summary() -> PassSummary:
    """An empty pass summary, as a pass that changed nothing returns it."""
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    return PassSummary(entities=("customer",), started_at=now, finished_at=now)


@dataclass
class RecordingMetrics:
    """Everything the daemon reported."""

    summaries: list[PassSummary] = field(default_factory=list)
    calls: list[tuple[str, int]] = field(default_factory=list)
    limits: list[tuple[str, int | None, int | None]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def observe_summary(self, summary: PassSummary) -> None:
        self.summaries.append(summary)

    def observe_api_call(self, side: str, status: int) -> None:
        self.calls.append((side, status))

    def set_rate_limit(self, side: str, remaining: int | None, limit: int | None) -> None:
        self.limits.append((side, remaining, limit))

    def observe_webhook_latency(self, seconds: float) -> None:
        self.latencies.append(seconds)


@dataclass
class FakeEngine:
    """Answers like the engine; ``queue`` says how many queue runs find work; ``gate`` holds a call."""

    queue: int = 0
    gate: asyncio.Event | None = None
    fail_queue: int = 0
    calls: list[str] = field(default_factory=list)
    running: int = 0
    most_at_once: int = 0

    async def _enter(self, name: str) -> None:
        self.calls.append(name)
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(0)
            if self.gate is not None:
                await self.gate.wait()
        finally:
            self.running -= 1

    async def run_pass(self, *, allow_mass_delete: bool = False, full: bool = False) -> PassSummary:
        await self._enter("full" if full else "pass")
        return summary()

    async def process_queue(self, limit: int = 500) -> PassSummary | None:
        await self._enter("queue")
        if self.fail_queue:
            self.fail_queue -= 1
            raise ConnectionError("webshop unreachable")
        if self.queue <= 0:
            return None
        self.queue -= 1
        return summary()

    async def resolve_conflict(self, conflict_id: int, winner: str, *, apply: bool = True) -> Any:
        await self._enter(f"conflict {conflict_id} {winner}")
        return None

    async def resolve_review(
        self, review_id: int, action: str, candidate: str | int | None = None, *, apply: bool = True
    ) -> Any:
        await self._enter(f"review {review_id} {action} {candidate}")
        return None

    async def replay(self, dead_letter_ids: Sequence[int] | None = None) -> PassSummary:
        await self._enter(f"replay {list(dead_letter_ids) if dead_letter_ids is not None else 'all'}")
        return summary()
