"""The benchmark suite of ``make bench``: the sync engine at 1k, 10k and 100k customers, in one run.

For every size N (``--sizes``, ``make bench BENCH_SIZES=…``) both simulators start seeded in processes
of their own — the shop with N customers, N/4 products and N orders (1-5 lines each), Tripletex with
N/10 customers and N/40 products that flow the other way — and each pass runs ``bench.engine_run``
in a process of its own, so the engine's CPU time and peak RSS are its own (``resource.getrusage``):

1. **initial load** (empty state), 2. **incremental** after ``--change-share`` (1 %) of every entity
   was edited on each side, 3. **idle** (nothing changed);
4. **webhook → write latency**: ``shopsync run`` on the same state, ``--edits`` renames of linked
   customers alternating sides (``bench.webhook_latency``).

Then once, on fresh simulators whose Tripletex has a rate limit (``--rate-limit`` requests per
``--rate-period`` seconds, set well below what the engine would send unhindered, so the run is
rate-bound), the initial load of ``--rate-size`` customers: the share of the allowance it used.

Figures per pass: Tripletex calls (``/_sim/stats``) against the minimum a pass needs (``minimum_calls``),
Tripletex writes, records/s, CPU ms per record of the pass, peak RSS; and how each grows from the
smallest size to the largest (``growth``). Printed as tables, written to ``bench/results/latest.json``.

    .venv/bin/python -m bench.scale --sizes 1000,10000,100000
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import pathlib
import platform
import random
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

import bench.minimum
from bench.engine_data import edit_both_sides, tripletex_counts, unique_names
from bench.minimum import minimum_calls, tripletex_writes
from bench.processes import run_engine, sim_stats, simulators, write_config
from bench.rate_bound import run_rate_bound
from bench.webhook_latency import measure_daemon
from shopsync.logs import configure_logging

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "latest.json"
ENTITIES = ("customer", "product", "order")
#: A per-record figure (or RSS) growing by at most this factor per decade still counts as flat: runs on
#: a shared two-core machine vary by about that much.
FLAT = 1.25


@dataclass
class PassFigures:
    """One measured pass."""

    name: str
    exit_code: int
    records: int
    seconds: float
    tripletex_calls: int
    tripletex_minimum: int
    tripletex_writes: int
    tripletex_429: int
    webshop_calls: int
    webshop_writes: int
    cpu_seconds: float
    start_rss_mb: float
    peak_rss_mb: float
    attention: dict[str, Any] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    #: What ``minimum_calls`` was given (Tripletex counts after the pass, changed, written).
    minimum_inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """Tripletex calls per minimum call."""
        return self.tripletex_calls / self.tripletex_minimum if self.tripletex_minimum else 0.0

    @property
    def cpu_ms_per_record(self) -> float:
        return 1000 * self.cpu_seconds / self.records if self.records else 0.0

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "calls_per_minimum": round(self.ratio, 3),
            "cpu_ms_per_record": round(self.cpu_ms_per_record, 3),
            "records_per_second": round(self.records_per_second, 1),
        }


# ---------------------------------------------------------------------------------------------- passes


def dataset(n: int) -> argparse.Namespace:
    """The simulators' data for size ``n`` (customers : products : orders = 1 : 0.25 : 1)."""
    return argparse.Namespace(
        customers=n, products=n // 4, orders=n, tx_customers=n // 10, tx_products=n // 40, tx_options=[]
    )


def engine_env(engine_src: pathlib.Path | None) -> dict[str, str]:
    """Environment of the engine's processes: ``engine_src`` first on the path (a "before" run)."""
    return {"PYTHONPATH": str(engine_src)} if engine_src else {}


def measure_pass(
    name: str,
    config: pathlib.Path,
    urls: tuple[str, str],
    records: int | None,
    changed: dict[str, int],
    extra_env: Mapping[str, str],
) -> PassFigures:
    """Run one pass and collect its figures (``records`` None: the pairs linked after it). The
    minimum's listings count what Tripletex held when the pass began (what it had to list)."""
    tx_url, shop_url = urls
    counts = asyncio.run(tripletex_counts(tx_url, shop_url))
    tx_before, shop_before = sim_stats(tx_url), sim_stats(shop_url)
    run = run_engine(config, extra_env)
    tx_after, shop_after = sim_stats(tx_url), sim_stats(shop_url)
    summary = run["summary"]
    writes = tripletex_writes(summary)
    before_requests = tx_before["requests"]
    calls = {
        k: v - before_requests.get(k, 0)
        for k, v in tx_after["requests"].items()
        if v != before_requests.get(k, 0)
    }
    return PassFigures(
        name=name,
        exit_code=run["exit_code"],
        records=records if records is not None else linked_pairs(summary),
        seconds=run["pass_seconds"],
        tripletex_calls=tx_after["total"] - tx_before["total"],
        tripletex_minimum=minimum_calls(counts, changed, writes),
        tripletex_writes=tx_after["writes"] - tx_before["writes"],
        tripletex_429=tx_after["rateLimited"] - tx_before["rateLimited"],
        webshop_calls=shop_after["total"] - shop_before["total"],
        webshop_writes=shop_after["writes"] - shop_before["writes"],
        cpu_seconds=run["pass_cpu_seconds"],
        start_rss_mb=run["start_rss_mb"],
        peak_rss_mb=run["peak_rss_mb"],
        attention={k: v for k, v in summary.get("attention", {}).items() if v},
        calls=calls,
        minimum_inputs={"counts": counts, "changed": changed, "writes": writes},
    )


