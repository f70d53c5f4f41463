"""Benchmark: does the Tripletex simulator serve 10× what the sync engine may ask of it? (``make bench``)

Starts ``shopsync sim tripletex`` with 20,000 seeded customers in a separate process, then times, at 1
and 4 concurrent connections and in rounds of a fixed number of ready-made requests
(``bench.tripletex_workloads``, ``bench.tripletex_timing``):

* ``GET /customer?fields=id,version`` pages of 1,000 customer numbers;
* exactly the requests the sync engine's scan of active customers sends through the real client: a
  list over 10,000 rows is refused (422 code 23000, as Tripletex does), so it reads blocks of 500
  customer numbers;
* ``POST /customer/list`` with 100 new customers.

The engine's need is bounded by Tripletex's rate limit (``X-Rate-Limit-Limit`` 100 per period in the
sandbox); the period is not published, so it is an explicit assumption (``--rate-period``, default
10 s: 10 req/s). The goal is a simulator serving at least 10× that on every workload. Prints a table
with the figures before the simulator's performance work (``bench/baselines/tripletex_simulator.json``)
and now, writes ``bench/results/tripletex_simulator.json``, and exits 1 when the goal is not met.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import pathlib
import platform
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.tripletex_timing import Result, Server, best_of, simulator, time_round
from bench.tripletex_workloads import (
    SCAN_FIELDS,
    batch_requests,
    create_session,
    page_requests,
    record_client_scan,
)
from shopsync.logs import configure_logging
from shopsync.simulators.tripletex import DEFAULT_RATE_PERIOD

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "tripletex_simulator.json"
#: The figures of the simulator before its performance work (committed; ``results/`` is not).
BASELINE = pathlib.Path(__file__).resolve().parent / "baselines" / "tripletex_simulator.json"
#: The goal: the simulator serves at least this many times the engine's need.
GOAL_FACTOR = 10
#: Tripletex's sandbox answers ``X-Rate-Limit-Limit: 100`` (shared/research/tripletex-observed.md).
SANDBOX_RATE_LIMIT = 100
#: Assumed period of that limit (not published): see bench/README.md.
ASSUMED_PERIOD = 10.0


@dataclass(frozen=True)
class Need:
    """Requests per second the engine may send: Tripletex's rate limit over its (assumed) period."""

    rate_limit: int
    rate_period: float

    @property
    def requests_per_second(self) -> float:
        return self.rate_limit / self.rate_period

    @property
    def goal(self) -> float:
        return GOAL_FACTOR * self.requests_per_second

    def shortfalls(self, results: list[Result]) -> list[str]:
        """What keeps the goal from being met (empty: met)."""
        out = []
        for r in results:
            if not r.goal:
                continue
            if r.failures:
                statuses = ", ".join(f"{status} ×{n}" for status, n in sorted(r.unexpected.items()))
                out.append(f"{r.workload} ×{r.connections}: {r.failures} unexpected answers ({statuses})")
            if r.requests_per_second < self.goal:
                line = (
                    f"{r.workload} ×{r.connections}: {r.requests_per_second:.1f} req/s < {self.goal:g} req/s"
                )
                if r.capacity is not None and r.capacity >= self.goal:
                    line += (
                        f" (its server CPU time allows {r.capacity:.0f} req/s: other processes held the CPU;"
                        " run again on a quiet machine)"
                    )
                out.append(line)
        return out


async def run(args: argparse.Namespace, server: Server) -> list[Result]:
    """Every workload at each concurrency; reads first, so every read sees the same customers."""
    url = server.url
    auth = await create_session(url)
    await record_client_scan(url, auth)  # the first run warms the server up; the second is timed
    scan = await record_client_scan(url, auth)
    results = [
        Result(
            workload="engine scan, real client",
            connections=1,
            requests=len(scan.workload.requests),
            failures=0,
            seconds=round(scan.seconds, 3),
            requests_per_second=round(len(scan.workload.requests) / scan.seconds, 1),
            rows_per_second=round(scan.rows / scan.seconds, 1),
            p50_ms=None,
            p95_ms=None,
            goal=False,
        )
    ]
    for workload in (page_requests(url, auth, args.customers), scan.workload):
        for conns in args.connections:
            rounds = [partial(time_round, server, workload, args.reads, conns) for _ in range(args.rounds)]
            results.append(await best_of(rounds))
    batches = itertools.count(0, args.writes)  # every round creates new customers
    for conns in args.connections:
        writes = [batch_requests(url, auth, next(batches), args.writes) for _ in range(args.rounds)]
        rounds = [partial(time_round, server, w, args.writes, conns) for w in writes]
        results.append(await best_of(rounds))
    return results


def _before(baseline: dict[str, Any] | None, r: Result) -> float | None:
    for b in (baseline or {}).get("results", []):
        if b["workload"] == r.workload and b["connections"] == r.connections:
            return float(b["requests_per_second"])
    return None


#: What each row measures (printed under the table).
LEGEND = {
    "GET 1,000 id,version": "GET /customer?fields=id,version, 1,000 customer numbers a page (≈980 rows)",
    "GET engine scan blocks": (
        "the requests the engine's scan of active customers sends through the real client "
        f"(fields={SCAN_FIELDS}): the refused whole list and id probe (422 code 23000), then "
        "500 customer numbers a page from number 1, replayed in turn"
    ),
    "POST /list of 100": "POST /customer/list creating 100 customers",
    "engine scan, real client": "(context, not a goal) one whole engine scan via TripletexClient.iterate,"
    " the client's own cost included",
}


