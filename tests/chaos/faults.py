"""Faults on both simulators at once, from a background thread, while ``shopsync sync`` runs.

``FaultDriver.injecting()`` keeps ``fail_rate`` (random 5xx) on both simulators for a block and, at
random moments, arms ``drop_after_commit`` for a moment (a write then is committed, and its connection
cut; always armed for the first write of a run), starts 429 storms (``rate_limit_for``: only while the run
is talking to that system, the first one as soon as it does) and latency spikes (``latency_ms`` for a
moment). Outside the block no fault is set, so the test itself can read and edit both systems. The
simulators count what they injected (``/_sim/stats``: ``faults`` by kind, 429 answers); the driver
counts the events it started.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2

from tests.acceptance.harness import SimProcess

__all__ = ["FaultDriver", "FaultMix", "injected"]


@dataclass(frozen=True)
class FaultMix:
    """What the driver injects, and how often (seconds between events are drawn uniformly)."""

    fail_rate: float = 0.10
    drop_every: tuple[float, float] = (0.5, 1.5)
    #: An armed drop not taken by a write within this many seconds is disarmed again: drops hit a
    #: sample of the writes, not every retry of a write that waited for the next one.
    drop_window: float = 0.3
    storm_every: tuple[float, float] = (3.0, 6.0)
    storm_seconds: tuple[int, int] = (1, 2)
    spike_every: tuple[float, float] = (1.0, 3.0)
    spike_ms: tuple[int, int] = (150, 600)
    spike_seconds: tuple[float, float] = (0.3, 1.0)


def _faults(sim: SimProcess, settings: dict[str, Any] | None) -> None:
    """``POST /_sim/faults`` (``None``: ``DELETE``, back to no faults)."""
    url = sim.url + "/_sim/faults"
    if settings is None:
        response = httpx2.delete(url, timeout=10)
    else:
        response = httpx2.post(url, json=settings, timeout=10)
    response.raise_for_status()


class FaultDriver:
    """Injects a ``FaultMix`` into every simulator until stopped; see the module docstring."""

    def __init__(self, sims: list[SimProcess], rng: random.Random, mix: FaultMix | None = None) -> None:
        self.sims = sims
        self.rng = rng
        self.mix = mix or FaultMix()
        #: Events this driver started, by simulator kind and fault.
        self.events: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._active = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fault-driver", daemon=True)
        self._due: dict[tuple[str, str], float] = {}
        self._spike_ends: dict[str, float] = {}
        self._drop_ends: dict[str, float] = {}
        #: Request count of each simulator at the last tick: storms start only while it is being used.
        self._seen: dict[str, int] = {}

    def __enter__(self) -> FaultDriver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._clear()

    def _clear(self) -> None:
        with self._lock:
            for sim in self.sims:
                _faults(sim, None)
            self._spike_ends.clear()
            self._drop_ends.clear()

    @contextlib.contextmanager
    def injecting(self) -> Iterator[None]:
        """Faults on for the block (a ``shopsync sync`` under fire), off again after it."""
        now = time.monotonic()
        with self._lock:
            for sim in self.sims:
                # The first write of the run on each side loses its answer; storms wait for traffic.
                _faults(sim, {"fail_rate": self.mix.fail_rate, "drop_after_commit": 1})
                self.events[f"{sim.kind} drop"] += 1
                for kind in ("drop", "spike"):
                    self._due[(sim.kind, kind)] = now + self._gap(kind)
                self._due[(sim.kind, "storm")] = now  # the first storm as soon as the run is busy here
                self._seen[sim.kind] = sim.requests()
            self._active.set()
        try:
            yield
        finally:
            self._active.clear()
            self._clear()

    def _gap(self, kind: str) -> float:
        low, high = {
            "drop": self.mix.drop_every,
            "storm": self.mix.storm_every,
            "spike": self.mix.spike_every,
        }[kind]
        return self.rng.uniform(low, high)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            if not self._active.is_set():
                continue
            with self._lock:
                if self._active.is_set():
                    self._tick(time.monotonic())

    def _tick(self, now: float) -> None:
        mix = self.mix
        for sim in self.sims:
            requests = sim.requests()
            busy, self._seen[sim.kind] = requests != self._seen[sim.kind], requests
            if sim.kind in self._spike_ends and now >= self._spike_ends[sim.kind]:
                _faults(sim, {"latency_ms": 0})
                del self._spike_ends[sim.kind]
            if sim.kind in self._drop_ends and now >= self._drop_ends[sim.kind]:
                _faults(sim, {"drop_after_commit": 0})
                del self._drop_ends[sim.kind]
            for kind in ("drop", "storm", "spike"):
                if now < self._due[(sim.kind, kind)] or (kind == "storm" and not busy):
                    continue  # a storm while the run talks to the other system would hit nothing
                self._due[(sim.kind, kind)] = now + self._gap(kind)
                if kind == "drop":
                    _faults(sim, {"drop_after_commit": 1})
                    self._drop_ends[sim.kind] = now + mix.drop_window
                elif kind == "storm":
                    _faults(sim, {"rate_limit_for": self.rng.randint(*mix.storm_seconds)})
                elif sim.kind not in self._spike_ends:
                    _faults(sim, {"latency_ms": self.rng.randint(*mix.spike_ms)})
                    self._spike_ends[sim.kind] = now + self.rng.uniform(*mix.spike_seconds)
                else:
                    continue
                self.events[f"{sim.kind} {kind}"] += 1


def injected(sim: SimProcess) -> dict[str, int]:
    """What a simulator counted: API requests, injected 5xx, dropped answers and 429s (storms and its
    own limit)."""
    stats = sim.stats()
    faults: dict[str, int] = stats["faults"]
    statuses: dict[str, int] = stats["statuses"]
    return {
        "requests": int(stats["total"]),
        "5xx": int(faults.get("random_fail", 0)) + int(faults.get("fail", 0)),
        "dropped_after_commit": int(faults.get("drop", 0)),
        "429": int(statuses.get("429", 0)),
    }