def linked_pairs(summary: Mapping[str, Any]) -> int:
    """Records linked by the pass (created on either side or matched), order lines not counted."""
    total = 0
    for entity in ENTITIES:
        for side in summary.get("counts", {}).get(entity, {}).values():
            total += int(side.get("created", 0)) + int(side.get("linked", 0))
    return total


def run_size(n: int, args: argparse.Namespace, console: Console) -> dict[str, Any]:
    """Every pass and the latency for one data set size."""
    return run_dataset(n, dataset(n), args, console)


def run_dataset(
    n: int, data: argparse.Namespace, args: argparse.Namespace, console: Console
) -> dict[str, Any]:
    """Every pass, and the latency when ``args.edits``, for the data set ``data`` (labelled ``n``)."""
    extra_env = engine_env(args.engine_src)
    rng = random.Random(n)
    with tempfile.TemporaryDirectory(prefix=f"shopsync-bench-{n}-") as tmp:
        work = pathlib.Path(tmp)
        started = time.monotonic()
        with simulators(data, work) as urls:
            tx_url, shop_url = urls
            asyncio.run(unique_names(tx_url, shop_url))
            setup = time.monotonic() - started
            state = work / "state.sqlite"
            config = write_config(work / "shopsync.yaml", shop_url, tx_url, state)
            before = asyncio.run(tripletex_counts(tx_url, shop_url))
            console.print(f"[bold]{n:,}[/]: simulators seeded in {setup:.0f} s; initial load …")
            initial = measure_pass(
                "initial",
                config,
                urls,
                None,
                {
                    "customer": before["customer"],
                    "customer_inactive": before["customer_inactive"],
                    "product": before["product"],
                },
                extra_env,
            )
            edited = asyncio.run(edit_both_sides(tx_url, shop_url, args.change_share, rng))
            console.print(f"{n:,}: incremental pass after {sum(edited.values())} edits …")
            tx_changed = {"customer": edited["tripletex customer"], "product": edited["tripletex product"]}
            incremental = measure_pass(
                "incremental", config, urls, sum(edited.values()), tx_changed, extra_env
            )
            console.print(f"{n:,}: idle pass …")
            idle = measure_pass("idle", config, urls, initial.records, {}, extra_env)
            latency: dict[str, Any] | None = None
            if args.edits:
                console.print(f"{n:,}: webhook → write latency, {args.edits} edits …")
                latency = measure_daemon(tx_url, shop_url, work, str(state), args.edits, extra_env=extra_env)
    return {
        "size": n,
        "dataset": {k: v for k, v in vars(data).items() if k != "tx_options"},
        "setup_seconds": round(setup, 1),
        "edited": edited,
        "passes": {p.name: p.to_dict() for p in (initial, incremental, idle)},
        "latency": latency,
    }


# ---------------------------------------------------------------------------------------------- growth


#: Figures followed from size to size: (label, path into a size's results, kind). ``total`` grows
#: linearly when its factor per decade is at most 10 (× FLAT, the same tolerance); ``flat`` (per
#: record, ratios, memory, latency) when at most FLAT.
FIGURES: list[tuple[str, tuple[str, ...], str]] = [
    *(
        (f"{name}: {label}", ("passes", name, key), kind)
        for name in ("initial", "incremental", "idle")
        for label, key, kind in (
            ("Tripletex calls / minimum", "calls_per_minimum", "flat"),
            ("CPU ms / record", "cpu_ms_per_record", "flat"),
            ("CPU s", "cpu_seconds", "total"),
            ("peak RSS MB", "peak_rss_mb", "flat"),
        )
    ),
    ("latency p95 s", ("latency", "both", "p95"), "flat"),
    ("latency p99 s", ("latency", "both", "p99"), "flat"),
]


