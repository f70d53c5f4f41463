"""The kill -9 series: start ``shopsync sync``, SIGKILL it at a random moment, repeat; then check.

A kill is timed from the moment the run first talks to an API (the simulators' request counters
move), plus a random 0.05–1.5 s: timed from the process start, most kills would land in interpreter
start-up and prove nothing. Runs that finish before their kill time are counted as completed and must
have exited 0 or 1 (a crash while recovering from an earlier kill would be 2 or 3).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from shopsync.state import StateStore

from .harness import SimProcess, spawn_shopsync

#: Kill timing after the run's first API request, in seconds.
KILL_DELAY = (0.05, 1.5)
#: Every kill series of this test session, in the order they started.
SERIES: list[KillReport] = []


@dataclass
class KillReport:
    """Figures of one kill series."""

    label: str
    kills: int = 0
    #: Kills by phase: during the initial load, during incremental syncs.
    initial_kills: int = 0
    incremental_kills: int = 0
    completed: int = 0
    completed_codes: list[int] = field(default_factory=list)
    #: The output of completed runs that exited with something else than 0 or 1.
    crashes: list[str] = field(default_factory=list)
    #: Kills of runs that had written to either system before they died.
    kills_after_writes: int = 0
    #: Seconds the quickest run of each phase (initial load?) that finished before its kill took.
    quickest_run: dict[bool, float] = field(default_factory=dict)
    edit_rounds: int = 0
    records_checked: int = 0
    duplicates: int = 0
    missing: int = 0
    lost_edits: int = 0

    def __post_init__(self) -> None:
        SERIES.append(self)  # for the chaos summary (tests/chaos/report.py) and bench/results/chaos.json

    def line(self) -> str:
        """One line for the end-of-run summary."""
        return (
            f"{self.label}: kills {self.kills} (initial load {self.initial_kills}, incremental "
            f"{self.incremental_kills}; {self.kills_after_writes} after writes), "
            f"completed runs {self.completed}, edit rounds {self.edit_rounds}, "
            f"records checked {self.records_checked}, duplicates {self.duplicates}, "
            f"missing {self.missing}, lost edits {self.lost_edits}"
        )


def _totals(sims: tuple[SimProcess, ...]) -> tuple[int, int]:
    stats = [sim.stats() for sim in sims]
    return sum(int(s["total"]) for s in stats), sum(int(s["writes"]) for s in stats)


def _size(log: Path) -> int:
    return log.stat().st_size if log.exists() else 0


def _tail(log: Path, offset: int) -> str:
    """What a run wrote to the shared log after ``offset`` (a traceback starts with its root cause)."""
    with log.open("rb") as f:
        f.seek(offset)
        text = f.read().decode(errors="replace")
    return text if len(text) < 12_000 else text[:8_000] + "\n[…]\n" + text[-4_000:]


async def kill_once(
    config: Path,
    sims: tuple[SimProcess, ...],
    rng: random.Random,
    report: KillReport,
    log: Path,
    *,
    initial: bool,
) -> None:
    """One run of ``shopsync sync`` killed with SIGKILL at a random point of its work."""
    requests_before, writes_before = _totals(sims)
    offset = _size(log)
    proc = spawn_shopsync("sync", "--config", str(config), log=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None or _totals(sims)[0] != requests_before:
            break
        await asyncio.sleep(0.05)  # coarse: polling the simulators competes with the run for CPU
    started = time.monotonic()
    # Kills must land inside the work: never later than the quickest run seen so far took to finish.
    upper = max(KILL_DELAY[0], min(KILL_DELAY[1], 0.9 * report.quickest_run.get(initial, math.inf)))
    kill_at = started + rng.uniform(KILL_DELAY[0], upper)
    while time.monotonic() < kill_at and proc.poll() is None:  # noqa: ASYNC110 - a process, not a task
        await asyncio.sleep(0.01)
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)
        report.kills += 1
        if initial:
            report.initial_kills += 1
        else:
            report.incremental_kills += 1
        if _totals(sims)[1] > writes_before:
            report.kills_after_writes += 1
    else:
        took = time.monotonic() - started
        report.quickest_run[initial] = min(report.quickest_run.get(initial, math.inf), took)
        report.completed += 1
        report.completed_codes.append(proc.returncode)
        if proc.returncode not in (0, 1):
            report.crashes.append(_tail(log, offset))


def timelines(state: str, entity_ids: list[tuple[str, str]]) -> str:
    """The store's timeline and conflicts of some records, for a failure message (post-mortem)."""
    out: list[str] = []
    with StateStore.open(state) as store:
        for entity, webshop_id in entity_ids:
            out.append(f"--- {entity} {webshop_id}")
            for event in store.timeline(entity, webshop_id=webshop_id):
                out.append(f"  {event.at:%H:%M:%S.%f} {event.side} {event.action} {event.detail}")
            for conflict in store.conflicts_for(entity, webshop_id):
                out.append(
                    f"  conflict {conflict.field}: base {conflict.base!r} shop {conflict.webshop_value!r} "
                    f"tripletex {conflict.tripletex_value!r} -> {conflict.winner} ({conflict.policy})"
                )
    return "\n".join(out)
