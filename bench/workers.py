"""Benchmark: throughput of ``shopsync worker`` processes on this machine, with 1, 2 and 4 workers.

Per worker count, on a fresh PostgreSQL database (queue, registry and state in one) and fresh
simulators (one Tripletex and one reference shop per tenant, all served by one helper process so
they do not share a GIL with the benchmark):

1. **initial load** — ``--tenants`` tenants, each with ``--customers``/``--products``/``--orders`` in the
   shop and half as many customers and products in Tripletex, get one ``poll`` job each; timed from
   the deferral to the last job's end. ``records/s`` = records linked (customers, products, orders;
   order lines not counted) per second; ``writes/s`` = records written to either system per second.
2. **jobs** — ``--jobs-per-tenant`` polls per tenant of the now in-sync tenants, deferred at once (no
   queueing lock, so none collapse): ``jobs/s`` is how many engine jobs the workers finish per second
   when each is small (a pass that reads both sides and writes nothing).

Every worker runs ``--concurrency`` jobs at once (default 4). Periodic polls are off; no rate limit is
set (the simulators answer as fast as they can). The figures go to ``bench/results/workers.json``.

    .venv/bin/python -m bench.workers                      # 12 tenants, 1 2 4 workers
    .venv/bin/python -m bench.workers --tenants 20 --workers 1 2 4 --jobs-per-tenant 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pathlib
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx2
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from shopsync.config import parse_config
from shopsync.jobs import TASK, JobSettings, build_app
from shopsync.jobs.app import PRIORITY
from shopsync.jobs.locks import tenant_lock
from shopsync.tenants import SecretBox, TenantRegistry, generate_key

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "workers.json"
ADMIN_URL = os.environ.get("SHOPSYNC_TEST_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432/test"
NEVER = "0 0 1 1 *"
ENGINE_TASKS = tuple(TASK[k] for k in ("process_work", "poll", "reconcile", "replay"))


# ---------------------------------------------------------------------- simulators (helper process)


def serve_sims(count: int, customers: int, products: int, orders: int) -> None:
    """Helper process: start the simulators, print their URLs as one JSON line, serve until stdin ends."""
    from shopsync.simulators.serve import serve_in_thread
    from shopsync.simulators.tripletex import SimulatorConfig
    from shopsync.simulators.tripletex import create_app as tripletex_app
    from shopsync.simulators.webshop import WebshopConfig
    from shopsync.simulators.webshop import create_app as webshop_app

    with ExitStack() as stack:
        urls = []
        for index in range(count):
            tx = SimulatorConfig(seed=100 + index, customers=customers // 2, products=products // 2, orders=0)
            shop = WebshopConfig(seed=200 + index, customers=customers, products=products, orders=orders)
            urls.append(
                {
                    "tripletex": stack.enter_context(serve_in_thread(tripletex_app(tx))),
                    "shop": stack.enter_context(serve_in_thread(webshop_app(shop))),
                }
            )
        print(json.dumps(urls), flush=True)
        sys.stdin.read()


@contextmanager
def simulators(args: argparse.Namespace) -> Iterator[list[dict[str, str]]]:
    """The helper process with every tenant's simulators; their URLs."""
    command = [sys.executable, "-m", "bench.workers", "--serve-sims", str(args.tenants)]
    command += ["--customers", str(args.customers), "--products", str(args.products)]
    command += ["--orders", str(args.orders)]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        urls: list[dict[str, str]] = json.loads(proc.stdout.readline())
        _pids["simulators"] = [proc.pid]
        yield urls
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=60)


# ---------------------------------------------------------------------- database and workers