def report(
    console: Console, results: list[Result], need: Need, baseline: dict[str, Any] | None, customers: int
) -> None:
    """The results as a table: before and now, and each rate as a multiple of the engine's need."""
    table = Table(
        title=f"Tripletex simulator, {customers:,} customers: requests per second (best of rounds)",
        caption=(
            "before / now: req/s of the simulator before its performance work and now · CPU ms: the "
            "simulator's CPU time per request · CPU cap: 1000 / CPU ms, what it serves with a core to "
            "itself · ÷ need: now / the engine's need"
        ),
    )
    table.add_column("workload", no_wrap=True)
    heads = [
        "conns",
        "failed",
        "before",
        "now",
        "speed-up",
        "rows/s",
        "p50 ms",
        "p95 ms",
        "CPU ms",
        "CPU cap",
    ]
    heads += ["÷ need", f"≥ {GOAL_FACTOR}×"]
    for head in heads:
        table.add_column(head, justify="right")
    for r in results:
        before = _before(baseline, r)
        ratio = r.requests_per_second / need.requests_per_second
        verdict = (
            ("[green]yes[/]" if ratio >= GOAL_FACTOR and not r.failures else "[red]NO[/]") if r.goal else "–"
        )
        table.add_row(
            r.workload if r.goal else f"[dim]{r.workload}[/]",
            str(r.connections),
            str(r.failures),
            "–" if before is None else f"{before:.1f}",
            f"{r.requests_per_second:.1f}",
            "–" if before is None else f"{r.requests_per_second / before:.1f}×",
            f"{r.rows_per_second:,.0f}",
            "–" if r.p50_ms is None else f"{r.p50_ms:.1f}",
            "–" if r.p95_ms is None else f"{r.p95_ms:.1f}",
            "–" if r.server_cpu_ms is None else f"{r.server_cpu_ms:.2f}",
            "–" if r.capacity is None else f"{r.capacity:.0f}",
            f"{ratio:.1f}×",
            verdict,
        )
    console.print(table)
    for name, text in LEGEND.items():
        console.print(f"  [bold]{name}[/]: {text}")
    if baseline:
        console.print(f"before: {baseline.get('label', 'baseline')} ({baseline.get('when', '?')})")
    console.print(
        f"need: the engine paces itself to Tripletex's rate limit, {need.rate_limit} requests per period "
        f"(sandbox X-Rate-Limit-Limit); the period is not published: assumed {need.rate_period:g} s, so "
        f"need = {need.requests_per_second:g} req/s and goal = {GOAL_FACTOR}× = {need.goal:g} req/s "
        "on every workload."
    )
    slowest = min((r.requests_per_second for r in results if r.goal), default=0.0)
    for period in sorted({DEFAULT_RATE_PERIOD, need.rate_period, 1.0}, reverse=True):
        other = Need(need.rate_limit, period)
        console.print(
            f"  if the period were {period:g} s: need {other.requests_per_second:.2f} req/s, "
            f"slowest workload serves {slowest / other.requests_per_second:.1f}× that"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.tripletex_simulator", description=__doc__)
    parser.add_argument("--customers", type=int, default=20_000, help="seeded customers (default 20,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reads", type=int, default=300, help="GET requests per workload and concurrency")
    parser.add_argument("--writes", type=int, default=50, help="POST /customer/list requests per concurrency")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per workload; the fastest is reported")
    parser.add_argument("--rate-limit", type=int, default=SANDBOX_RATE_LIMIT, help="requests per period")
    parser.add_argument(
        "--rate-period", type=float, default=ASSUMED_PERIOD, help="assumed period length in seconds"
    )
    parser.add_argument("--startup-timeout", type=float, default=600.0)
    parser.add_argument("--out", type=pathlib.Path, default=RESULTS)
    parser.add_argument("--baseline", type=pathlib.Path, default=BASELINE, help="figures shown as 'before'")
    parser.add_argument("--save-baseline", metavar="LABEL", help="write this run to --baseline, labelled")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging("WARNING")  # the client logs every request at debug
    console = Console(width=max(Console().width, 150))
    need = Need(args.rate_limit, args.rate_period)
    console.print(f"seeding {args.customers:,} customers and starting the simulator…")
    with simulator(args.customers, args.seed, args.startup_timeout) as server:
        console.print(
            f"simulator ready at {server.url} after {server.startup_seconds:.1f} s (seed {args.seed})"
        )
        results = asyncio.run(run(args, server))
    baseline = json.loads(args.baseline.read_text()) if args.baseline.exists() else None
    shortfalls = need.shortfalls(results)
    document = {
        "benchmark": "tripletex_simulator",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "customers": args.customers,
        "seed": args.seed,
        "startup_seconds": round(server.startup_seconds, 2),
        "need": {
            "rate_limit": need.rate_limit,
            "rate_period_seconds": need.rate_period,
            "period_is_assumed": True,
            "requests_per_second": round(need.requests_per_second, 3),
            "goal_factor": GOAL_FACTOR,
            "goal_requests_per_second": round(need.goal, 3),
            "goal_met": not shortfalls,
            "shortfalls": shortfalls,
        },
        "results": [asdict(r) for r in results],
    }
    if args.save_baseline:
        args.baseline.parent.mkdir(parents=True, exist_ok=True)
        args.baseline.write_text(json.dumps({**document, "label": args.save_baseline}, indent=2) + "\n")
        console.print(f"wrote baseline {args.baseline}")
        baseline = None
    report(console, results, need, baseline, args.customers)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out}")
    if shortfalls:
        console.print(f"[bold red]GOAL NOT MET[/] (≥ {need.goal:g} req/s on every workload):")
        for line in shortfalls:
            console.print(f"  - {line}")
        return 1
    console.print(
        f"[bold green]GOAL MET[/]: every workload ≥ {need.goal:g} req/s (≥ {GOAL_FACTOR}× the need)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
