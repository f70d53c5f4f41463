"""How big the chaos runs are: ``SHOPSYNC_CHAOS_SCALE=short`` (default, ``make test``) or ``full``
(``make chaos``).

The short form proves each property on a small data set in a few seconds per run; the full form is the
published one (bench/results/chaos.json). Read at import: the autouse fixture in tests/conftest.py
removes SHOPSYNC_* variables before each test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .faults import FaultMix

__all__ = ["SCALE", "Scale"]


@dataclass(frozen=True)
class Scale:
    """The sizes of every chaos run at one scale."""

    name: str
    #: Faults run: seeded simulators (``shopsync sim`` options) and incremental edit rounds.
    faults_tripletex: dict[str, Any]
    faults_webshop: dict[str, Any]
    faults_rounds: int
    faults_mix: FaultMix
    #: Fuzz run: bad records (hypothesis examples) and good ones of each resource.
    fuzz_bad: int
    fuzz_good: int
    #: Concurrent-edit run: contested records per entity and seconds of editing.
    contested: int
    edit_seconds: float

    @property
    def full(self) -> bool:
        """The published form."""
        return self.name == "full"


#: A 429 from Tripletex means "the period's quota is used up": clients wait for the period to end. Short
#: periods (with a quota never reached otherwise) keep a 429 storm's cost to seconds, not a minute.
_SHORT_PERIOD = {"rate_limit": 5000, "rate_period": 2}

_SCALES = {
    "short": Scale(
        name="short",
        faults_tripletex={"seed": 31, "customers": 12, "products": 6, "orders": 2, **_SHORT_PERIOD},
        faults_webshop={"seed": 32, "customers": 15, "products": 8, "orders": 12},
        faults_rounds=1,
        # Every kind on both sides, a little less often: each fault costs the run a retry's wait.
        faults_mix=FaultMix(
            drop_every=(3.0, 5.0),
            storm_every=(8.0, 12.0),
            storm_seconds=(1, 1),
            spike_every=(2.0, 4.0),
            spike_ms=(100, 400),
            spike_seconds=(0.2, 0.6),
        ),
        fuzz_bad=1000,
        fuzz_good=30,
        contested=2,
        edit_seconds=4.0,
    ),
    "full": Scale(
        name="full",
        faults_tripletex={"seed": 31, "customers": 200, "products": 80, "orders": 20, **_SHORT_PERIOD},
        faults_webshop={"seed": 32, "customers": 400, "products": 150, "orders": 400},
        faults_rounds=6,
        faults_mix=FaultMix(),
        fuzz_bad=3000,
        fuzz_good=150,
        contested=8,
        edit_seconds=30.0,
    ),
}


def _scale() -> Scale:
    name = os.environ.get("SHOPSYNC_CHAOS_SCALE") or "short"
    if name not in _SCALES:
        raise ValueError(f"SHOPSYNC_CHAOS_SCALE must be one of {sorted(_SCALES)}, not {name!r}")
    return _SCALES[name]


SCALE = _scale()
