"""The Markdown the README and docs/performance.md show is rendered from a recorded run."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from bench.report import BEGIN, END, render, update
from bench.scale import growth


def _pass(records: int, calls: int, minimum: int, cpu: float, rss: float) -> dict[str, Any]:
    return {
        "records": records,
        "seconds": 10.0,
        "tripletex_calls": calls,
        "tripletex_minimum": minimum,
        "calls_per_minimum": round(calls / minimum, 3),
        "tripletex_writes": 5,
        "cpu_ms_per_record": cpu,
        "cpu_seconds": cpu * records / 1000,
        "peak_rss_mb": rss,
        "exit_code": 0,
    }


def _size(n: int, rss: float) -> dict[str, Any]:
    both = {"n": 20, "p50": 0.05, "p95": 0.08, "p99": 0.09, "max": 0.1}
    return {
        "size": n,
        "passes": {"initial": _pass(n, n // 100 + 1, n // 100, 1.5, rss)},
        "latency": {"both": both},
    }


def _data() -> dict[str, Any]:
    sizes = [_size(1000, 100.0), _size(100_000, 300.0)]
    return {
        "when": "2026-11-29T05:00:00+00:00",
        "machine": {"cpus": 2, "python": "3.11.2", "load_average": [1.5, 1.0, 1.0]},
        "wall_seconds": 600,
        "change_share": 0.01,
        "sizes": sizes,
        "rate_bound": None,
        "growth": growth(sizes),
    }


def test_the_tables_carry_each_pass_the_latency_and_the_growth_verdict() -> None:
    text = render(_data())
    assert "| 1,000 | initial | 1,000 | 10.0 | 11 / 10 | **1.10** |" in text
    assert "| 100,000 | 20 | 50 ms | 80 ms | 90 ms | 100 ms |" in text
    # RSS tripled over two decades (× 1.73 per decade): not flat, and the table says so.
    assert "| initial: peak RSS MB | 100 | 300 | 1.73 | ≤ 1.25 (flat) | **no** |" in text
    assert "| initial: CPU ms / record | 1.5 | 1.5 | 1.00 | ≤ 1.25 (flat) | yes |" in text


def test_update_replaces_only_the_figures_block(tmp_path: pathlib.Path) -> None:
    doc = tmp_path / "README.md"
    doc.write_text(f"# title\n\n{BEGIN}\nold figures\n{END}\n\nafter\n", encoding="utf-8")
    update(doc, "new figures\n")
    assert doc.read_text(encoding="utf-8") == f"# title\n\n{BEGIN}\nnew figures\n{END}\n\nafter\n"
    bare = tmp_path / "bare.md"
    bare.write_text("no block\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no <!-- bench:begin -->"):
        update(bare, "x\n")
