"""The processes a benchmark runs: both simulators, and one sync pass measured on its own.

Each runs as a child process of its own (``shopsync sim …``; ``bench.engine_run``), so the benchmark
client, the simulators and the engine never share a CPU-bound interpreter, and the engine's CPU time
and memory are the engine's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx2

from bench.engine_data import SECRETS
from shopsync.cli.init import render_config
from shopsync.simulators.serve import free_port

__all__ = ["child_env", "command", "run_engine", "sim_stats", "simulators", "write_config"]

ROOT = pathlib.Path(__file__).resolve().parent.parent


def command(*args: str) -> list[str]:
    """``shopsync ARGS`` in this interpreter."""
    return [sys.executable, "-m", "shopsync.cli.main", *args]


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: no SHOPSYNC_* of ours, the simulators' credentials, ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSYNC_")}
    return env | SECRETS | dict(extra or {})


@contextmanager
def simulators(data: argparse.Namespace, workdir: pathlib.Path) -> Iterator[tuple[str, str]]:
    """Both simulators seeded from ``data`` (``customers``, ``products``, ``orders`` in the shop,
    ``tx_customers``, ``tx_products`` in Tripletex; ``tx_options``: more Tripletex options) in child
    processes; yields (Tripletex root, webshop root)."""
    tripletex = {"customers": data.tx_customers, "products": data.tx_products, "orders": 0}
    webshop = {"customers": data.customers, "products": data.products, "orders": data.orders}
    specs = {
        kind: ["--seed", seed, *(part for k, v in counts.items() for part in (f"--{k}", str(v)))]
        for kind, seed, counts in (("tripletex", "2", tripletex), ("webshop", "1", webshop))
    }
    specs["tripletex"] += list(getattr(data, "tx_options", []))
    with ExitStack() as stack:
        urls = []
        for kind, options in specs.items():
            port = free_port()
            log = (workdir / f"{kind}.log").open("wb")
            stack.callback(log.close)
            proc = subprocess.Popen(
                command("sim", kind, "--port", str(port), *options),
                stdout=log,
                stderr=subprocess.STDOUT,
                env=child_env(),
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


def _wait(url: str, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/_sim/stats", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"simulator at {url} did not start")


def sim_stats(url: str) -> dict[str, Any]:
    """A simulator's ``/_sim/stats``."""
    data: dict[str, Any] = httpx2.get(f"{url}/_sim/stats", timeout=30).json()
    return data


def run_engine(config: pathlib.Path, extra_env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One pass in its own process (``bench.engine_run``); its figures (RuntimeError if it failed)."""
    out = config.parent / "engine-run.json"
    out.unlink(missing_ok=True)
    with (config.parent / "engine.log").open("ab") as log:
        code = subprocess.call(
            [sys.executable, "-m", "bench.engine_run", "--config", str(config), "--out", str(out)],
            stdout=log,
            stderr=log,
            env=child_env(extra_env),
            cwd=ROOT,
        )
    if code != 0 or not out.exists():
        raise RuntimeError(f"the pass failed (exit {code}); see {config.parent / 'engine.log'}")
    figures: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return figures


def write_config(path: pathlib.Path, shop_url: str, tx_url: str, state: pathlib.Path) -> pathlib.Path:
    """A ``shopsync sync`` config for the simulators; the shop connector's pacing raised to 1,000/s
    (its default of 10/s is meant for real shops and would measure the pacing, not the engine)."""
    text = render_config(shop_url, tx_url + "/v2", str(state))
    path.write_text(
        text.replace("\n  api: null\n", "\n  api: {pacing: {requests_per_second: 1000}}\n"),
        encoding="utf-8",
    )
    return path
