"""Benchmark: how many requests per second the Tripletex simulator serves (``make bench``).

Starts ``shopsync sim tripletex`` with a seeded data set in a separate process (client and server must not
share a GIL, or the figure would measure the client too), then times two workloads the sync engine
depends on, each for a fixed number of requests at 1 and at 4 concurrent connections:

* ``GET /v2/customer?fields=id,version&count=1000&customerAccountNumber=<1,000 numbers>``: reading all
  customers page by page. A query matching more than 10,000 rows answers 422 code 23000 (as Tripletex
  does), so the 20,000 customers are read the way the client reads them: in blocks of customer numbers;
* ``POST /v2/customer/list`` with 100 new customers: a batch create.

Prints a Rich table and writes ``bench/results/tripletex_simulator.json``. The goal (see bench/README.md)
is a simulator that serves at least ten times the request rate the engine needs under Tripletex's rate
limit, so it is never the bottleneck of a test or a demo.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import httpx2
from rich.console import Console
from rich.table import Table

from shopsync.simulators.serve import free_port
from shopsync.simulators.tripletex import DEFAULT_RATE_PERIOD

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "tripletex_simulator.json"
PAGE_SIZE = 1000
#: Customer numbers start here in a new Tripletex account (and in the simulator's seeded one).
FIRST_CUSTOMER_NUMBER = 10001
BATCH_SIZE = 100
CONSUMER_TOKEN = "sim-consumer"
EMPLOYEE_TOKEN = "sim-employee"


@dataclass(frozen=True)
class Result:
    """The outcome of one workload at one concurrency."""

    workload: str
    connections: int
    requests: int
    failures: int
    seconds: float
    requests_per_second: float
    rows_per_second: float
    p50_ms: float
    p95_ms: float


@contextmanager
def simulator(customers: int, seed: int, startup_timeout: float) -> Iterator[tuple[str, float]]:
    """Run ``shopsync sim tripletex`` in a child process; yields its base URL and its start-up seconds."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "shopsync.cli.main",
        "sim",
        "tripletex",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--seed",
        str(seed),
        "--customers",
        str(customers),
        "--products",
        "0",
        "--orders",
        "0",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(process, url, startup_timeout)
        yield url, time.perf_counter() - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(process: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    """Poll until the simulator answers (seeding happens first), or fail with its error output."""
    deadline = time.monotonic() + timeout
    with httpx2.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"simulator exited with {process.returncode}:\n{stderr}")
            try:
                if client.get(f"{url}/_sim/stats").status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"simulator at {url} did not answer within {timeout} s")


async def create_session(client: httpx2.AsyncClient) -> tuple[str, str]:
    """A session token for the default simulator credentials, as Basic auth ``(user, password)``."""
    expires = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    body = {"consumerToken": CONSUMER_TOKEN, "employeeToken": EMPLOYEE_TOKEN, "expirationDate": expires}
    response = await client.post("/v2/token/session/:create", json=body)
    response.raise_for_status()
    return "0", str(response.json()["value"]["token"])


def customer_batch(batch: int) -> list[dict[str, object]]:
    """100 new customers as the engine would send them (unique per batch)."""
    return [
        {
            "name": f"Benk Kunde {batch}-{i}",
            "email": f"kunde{batch}.{i}@example.no",
            "phoneNumber": "+47 22 00 00 00",
            "postalAddress": {"addressLine1": f"Storgata {i + 1}", "postalCode": "0155", "city": "Oslo"},
        }
        for i in range(BATCH_SIZE)
    ]


Send = Callable[[httpx2.AsyncClient, int], Awaitable[httpx2.Response]]


def page_request(pages: int) -> Send:
    """Request number ``n`` reads ``id,version`` of the customers in number block ``n mod pages``."""

    def send(client: httpx2.AsyncClient, n: int) -> Awaitable[httpx2.Response]:
        first = FIRST_CUSTOMER_NUMBER + (n % pages) * PAGE_SIZE
        numbers = ",".join(str(number) for number in range(first, first + PAGE_SIZE))
        params = {"fields": "id,version", "count": str(PAGE_SIZE), "customerAccountNumber": numbers}
        return client.get("/v2/customer", params=params)

    return send


def batch_request(offset: int) -> Send:
    """Request number ``n`` creates batch ``offset + n`` of 100 customers."""

    def send(client: httpx2.AsyncClient, n: int) -> Awaitable[httpx2.Response]:
        return client.post("/v2/customer/list", json=customer_batch(offset + n))

    return send


def rows_in(response: httpx2.Response) -> int:
    """Rows a list answer carries (its ``count``); 0 for a failed request."""
    if not response.is_success:
        return 0
    return int(response.json().get("count") or 0)