@contextmanager
def database() -> Iterator[str]:
    """A fresh database on the test server, dropped afterwards; its URL."""
    admin = sa.create_engine(ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")  # fmt: skip
    name = f"shopsync_bench_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def register(url: str, sims: list[dict[str, str]], box: SecretBox, folder: pathlib.Path) -> list[str]:
    """Register one tenant per simulator pair; their names."""
    names = []
    with TenantRegistry.open(url) as registry:
        for index, pair in enumerate(sims):
            name = f"bench-{index:02d}"
            text = (
                f"webshop: {{url: {json.dumps(pair['shop'])}, token: sim-webshop,"
                " api: {pacing: {requests_per_second: 1000}}}\n"
                f"tripletex: {{url: {json.dumps(pair['tripletex'] + '/v2')}, consumer_token: sim-consumer,"
                " employee_token: sim-employee}\n"
            )
            registry.add(name, parse_config(text, path=folder / f"{name}.yaml", environ={}), box)
            names.append(name)
    return names


@contextmanager
def workers(count: int, url: str, key: str, concurrency: int, folder: pathlib.Path) -> Iterator[None]:
    """``count`` ``shopsync worker`` processes; stopped with SIGTERM at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSYNC_")}
    env |= {
        "SHOPSYNC_SECRET_KEY": key,
        "SHOPSYNC_JOBS_POLL_CRON": NEVER,
        "SHOPSYNC_JOBS_RECONCILE_CRON": NEVER,
        "SHOPSYNC_JOBS_FETCH_POLLING_SECONDS": "0.5",
    }
    procs = []
    try:
        for index in range(count):
            with (folder / f"worker-{count}-{index}.log").open("wb") as log:
                command = [sys.executable, "-m", "shopsync.cli.main", "worker", "--queue", url]
                command += ["--concurrency", str(concurrency), "--name", f"bench-{index}"]
                procs.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log))
        _wait_for_workers(url, count)
        _pids["workers"] = [p.pid for p in procs]
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)


def _scalar(url: str, query: str) -> Any:
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = sa.create_engine(url)
    with engine.connect() as conn:
        return conn.execute(sa.text(query)).scalar()


_engines: dict[str, sa.Engine] = {}
#: Process ids per role, for the CPU accounting.
_pids: dict[str, list[int]] = {}


def _wait_for_workers(url: str, count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready = _scalar(url, "SELECT to_regclass('procrastinate_workers') IS NOT NULL")
        if ready and _scalar(url, "SELECT count(*) FROM procrastinate_workers") >= count:
            return
        time.sleep(0.1)
    raise RuntimeError("the workers did not start")


async def _until_done(url: str) -> None:
    names = ", ".join(f"'{n}'" for n in ENGINE_TASKS)
    query = "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
    query += f" AND task_name IN ({names})"
    while True:
        if not _scalar(url, query):
            return
        await asyncio.sleep(0.05)


async def _defer(url: str, names: list[str], per_tenant: int) -> None:
    app = build_app(url, JobSettings())
    async with app.open_async():
        for _ in range(per_tenant):
            for name in names:
                deferrer = app.configure_task(TASK["poll"], lock=tenant_lock(name), priority=PRIORITY["poll"])
                await deferrer.defer_async(tenant=name)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (Linux /proc), 0 if it is gone."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_pids() -> list[int]:
    pids = []
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            if "(postgres)" in stat.read_text():
                pids.append(int(stat.parent.name))
        except OSError:
            continue
    return pids


def cpu(roles: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far per role (``postgres``: every server process on this machine)."""
    totals = {role: sum(_cpu_seconds(p) for p in pids) for role, pids in roles.items()}
    totals["postgres"] = sum(_cpu_seconds(p) for p in _postgres_pids())
    return totals


def _writes(sims: list[dict[str, str]]) -> int:
    total = 0
    for pair in sims:
        total += int(httpx2.get(pair["tripletex"] + "/_sim/stats", timeout=10).json()["writes"])
    return total


# ---------------------------------------------------------------------- one round


async def measure(args: argparse.Namespace, count: int, folder: pathlib.Path) -> dict[str, Any]:
    """Both phases with ``count`` workers, on a fresh database and fresh simulators."""
    key = generate_key()
    with database() as url, simulators(args) as sims:
        names = register(url, sims, SecretBox([key]), folder)
        with workers(count, url, key, args.concurrency, folder):
            before = cpu(_pids)
            started = time.perf_counter()
            await _defer(url, names, 1)
            await _until_done(url)
            load_seconds = time.perf_counter() - started
            load_cpu = _spent(before, cpu(_pids))
            records = _scalar(url, "SELECT count(*) FROM links WHERE parent_webshop_id IS NULL")
            tripletex_writes = _writes(sims)

            before = cpu(_pids)
            started = time.perf_counter()
            await _defer(url, names, args.jobs_per_tenant)
            await _until_done(url)
            jobs_seconds = time.perf_counter() - started
            jobs_cpu = _spent(before, cpu(_pids))
            failed = _scalar(url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")
        _engines.pop(url).dispose()
    jobs = len(names) * args.jobs_per_tenant
    return {
        "workers": count,
        "concurrency": args.concurrency,
        "tenants": len(names),
        "records": records,
        "tripletex_writes": tripletex_writes,
        "load_seconds": round(load_seconds, 2),
        "records_per_second": round(records / load_seconds, 1),
        "jobs": jobs,
        "jobs_seconds": round(jobs_seconds, 2),
        "jobs_per_second": round(jobs / jobs_seconds, 1),
        "failed_jobs": failed,
        "load_cpu_seconds": load_cpu,
        "jobs_cpu_seconds": jobs_cpu,
    }


def _spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {role: round(after[role] - before.get(role, 0.0), 2) for role in after}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--serve-sims``, be its simulator helper)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=12)
    parser.add_argument("--customers", type=int, default=40, help="shop customers per tenant")
    parser.add_argument("--products", type=int, default=16, help="shop products per tenant")
    parser.add_argument("--orders", type=int, default=20, help="shop orders per tenant")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--jobs-per-tenant", type=int, default=10)
    parser.add_argument("--serve-sims", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_sims is not None:
        serve_sims(args.serve_sims, args.customers, args.products, args.orders)
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="shopsync-bench-workers-") as tmp:
        for count in args.workers:
            rows.append(asyncio.run(measure(args, count, pathlib.Path(tmp))))
    table = Table(title=f"shopsync worker throughput ({os.cpu_count()} CPU cores)")
    for column in ("workers", "records", "load s", "records/s", "jobs", "jobs s", "jobs/s", "failed"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            *map(str, (row["workers"], row["records"], row["load_seconds"], row["records_per_second"]),),
            *map(str, (row["jobs"], row["jobs_seconds"], row["jobs_per_second"], row["failed_jobs"])),
        )  # fmt: skip
    Console().print(table)
    for row in rows:
        print(
            f"{row['workers']} worker(s), CPU seconds: initial load {row['load_cpu_seconds']}, "
            f"jobs {row['jobs_cpu_seconds']}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps({"cpu_count": os.cpu_count(), "args": vars(args), "rows": rows}, indent=2) + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