def _get(data: Any, path: Sequence[str]) -> Any:
    for part in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def growth(sizes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per figure: its value at each size and its factor per decade of N from the smallest to the
    largest size (geometric: (last / first) ** (1 / decades)), with the verdict."""
    if len(sizes) < 2:
        return []
    first, last = sizes[0], sizes[-1]
    decades = math.log10(last["size"] / first["size"])
    rows = []
    for label, path, kind in FIGURES:
        values = [_get(s, path) for s in sizes]
        a, b = values[0], values[-1]
        if a is None or b is None or not a or decades <= 0:
            continue
        factor = (b / a) ** (1 / decades)
        limit = 10.0 * FLAT if kind == "total" else FLAT
        rows.append(
            {
                "figure": label,
                "values": values,
                "per_decade": round(factor, 3),
                "expected": f"≤ {10 * FLAT:g} (linear)" if kind == "total" else f"≤ {FLAT} (flat)",
                "linear_or_better": factor <= limit,
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------- output


def _print(console: Console, sizes: list[dict[str, Any]], rate: dict[str, Any] | None) -> None:
    table = Table(title="sync engine by data set size (N customers, N/4 products, N orders)")
    for column in (
        "N",
        "pass",
        "exit",
        "records",
        "s",
        "rec/s",
        "Tx calls",
        "minimum",
        "× min",
        "Tx writes",
        "shop calls",
        "CPU ms/rec",
        "RSS MB",
    ):
        table.add_column(column, justify="left" if column == "pass" else "right")
    for s in sizes:
        for name, p in s["passes"].items():
            table.add_row(
                f"{s['size']:,}",
                name,
                str(p["exit_code"]),
                f"{p['records']:,}",
                f"{p['seconds']:.1f}",
                f"{p['records_per_second']:.0f}",
                str(p["tripletex_calls"]),
                str(p["tripletex_minimum"]),
                f"{p['calls_per_minimum']:.2f}",
                str(p["tripletex_writes"]),
                str(p["webshop_calls"]),
                f"{p['cpu_ms_per_record']:.2f}",
                f"{p['peak_rss_mb']:.0f}",
            )
    console.print(table)
    latency = Table(title="webhook → write latency under shopsync run (seconds)")
    for column in ("N", "edits", "p50", "p95", "p99", "max", "start-up s"):
        latency.add_column(column, justify="right")
    for s in sizes:
        lat = s["latency"]
        if lat:
            both = lat["both"]
            latency.add_row(
                f"{s['size']:,}",
                str(both["n"]),
                *(f"{both[k]:.3f}" for k in ("p50", "p95", "p99", "max")),
                f"{lat['startup_seconds']:.0f}",
            )
    if latency.row_count:
        console.print(latency)
    if rate:
        share = rate["share_of_limit"]
        console.print(
            f"rate-bound initial load of {rate['size']:,} ({rate['rate_limit']} requests per "
            f"{rate['rate_period']:g} s): {rate['tripletex_calls']} Tripletex calls "
            f"({rate['tripletex_429']} answered 429) in {rate['seconds']:.0f} s; "
            f"[bold]{'n/a' if share is None else f'{share:.1%}'}[/] of the limit used in "
            f"{rate['complete_windows']} complete windows {rate['calls_per_window']} "
            f"({rate['share_of_limit_overall']:.1%} over the whole pass); "
            f"{rate['failed_records']} failed records"
        )
    rows = growth(sizes)
    if rows:
        grow = Table(title=f"growth from {sizes[0]['size']:,} to {sizes[-1]['size']:,}")
        for column in ("figure", *(f"{s['size']:,}" for s in sizes), "× per decade", "expected", "ok"):
            grow.add_column(column, justify="left" if column == "figure" else "right")
        for r in rows:
            grow.add_row(
                r["figure"],
                *(f"{v:.3g}" if isinstance(v, float) else str(v) for v in r["values"]),
                f"{r['per_decade']:.2f}",
                r["expected"],
                "yes" if r["linear_or_better"] else "NO",
            )
        console.print(grow)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="customers per data set, comma-separated"
    )
    parser.add_argument("--change-share", type=float, default=0.01, help="share edited on each side")
    parser.add_argument("--edits", type=int, default=200, help="latency edits per size (0: skip)")
    parser.add_argument(
        "--rate-size", type=int, default=10_000, help="customers of the rate-bound run (0: skip)"
    )
    parser.add_argument("--rate-limit", type=int, default=50, help="Tripletex requests per period")
    parser.add_argument("--rate-period", type=float, default=20.0, help="seconds per rate-limit period")
    parser.add_argument(
        "--engine-src",
        type=pathlib.Path,
        default=None,
        help="put this source tree first on the engine's path (measures another version of the engine)",
    )
    parser.add_argument("--output", type=pathlib.Path, default=RESULTS)
    args = parser.parse_args(argv)
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    configure_logging("WARNING")  # the benchmark's own clients would print every request
    console = Console() if Console().is_terminal else Console(width=160)
    started = time.monotonic()
    results = []
    for n in sizes:
        size_started = time.monotonic()
        results.append(run_size(n, args, console))
        results[-1]["wall_seconds"] = round(time.monotonic() - size_started, 1)
    rate = run_rate_bound(args, console, dataset(args.rate_size)) if args.rate_size else None
    _print(console, results, rate)
    data = {
        "benchmark": "scale",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "engine_src": str(args.engine_src) if args.engine_src else None,
        "change_share": args.change_share,
        "minimum_formula": bench.minimum.__doc__,
        "sizes": results,
        "rate_bound": rate,
        "growth": growth(results),
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"written to {args.output}")
    failed = [p for s in results for p in s["passes"].values() if p["exit_code"] != 0]
    return 1 if failed or (rate and rate["exit_code"] != 0) else 0


if __name__ == "__main__":
    raise SystemExit(main())