async def run_workload(
    url: str, auth: tuple[str, str], name: str, send: Send, requests: int, connections: int
) -> Result:
    """Send ``requests`` requests over ``connections`` connections as fast as the server answers them."""
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    failures = 0
    rows = 0
    counter = iter(range(requests))
    async with httpx2.AsyncClient(base_url=url, auth=auth, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal failures, rows
            for n in counter:  # shared iterator: the loop is bounded by ``requests`` in total
                began = time.perf_counter()
                response = await send(client, n)
                latencies.append(time.perf_counter() - began)
                failures += not response.is_success
                rows += rows_in(response)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return Result(
        workload=name,
        connections=connections,
        requests=requests,
        failures=failures,
        seconds=round(seconds, 3),
        requests_per_second=round(requests / seconds, 1),
        rows_per_second=round(rows / seconds, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p95_ms=round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
    )


async def run(args: argparse.Namespace, url: str) -> list[Result]:
    """Both workloads at each concurrency; reads first, so every read pages over the same data."""
    async with httpx2.AsyncClient(base_url=url, timeout=30) as client:
        auth = await create_session(client)
    pages = max(1, args.customers // PAGE_SIZE)
    results = []
    for connections in args.connections:
        send = page_request(pages)
        results.append(await run_workload(url, auth, "GET /customer", send, args.reads, connections))
    offset = 0
    for connections in args.connections:
        send = batch_request(offset)
        results.append(await run_workload(url, auth, "POST /customer/list", send, args.writes, connections))
        offset += args.writes
    return results


@dataclass(frozen=True)
class Need:
    """The request rate the engine needs: the rate limit it paces itself to, and the goal (10×)."""

    rate_limit: int
    rate_period: float

    @property
    def requests_per_second(self) -> float:
        return self.rate_limit / self.rate_period

    @property
    def goal(self) -> float:
        return 10 * self.requests_per_second

    def met(self, results: list[Result]) -> bool:
        """Every workload ran without a failed request, at least at the goal rate."""
        return all(r.failures == 0 and r.requests_per_second >= self.goal for r in results)


def report(console: Console, results: list[Result], need: Need, worst: Need) -> None:
    """The results as a table, each rate also shown as a multiple of the engine's need."""
    table = Table(title="Tripletex simulator throughput (separate process, real sockets)")
    columns = ("workload", "conns", "requests", "failed", "seconds", "req/s", "rows/s", "p50 ms", "p95 ms")
    for column in columns:
        table.add_column(column, justify="left" if column == "workload" else "right")
    table.add_column("× need", justify="right")
    table.add_column(f"× {worst.requests_per_second:.0f} req/s", justify="right")
    for r in results:
        table.add_row(
            r.workload,
            str(r.connections),
            str(r.requests),
            str(r.failures),
            f"{r.seconds:.2f}",
            f"{r.requests_per_second:.1f}",
            f"{r.rows_per_second:,.0f}",
            f"{r.p50_ms:.1f}",
            f"{r.p95_ms:.1f}",
            f"{r.requests_per_second / need.requests_per_second:,.0f}×",
            f"{r.requests_per_second / worst.requests_per_second:,.1f}×",
        )
    console.print(table)
    for label, n in (("configured", need), ("worst case", worst)):
        verdict = "[green]met[/]" if n.met(results) else "[red]NOT met[/]"
        console.print(
            f"{label}: {n.rate_limit} requests per {n.rate_period:g} s = {n.requests_per_second:.2f} req/s "
            f"needed; goal ≥ {n.goal:.1f} req/s → {verdict}"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.tripletex_simulator", description=__doc__)
    parser.add_argument("--customers", type=int, default=20_000, help="seeded customers (default 20,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reads", type=int, default=200, help="GET requests per concurrency level")
    parser.add_argument("--writes", type=int, default=50, help="POST /customer/list requests per level")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4])
    parser.add_argument(
        "--rate-limit", type=int, default=100, help="requests per period the engine may make (sandbox: ~100)"
    )
    parser.add_argument(
        "--rate-period",
        type=float,
        default=DEFAULT_RATE_PERIOD,
        help=f"length of that period in seconds (default {DEFAULT_RATE_PERIOD:g}, the simulator's)",
    )
    parser.add_argument("--startup-timeout", type=float, default=600.0)
    parser.add_argument("--out", type=pathlib.Path, default=RESULTS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(width=max(Console().width, 120))
    need = Need(args.rate_limit, args.rate_period)
    worst = Need(args.rate_limit, 1.0)  # the period is not published: the shortest plausible one
    console.print(f"seeding {args.customers:,} customers and starting the simulator…")
    with simulator(args.customers, args.seed, args.startup_timeout) as (url, startup):
        console.print(f"simulator ready at {url} after {startup:.1f} s (seed {args.seed})")
        results = asyncio.run(run(args, url))
    report(console, results, need, worst)
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
        "startup_seconds": round(startup, 2),
        "need": {
            "rate_limit": need.rate_limit,
            "rate_period_seconds": need.rate_period,
            "requests_per_second": round(need.requests_per_second, 3),
            "goal_requests_per_second": round(need.goal, 3),
            "goal_met": need.met(results),
        },
        "worst_case_need": {
            "rate_limit": worst.rate_limit,
            "rate_period_seconds": worst.rate_period,
            "requests_per_second": worst.requests_per_second,
            "goal_requests_per_second": worst.goal,
            "goal_met": worst.met(results),
        },
        "results": [asdict(r) for r in results],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out}")
    return 0 if need.met(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
