"""The rate-bound run of ``bench.scale``: how much of Tripletex's allowance an initial load uses.

The Tripletex simulator starts with a rate limit (``--rate-limit`` requests per ``--rate-period``
seconds: a fixed window that begins with its first request, as Tripletex's does) set well below what
the engine sends unhindered (about 6 calls/s at 10k on this machine), so the client's pacer, not the
engine, sets the pace. The engine runs the initial load of ``--rate-size`` customers (products and
orders in proportion) while the benchmark reads ``/_sim/stats`` every 0.1 s.

**Share of the limit** = answered calls (not 429) in the *complete* windows / (limit × complete
windows). Windows are counted from the first request, one period each. The last, incomplete window
is left out: a run ends part-way through one, and a fixed window lets a client spend its whole
allowance at the start of a window, so calls / (seconds × limit / period) would read more than 100 %
for a short run or less for one that ends early in a window. Both figures are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from bench.engine_data import unique_names
from bench.processes import run_engine, sim_stats, simulators, write_config

__all__ = ["Sample", "run_rate_bound", "window_share"]

POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Sample:
    """The simulator's counters at one moment (``time.monotonic``)."""

    at: float
    total: int
    rate_limited: int


class _Poller(threading.Thread):
    """Reads ``/_sim/stats`` every POLL_SECONDS until stopped."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.samples: list[Sample] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            stats = sim_stats(self.url)
            self.samples.append(Sample(time.monotonic(), int(stats["total"]), int(stats["rateLimited"])))
            self._stop_event.wait(POLL_SECONDS)

    def stop(self) -> list[Sample]:
        self._stop_event.set()
        self.join()
        return self.samples


def _at(samples: Sequence[Sample], moment: float) -> Sample:
    """The last sample taken at or before ``moment``."""
    found = samples[0]
    for sample in samples:
        if sample.at > moment:
            break
        found = sample
    return found


def window_share(samples: Sequence[Sample], period: float, limit: int) -> dict[str, Any]:
    """Answered calls per complete window against the limit (see the module docstring).

    ``samples`` start before the first request; the first request is placed at the first sample
    that counts more than the first one (within POLL_SECONDS of it)."""
    base = samples[0]
    moving = [s for s in samples if s.total > base.total]
    if not moving:
        return {"windows": 0, "share": None, "per_window": []}
    start = _at(samples, moving[0].at - 1e-9).at  # the sample before the first request
    last = next(s for s in reversed(samples) if s.total == samples[-1].total)
    windows = int((last.at - start) // period)
    per_window = []
    for k in range(windows):
        a, b = _at(samples, start + k * period), _at(samples, start + (k + 1) * period)
        per_window.append((b.total - a.total) - (b.rate_limited - a.rate_limited))
    share = sum(per_window) / (limit * windows) if windows else None
    return {"windows": windows, "share": share, "per_window": per_window}


def run_rate_bound(args: argparse.Namespace, console: Console, data: argparse.Namespace) -> dict[str, Any]:
    """The initial load of ``data`` against a Tripletex allowing ``args.rate_limit`` requests per
    ``args.rate_period`` seconds; the figures of the module docstring."""
    data.tx_options = ["--rate-limit", str(args.rate_limit), "--rate-period", str(args.rate_period)]
    allowed = args.rate_limit / args.rate_period
    extra_env = {"PYTHONPATH": str(args.engine_src)} if args.engine_src else {}
    with tempfile.TemporaryDirectory(prefix="shopsync-bench-rate-") as tmp:
        work = pathlib.Path(tmp)
        with simulators(data, work) as (tx_url, shop_url):
            asyncio.run(unique_names(tx_url, shop_url))
            config = write_config(work / "shopsync.yaml", shop_url, tx_url, work / "state.sqlite")
            console.print(
                f"rate-bound: initial load of {data.customers:,} customers, Tripletex allows "
                f"{args.rate_limit} requests per {args.rate_period:g} s ({allowed:.2f}/s) …"
            )
            time.sleep(args.rate_period)  # whatever the set-up asked, a fresh window begins with the pass
            poller = _Poller(tx_url)
            poller.start()
            try:
                run = run_engine(config, extra_env)
            finally:
                samples = poller.stop()
    calls = samples[-1].total - samples[0].total
    refused = samples[-1].rate_limited - samples[0].rate_limited
    seconds = run["pass_seconds"]
    windows = window_share(samples, args.rate_period, args.rate_limit)
    attention = {k: v for k, v in run["summary"].get("attention", {}).items() if v}
    failed = sum(sum(v.values()) if isinstance(v, dict) else int(v) for v in attention.values())
    return {
        "size": data.customers,
        "rate_limit": args.rate_limit,
        "rate_period": args.rate_period,
        "allowed_per_second": round(allowed, 3),
        "exit_code": run["exit_code"],
        "seconds": seconds,
        "tripletex_calls": calls,
        "tripletex_429": refused,
        "calls_per_second": round((calls - refused) / seconds, 3) if seconds else 0.0,
        "share_of_limit_overall": round((calls - refused) / seconds / allowed, 4) if seconds else 0.0,
        "complete_windows": windows["windows"],
        "calls_per_window": windows["per_window"],
        "share_of_limit": None if windows["share"] is None else round(windows["share"], 4),
        "failed_records": failed,
        "attention": attention,
        "cpu_seconds": run["pass_cpu_seconds"],
    }
