"""Benchmark: the sync engine's initial load, an incremental pass and an idle pass (``make bench``).

Both simulators run in their own processes (seeded: the shop with ``--customers``/``--products``/
``--orders``, Tripletex with ``--tx-customers``/``--tx-products`` that flow the other way), and every pass
is ``shopsync sync --json`` in its own process, so the figures are the engine's alone:

* **Tripletex calls** made in the pass (``/_sim/stats``, the login included) against the **minimum**
  a pass needs (formula below), and the webshop calls;
* **records/s**: records the pass handled per wall-clock second (initial: the pairs linked at the end;
  incremental: the records edited before it; idle: the pairs it had to check);
* **CPU ms per record** of the ``shopsync sync`` process (user + system, from ``wait4``; the
  simulators are other processes and not counted), and its **peak RSS**.

Minimum Tripletex calls of a pass (what an ideal engine with the same design would send)::

    1 login
    + Σ entities ⌈N_e / 10000⌉         one fields=id,version scan of each entity's N_e records
                                       (customers twice: Tripletex lists inactive ones separately)
    + Σ entities ⌈C_e / 500⌉           fetch the C_e records that changed in Tripletex, by id list
    + 3 if any Tripletex record is read or written, else 0   (VAT types, countries, currencies)
    + Σ entities ⌈W_e / 100⌉           batch /list writes: creates and updates counted apart

Matching existing records and order lines cost nothing extra in this ideal (they are embedded in
the order, and matching can use the scan); the engine's own figure shows what it really spends.
Between the passes the benchmark edits ``--change-share`` (default 1 %) of every entity on each side.
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
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import httpx2
from rich.console import Console
from rich.table import Table

from bench.engine_data import SECRETS, edit_both_sides, tripletex_counts, unique_names
from shopsync.cli.init import render_config
from shopsync.simulators.serve import free_port

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "engine_sync.json"
#: The largest page Tripletex serves (the client's page_size limit), ids per fetch, objects per /list write.
SCAN_PAGE, FETCH_IDS, BATCH = 10_000, 500, 100
ENTITIES = ("customer", "product", "order")


@dataclass
class PassResult:
    """The figures of one measured pass."""

    name: str
    exit_code: int
    seconds: float
    records: int
    tripletex_calls: int
    tripletex_minimum: int
    tripletex_writes: int
    webshop_calls: int
    webshop_writes: int
    cpu_ms: float
    #: CPU ms of start-up alone (interpreter and imports), part of ``cpu_ms``.
    startup_cpu_ms: float
    peak_rss_mb: float
    calls: dict[str, int]

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_record(self) -> float:
        return self.cpu_ms / self.records if self.records else 0.0

    @property
    def work_cpu_ms_per_record(self) -> float:
        """CPU per record without the start-up (what a long-running daemon would spend)."""
        return max(self.cpu_ms - self.startup_cpu_ms, 0.0) / self.records if self.records else 0.0


# ---------------------------------------------------------------------------------------------- processes


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "shopsync.cli.main", *args]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSYNC_")}
    return env | SECRETS


@contextmanager
def simulators(args: argparse.Namespace, workdir: pathlib.Path) -> Iterator[tuple[str, str]]:
    """Both simulators in child processes; yields (Tripletex root, webshop root)."""
    tripletex = {"customers": args.tx_customers, "products": args.tx_products, "orders": 0}
    webshop = {"customers": args.customers, "products": args.products, "orders": args.orders}
    specs = {
        kind: ["--seed", seed, *(part for k, v in counts.items() for part in (f"--{k}", str(v)))]
        for kind, seed, counts in (("tripletex", "2", tripletex), ("webshop", "1", webshop))
    }
    with ExitStack() as stack:
        urls = []
        for kind, options in specs.items():
            port = free_port()
            log = (workdir / f"{kind}.log").open("wb")
            stack.callback(log.close)
            proc = subprocess.Popen(
                _command("sim", kind, "--port", str(port), *options),
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_env(),
            )
            stack.callback(_stop, proc)
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            _wait(url)
        yield urls[0], urls[1]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _wait(url: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/_sim/stats", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"simulator at {url} did not start")


def _stats(url: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx2.get(f"{url}/_sim/stats", timeout=30).json()
    return data


def startup_cpu_ms() -> float:
    """CPU ms of a process that only imports what ``shopsync sync`` imports (interpreter start included)."""
    code = "import shopsync.cli.main, shopsync.engine.factory"
    proc = subprocess.Popen([sys.executable, "-c", code], env=_env())
    _, _, usage = os.wait4(proc.pid, 0)
    return (usage.ru_utime + usage.ru_stime) * 1000


def run_sync(config: pathlib.Path) -> tuple[int, float, float, float, dict[str, Any]]:
    """One ``shopsync sync --json`` process: exit code, seconds, CPU ms, peak RSS MB, its summary."""
    out = config.parent / "sync-output.json"
    started = time.perf_counter()
    with out.open("wb") as stdout, (config.parent / "sync.log").open("ab") as stderr:
        proc = subprocess.Popen(
            _command("sync", "--config", str(config), "--json"), stdout=stdout, stderr=stderr, env=_env()
        )
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
    summary = json.loads(out.read_text() or "{}") if proc.returncode in (0, 1) else {}
    return proc.returncode, seconds, cpu_ms, usage.ru_maxrss / 1024, summary


# ---------------------------------------------------------------------------------------------- minimum


def minimum_calls(counts: dict[str, int], changed: dict[str, int], writes: dict[str, tuple[int, int]]) -> int:
    """The formula of the module docstring."""
    scans = sum(math.ceil(counts.get(e, 0) / SCAN_PAGE) or 1 for e in ENTITIES) + (
        math.ceil(counts.get("customer_inactive", 0) / SCAN_PAGE) or 1
    )
    fetches = sum(math.ceil(changed.get(e, 0) / FETCH_IDS) for e in ENTITIES)
    batches = sum(math.ceil(c / BATCH) + math.ceil(u / BATCH) for c, u in writes.values())
    references = 3 if fetches or batches else 0
    return 1 + scans + fetches + references + batches


def _tripletex_writes(summary: dict[str, Any]) -> dict[str, tuple[int, int]]:
    counts = summary.get("counts", {})
    out = {}
    for entity in ENTITIES:
        side = counts.get(entity, {}).get("tripletex", {})
        out[entity] = (
            int(side.get("created", 0)),
            int(side.get("updated", 0)) + int(side.get("deactivated", 0)),
        )
    return out


# ---------------------------------------------------------------------------------------------- main


def measure(
    name: str, config: pathlib.Path, urls: tuple[str, str], records: int, changed: dict[str, int]
) -> PassResult:
    """Run one pass and collect its figures."""
    tx_url, shop_url = urls
    tx_before, shop_before = _stats(tx_url), _stats(shop_url)
    code, seconds, cpu_ms, rss, summary = run_sync(config)
    tx_after, shop_after = _stats(tx_url), _stats(shop_url)
    counts = asyncio.run(tripletex_counts(tx_url, shop_url))
    calls = {
        k: v - tx_before["requests"].get(k, 0)
        for k, v in tx_after["requests"].items()
        if v != tx_before["requests"].get(k, 0)
    }
    return PassResult(
        name=name,
        exit_code=code,
        seconds=round(seconds, 2),
        records=records,
        tripletex_calls=tx_after["total"] - tx_before["total"],
        tripletex_minimum=minimum_calls(counts, changed, _tripletex_writes(summary)),
        tripletex_writes=tx_after["writes"] - tx_before["writes"],
        webshop_calls=shop_after["total"] - shop_before["total"],
        webshop_writes=shop_after["writes"] - shop_before["writes"],
        cpu_ms=round(cpu_ms, 1),
        startup_cpu_ms=round(startup_cpu_ms(), 1),
        peak_rss_mb=round(rss, 1),
        calls=calls,
    )


def _linked_pairs(config: pathlib.Path) -> int:
    result = subprocess.run(
        _command("status", "--config", str(config), "--json"),
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    data = json.loads(result.stdout)
    # Order lines are linked too, but they are parts of their orders, not records of their own.
    return sum(int(data["entities"][e]["links"]) for e in ENTITIES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--customers", type=int, default=2000, help="webshop customers")
    parser.add_argument("--products", type=int, default=500, help="webshop products")
    parser.add_argument("--orders", type=int, default=2000, help="webshop orders")
    parser.add_argument(
        "--tx-customers", type=int, default=200, help="Tripletex customers (flow to the shop)"
    )
    parser.add_argument("--tx-products", type=int, default=50, help="Tripletex products (flow to the shop)")
    parser.add_argument("--change-share", type=float, default=0.01, help="share edited on each side")
    parser.add_argument("--state", default=None, help="state location (default: SQLite in a temp dir)")
    parser.add_argument(
        "--shop-rps", type=int, default=1000, help="webshop connector pacing (default 10 in use)"
    )
    parser.add_argument("--output", type=pathlib.Path, default=RESULTS)
    args = parser.parse_args(argv)
    console = Console() if Console().is_terminal else Console(width=200)
    rng = random.Random(1)
    with (
        tempfile.TemporaryDirectory(prefix="shopsync-bench-") as tmp,
        simulators(args, pathlib.Path(tmp)) as urls,
    ):
        workdir = pathlib.Path(tmp)
        tx_url, shop_url = urls
        asyncio.run(unique_names(tx_url, shop_url))
        config = workdir / "shopsync.yaml"
        text = render_config(shop_url, tx_url + "/v2", args.state or str(workdir / "state.sqlite"))
        config.write_text(
            text.replace(
                "\n  api: null\n", f"\n  api: {{pacing: {{requests_per_second: {args.shop_rps}}}}}\n"
            )
        )
        before = asyncio.run(tripletex_counts(tx_url, shop_url))
        console.print("initial load …")
        initial_changed = {
            "customer": before["customer"] + before["customer_inactive"],
            "product": before["product"],
        }
        # Records of the initial load: measured after the pass (the pairs it linked).
        initial = measure("initial load", config, urls, 0, initial_changed)
        initial.records = _linked_pairs(config)
        edited = asyncio.run(edit_both_sides(tx_url, shop_url, args.change_share, rng))
        console.print(f"incremental pass after editing {sum(edited.values())} records …")
        tx_changed = {"customer": edited["tripletex customer"], "product": edited["tripletex product"]}
        incremental = measure("incremental (1 %)", config, urls, sum(edited.values()), tx_changed)
        console.print("idle pass …")
        idle = measure("idle", config, urls, initial.records, {})
    results = [initial, incremental, idle]
    _print(console, results, args)
    _write(args, results)
    return 0 if all(r.exit_code == 0 for r in results) else 1


def _print(console: Console, results: list[PassResult], args: argparse.Namespace) -> None:
    table = Table(
        title=f"sync engine: shop {args.customers} customers, {args.products} products, {args.orders} "
        f"orders; Tripletex {args.tx_customers} customers, {args.tx_products} products"
    )
    for column in (
        "pass",
        "exit",
        "seconds",
        "records",
        "records/s",
        "Tripletex calls",
        "minimum",
        "× minimum",
        "Tx writes",
        "shop calls",
        "CPU ms/record",
        "excl. start-up",
        "peak RSS MB",
    ):
        table.add_column(column, justify="left" if column == "pass" else "right")
    for r in results:
        ratio = r.tripletex_calls / r.tripletex_minimum if r.tripletex_minimum else 0
        table.add_row(
            r.name,
            str(r.exit_code),
            f"{r.seconds:.1f}",
            str(r.records),
            f"{r.records_per_second:.0f}",
            str(r.tripletex_calls),
            str(r.tripletex_minimum),
            f"{ratio:.1f}",
            str(r.tripletex_writes),
            str(r.webshop_calls),
            f"{r.cpu_ms_per_record:.2f}",
            f"{r.work_cpu_ms_per_record:.2f}",
            f"{r.peak_rss_mb:.0f}",
        )
    console.print(table)
    for r in results:
        top = sorted(r.calls.items(), key=lambda kv: -kv[1])[:6]
        console.print(f"{r.name}: Tripletex calls by endpoint: " + ", ".join(f"{k} {v}" for k, v in top))


def _write(args: argparse.Namespace, results: list[PassResult]) -> None:
    data = {
        "benchmark": "engine_sync",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "dataset": {
            "webshop": {"customers": args.customers, "products": args.products, "orders": args.orders},
            "tripletex": {"customers": args.tx_customers, "products": args.tx_products},
            "change_share": args.change_share,
            "webshop_pacing_rps": args.shop_rps,
        },
        "minimum_formula": "1 login + Σ⌈N_e/10000⌉ scans (customers: active + inactive) + Σ⌈C_e/500⌉ "
        "fetches of changed + 3 reference lists when anything is read or written + Σ⌈W_e/100⌉ batch writes",
        "passes": [
            asdict(r)
            | {
                "records_per_second": round(r.records_per_second, 1),
                "cpu_ms_per_record": round(r.cpu_ms_per_record, 3),
            }
            for r in results
        ],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
