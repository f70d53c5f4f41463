"""The figures every chaos run prints, collected for the end-of-run summary and bench/results/chaos.json.

Each run calls ``record(name, figures)`` once with flat counts (kills, faults injected by kind, records
checked, duplicates, lost edits, dead letters, conflicts…); ``line`` renders them on one line. The
kill series (tests/acceptance/test_kill.py) keeps its own ``KillReport``s; ``kill_series`` turns them
into the same shape.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.acceptance.killing import SERIES, KillReport

__all__ = ["FIGURES", "RESULTS", "kill_series", "line", "record", "write_results"]

#: Where ``make chaos`` leaves the figures of its last full run.
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "chaos.json"
#: Run name → its figures, in the order the runs finished.
FIGURES: dict[str, dict[str, Any]] = {}


def record(name: str, figures: dict[str, Any]) -> str:
    """Keep a run's figures; its summary line (which the test also prints)."""
    FIGURES[name] = figures
    return line(name, figures)


def line(name: str, figures: dict[str, Any]) -> str:
    """``name: key value, key value, …`` with nested counts as ``key {k v, …}``."""

    def show(value: Any) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k} {show(v)}" for k, v in value.items()) + "}"
        return f"{value:.1f}" if isinstance(value, float) else str(value)

    return f"{name}: " + ", ".join(f"{k.replace('_', ' ')} {show(v)}" for k, v in figures.items())


def _kill_figures(report: KillReport) -> dict[str, Any]:
    return {
        "kills": report.kills,
        "initial_load_kills": report.initial_kills,
        "incremental_kills": report.incremental_kills,
        "kills_after_writes": report.kills_after_writes,
        "completed_runs": report.completed,
        "edit_rounds": report.edit_rounds,
        "records_checked": report.records_checked,
        "duplicates": report.duplicates,
        "missing": report.missing,
        "lost_edits": report.lost_edits,
    }


def kill_series() -> dict[str, dict[str, Any]]:
    """The kill series that ran in this session, by database, plus their total."""
    runs = {report.label: _kill_figures(report) for report in SERIES}
    if runs:
        runs["total"] = {key: sum(int(r[key]) for r in runs.values()) for key in next(iter(runs.values()))}
    return runs


def write_results(scale: str, started: dt.datetime, seconds: float) -> Path:
    """Write every run's figures to ``RESULTS``."""
    data = {
        "scale": scale,
        "started_at": started.isoformat(timespec="seconds"),
        "duration_seconds": round(seconds, 1),
        "kill_series": kill_series(),
        "runs": FIGURES,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return RESULTS
