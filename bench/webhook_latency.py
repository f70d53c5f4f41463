"""Benchmark: how long an edit on one side takes to be written on the other by ``shopsync run``.

Both simulators and ``shopsync run`` each run in their own process on loopback, with webhooks on both
sides and the poll an hour away (so only webhooks move changes). After the first sync the benchmark
renames linked company customers one at a time, alternating sides (``--edits``, default 1,000): it
sends the edit, then reads the other side every 2 ms until the new name is there. The latency is from
the edit's answer to the first read that shows it, so it holds the webhook delivery, the queue run
and the write (plus at most one polling interval). Printed: p50/p95/p99 per direction and overall,
and the daemon's own webhook → write histogram (``shopsync_webhook_to_write_seconds``); the figures
go to ``bench/results/webhook_latency.json``. The target is 1 s at p95.

    .venv/bin/python -m bench.webhook_latency --edits 1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx2
from rich.console import Console
from rich.table import Table

from bench.engine_data import SECRETS, _clients, unique_names
from shopsync.cli.init import render_config
from shopsync.connectors.webshop import Customer as ShopCustomer
from shopsync.logs import configure_logging
from shopsync.simulators.serve import free_port
from shopsync.tripletex import Customer

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "webhook_latency.json"
DAEMON_SECRETS = {
    "SHOPSYNC_STATUS_TOKEN": "bench-status-token",
    "SHOPSYNC_TRIPLETEX_WEBHOOK_AUTH": "bench-tripletex-callback-auth",
    "SHOPSYNC_WEBSHOP_WEBHOOK_SECRET": "bench-webshop-webhook-secret",
}
POLL_INTERVAL = 0.002


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "shopsync.cli.main", *args]


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSYNC_")}
    return {**env, **SECRETS, **DAEMON_SECRETS}


def _wait(url: str, path: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx2.get(url + path, timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def process(
    args: list[str], log: pathlib.Path, extra_env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``shopsync ARGS`` until the block ends (``extra_env`` added to its environment)."""
    with log.open("wb") as out:
        env = _env() | dict(extra_env or {})
        proc = subprocess.Popen(_command(*args), stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def _pairs(tx_url: str, shop_url: str) -> list[tuple[str, int]]:
    """(shop id, Tripletex id) of linked company customers, paired by organisation number."""
    tx, shop = await _clients(tx_url, shop_url)
    async with tx, shop:
        by_org = {
            c.organizationNumber: c.id async for c in tx.customers.iterate(fields="id,organizationNumber")
        }
        pairs = []
        async for page in shop.changes("customers", None):
            for c in page.items:
                if isinstance(c, ShopCustomer) and c.type == "company" and c.organization_number in by_org:
                    pairs.append((str(c.id), int(by_org[c.organization_number] or 0)))
        return pairs


async def _until(seen: Callable[[], Awaitable[bool]], limit: float = 60.0) -> None:
    for _ in range(int(limit / POLL_INTERVAL)):
        if await seen():
            return
        await asyncio.sleep(POLL_INTERVAL)
    raise RuntimeError(f"an edit did not arrive within {limit} s")


async def measure(tx_url: str, shop_url: str, edits: int) -> dict[str, list[float]]:
    """Rename customers alternately in the shop and in Tripletex; seconds until each showed across."""
    pairs = await _pairs(tx_url, shop_url)
    tx, shop = await _clients(tx_url, shop_url)
    out: dict[str, list[float]] = {"to_tripletex": [], "to_webshop": []}
    async with tx, shop:
        for i in range(edits):
            shop_id, tx_id = pairs[i % len(pairs)]
            name = f"Latens {i} AS"
            if i % 2 == 0:
                await shop.update("customers", shop_id, {"company_name": name})
                started = time.perf_counter()

                async def in_tripletex(tx_id: int = tx_id, name: str = name) -> bool:
                    return (await tx.customers.get(tx_id, fields="name")).name == name

                await _until(in_tripletex)
                out["to_tripletex"].append(time.perf_counter() - started)
            else:
                current = await tx.customers.get(tx_id, fields="id,version")
                await tx.customers.update(Customer(id=tx_id, version=current.version, name=name))
                started = time.perf_counter()

                async def in_shop(shop_id: str = shop_id, name: str = name) -> bool:
                    return getattr(await shop.get("customers", shop_id), "company_name", None) == name

                await _until(in_shop)
                out["to_webshop"].append(time.perf_counter() - started)
    return out


def _histogram(metrics: str) -> dict[str, float]:
    count = re.search(r"^shopsync_webhook_to_write_seconds_count (\S+)$", metrics, re.M)
    total = re.search(r"^shopsync_webhook_to_write_seconds_sum (\S+)$", metrics, re.M)
    n = float(count[1]) if count else 0.0
    return {"count": n, "mean": float(total[1]) / n if total and n else 0.0}


def daemon_config(shop_url: str, tx_url: str, state: str, port: int) -> str:
    """A ``shopsync run`` config for the simulators: webhooks on both sides, the poll an hour away."""
    text = render_config(shop_url, tx_url + "/v2", state)
    text = text.replace("\n  port: 8700\n", f"\n  port: {port}\n")
    text = text.replace("\n  api: null\n", "\n  api: {pacing: {requests_per_second: 1000}}\n")
    return text.replace("  poll_seconds: 30\n", "  poll_seconds: 3600\n")


def _wait_settled(daemon_url: str, headers: dict[str, str], timeout: float) -> None:
    """Until the start-up passes (a pass, then a full reconcile) are over and nothing is queued: an
    edit made while the reconcile runs would wait for it (the daemon runs one engine call at a time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status: dict[str, Any] = httpx2.get(daemon_url + "/api/status", headers=headers, timeout=30).json()
        last = status.get("last_pass") or {}
        settled = last.get("in_sync") and last.get("kind") == "reconcile"
        if settled and not status.get("running_pass") and status["totals"]["pending"] == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"shopsync run did not settle within {timeout:.0f} s")


def summarise(results: dict[str, list[float]]) -> dict[str, Any]:
    """p50/p95/p99/max and n per direction and for both together."""
    everything = results["to_tripletex"] + results["to_webshop"]
    out: dict[str, Any] = {}
    for label, values in (*results.items(), ("both", everything)):
        figures = {p: percentile(values, s) for p, s in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}
        figures["max"] = max(values)
        out[label] = {k: round(v, 4) for k, v in figures.items()} | {"n": len(values)}
    return out


def measure_daemon(
    tx_url: str,
    shop_url: str,
    work: pathlib.Path,
    state: str,
    edits: int,
    *,
    settle_timeout: float = 1800.0,
    extra_env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Start ``shopsync run`` on ``state`` against the running simulators, wait until its start-up
    passes are done, make ``edits`` edits and return the latencies (``summarise``), the daemon's own
    histogram, the start-up and the measuring wall time (``extra_env``: see ``process``)."""
    port = free_port()
    config = work / "shopsync-run.yaml"
    config.write_text(daemon_config(shop_url, tx_url, state, port), encoding="utf-8")
    daemon_url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {DAEMON_SECRETS['SHOPSYNC_STATUS_TOKEN']}"}
    started = time.monotonic()
    with process(["run", "--config", str(config)], work / "run.log", extra_env):
        _wait(daemon_url, "/healthz", timeout=settle_timeout)
        _wait_settled(daemon_url, headers, settle_timeout)
        startup = time.monotonic() - started
        started = time.monotonic()
        results = asyncio.run(measure(tx_url, shop_url, edits))
        wall = time.monotonic() - started
        histogram = _histogram(httpx2.get(daemon_url + "/metrics", headers=headers, timeout=10).text)
    return summarise(results) | {
        "edits": edits,
        "startup_seconds": round(startup, 1),
        "wall_seconds": round(wall, 1),
        "daemon_histogram": histogram,
        "mean": round(statistics.mean(results["to_tripletex"] + results["to_webshop"]), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=100, help="seeded customers on each side")
    args = parser.parse_args()
    configure_logging("WARNING")  # the clients' debug lines would drown the table
    console = Console()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        work = pathlib.Path(tmp)
        ports = {kind: free_port() for kind in ("tripletex", "webshop")}
        seeds = {"tripletex": "11", "webshop": "5"}
        for kind in ("tripletex", "webshop"):
            options = ["--seed", seeds[kind], "--customers", str(args.customers), "--products", "10"]
            stack.enter_context(
                process(
                    ["sim", kind, "--port", str(ports[kind]), *options, "--orders", "0"], work / f"{kind}.log"
                )
            )
        tx_url, shop_url = (f"http://127.0.0.1:{ports[k]}" for k in ("tripletex", "webshop"))
        _wait(tx_url, "/_sim/stats")
        _wait(shop_url, "/_sim/stats")
        asyncio.run(unique_names(tx_url, shop_url))
        summary = measure_daemon(tx_url, shop_url, work, "state.sqlite", args.edits)

    table = Table(title=f"edit → other side, {args.edits} edits on loopback (seconds)")
    for column in ("direction", "n", "p50", "p95", "p99", "max"):
        table.add_column(column, justify="left" if column == "direction" else "right")
    for label in ("to_tripletex", "to_webshop", "both"):
        figures = summary[label]
        table.add_row(label, str(figures["n"]), *(f"{figures[k]:.3f}" for k in ("p50", "p95", "p99", "max")))
    console.print(table)
    histogram = summary["daemon_histogram"]
    console.print(
        f"daemon histogram: {histogram['count']:.0f} webhook → write samples (start-up echoes included), "
        f"mean {histogram['mean']:.3f} s; mean of the edits {summary['mean']:.3f} s; "
        f"wall {summary['wall_seconds']:.0f} s"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
