"""The Tripletex simulator benchmark's machinery: the simulator process and timed rounds of requests.

``simulator()`` runs ``shopsync sim tripletex`` in a child process (client and server must not share a
GIL) and reads its CPU time from ``/proc``; ``time_round()`` sends a workload's ready-made requests
over keep-alive connections and measures them; ``best_of()`` keeps the fastest of several rounds.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import httpx2

from bench.tripletex_workloads import Workload
from shopsync.simulators.serve import free_port

__all__ = ["Result", "Server", "best_of", "simulator", "time_round"]


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
    p50_ms: float | None
    p95_ms: float | None
    goal: bool = True
    #: Requests per second of every round (the figures above are the fastest round's).
    rounds_requests_per_second: tuple[float, ...] = ()
    #: Unexpected statuses of every round and how often each came.
    unexpected: dict[int, int] = field(default_factory=dict)
    #: CPU time the simulator spent per request (None where /proc is missing).
    server_cpu_ms: float | None = None

    @property
    def capacity(self) -> float | None:
        """Requests per second the simulator could serve with a CPU core to itself."""
        return 1000 / self.server_cpu_ms if self.server_cpu_ms else None


@dataclass(frozen=True)
class Server:
    """The simulator process under test."""

    url: str
    pid: int
    startup_seconds: float

    def cpu_seconds(self) -> float | None:
        """CPU time the simulator process has used so far (from Linux's /proc; None elsewhere)."""
        try:
            stat = pathlib.Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()  # after "(command)": state is field 3, utime 14, stime 15
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def simulator(customers: int, seed: int, startup_timeout: float) -> Iterator[Server]:
    """Run ``shopsync sim tripletex`` in a child process until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "shopsync.cli.main", "sim", "tripletex", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--seed", str(seed), "--customers", str(customers)]
    command += ["--products", "0", "--orders", "0"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(process, url, startup_timeout)
        yield Server(url, process.pid, time.perf_counter() - started)
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


def _rows(body: bytes) -> int:
    """Rows a list answer carries (its ``count``); 0 for an error answer."""
    try:
        document = json.loads(body)
    except ValueError:
        return 0
    return int(document.get("count") or 0) if isinstance(document, dict) else 0


async def time_round(server: Server, workload: Workload, requests: int, connections: int) -> Result:
    """Send ``requests`` of the workload's requests (in turn) over ``connections`` connections."""
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    bodies: list[bytes] = []
    unexpected: Counter[int] = Counter()
    counter = iter(range(requests))
    size = len(workload.requests)
    async with httpx2.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for n in counter:  # shared iterator: the loop is bounded by ``requests`` in total
                began = time.perf_counter()
                response = await client.send(workload.requests[n % size])
                latencies.append(time.perf_counter() - began)
                if response.status_code != workload.expected[n % size]:
                    unexpected[response.status_code] += 1
                bodies.append(response.content)

        if workload.requests[0].method == "GET":  # open the connection untimed (writes are not repeated)
            await client.send(workload.requests[0])
        cpu_before, started = server.cpu_seconds(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        seconds, cpu_after = time.perf_counter() - started, server.cpu_seconds()
    rows = sum(_rows(body) for body in bodies)  # decoded after the clock stopped: the client's cost
    ordered = sorted(latencies)
    return Result(
        workload=workload.name,
        connections=connections,
        requests=requests,
        failures=sum(unexpected.values()),
        seconds=round(seconds, 3),
        requests_per_second=round(requests / seconds, 1),
        rows_per_second=round(rows / seconds, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p95_ms=round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
        goal=workload.goal,
        unexpected=dict(unexpected),
        server_cpu_ms=(
            None
            if cpu_before is None or cpu_after is None
            else round((cpu_after - cpu_before) / requests * 1000, 2)
        ),
    )


async def best_of(rounds: Sequence[Callable[[], Awaitable[Result]]]) -> Result:
    """The fastest of several rounds (other processes on the machine only ever slow a round down);
    failures of every round count, and every round's rate is kept."""
    results = [await run() for run in rounds]
    best = max(results, key=lambda r: r.requests_per_second)
    unexpected: Counter[int] = Counter()
    for r in results:
        unexpected.update(r.unexpected)
    return replace(
        best,
        failures=sum(r.failures for r in results),
        rounds_requests_per_second=tuple(r.requests_per_second for r in results),
        unexpected=dict(unexpected),
    )
