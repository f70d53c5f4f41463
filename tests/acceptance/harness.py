"""Acceptance harness: both simulators and ``shopsync`` as separate processes on real sockets.

``start_sim`` runs ``shopsync sim tripletex|webshop`` on a free port and waits until it answers;
``shopsync`` / ``spawn_shopsync`` run the CLI with the simulators' credentials in the environment (and
nothing else of the developer's SHOPSYNC_* settings). Reading and editing the two systems for checks goes
through their APIs (``sides.py``), never through the state store the CLI writes.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx2

from shopsync.simulators.serve import free_port

#: Credentials the simulators accept by default, as the CLI reads them.
SIM_SECRETS = {
    "SHOPSYNC_WEBSHOP_TOKEN": "sim-webshop",
    "SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN": "sim-consumer",
    "SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN": "sim-employee",
}
#: Requests per second the webshop connector may send to the shop simulator.
SHOP_PACE = 1000
#: Seconds one uninterrupted ``shopsync sync`` may take in these tests before it counts as hung.
SYNC_TIMEOUT = 300.0


def shopsync_command(*args: str) -> list[str]:
    """The command line running the ``shopsync`` CLI of this checkout with this interpreter."""
    return [sys.executable, "-m", "shopsync.cli.main", *args]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a CLI child: ours without SHOPSYNC_* settings, plus the simulator secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSYNC_")}
    env.update(SIM_SECRETS)
    env.update(extra)
    return env


@dataclass
class SimProcess:
    """A simulator running in its own process; ``url`` is its root (admin API under ``/_sim``)."""

    kind: Literal["tripletex", "webshop"]
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def api_url(self) -> str:
        """The URL the config names: Tripletex's ``/v2`` root, the shop's root."""
        return self.url + "/v2" if self.kind == "tripletex" else self.url

    def stats(self) -> dict[str, Any]:
        """``GET /_sim/stats``."""
        response = httpx2.get(self.url + "/_sim/stats", timeout=10)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def writes(self) -> int:
        """Successful writes of company data so far (session logins excluded)."""
        return int(self.stats()["writes"])

    def requests(self) -> int:
        """API requests answered so far."""
        return int(self.stats()["total"])

    def stop(self) -> None:
        """Terminate the process (kill it if it does not stop)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def _launch(kind: Literal["tripletex", "webshop"], workdir: Path, options: dict[str, Any]) -> SimProcess:
    port = free_port()
    args = ["sim", kind, "--port", str(port)]
    for name, value in options.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    log = workdir / f"sim-{kind}-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            shopsync_command(*args), stdout=out, stderr=subprocess.STDOUT, env=child_env()
        )
    return SimProcess(kind=kind, url=f"http://127.0.0.1:{port}", proc=proc, log=log)


@contextlib.contextmanager
def start_sim(kind: Literal["tripletex", "webshop"], workdir: Path, **options: Any) -> Iterator[SimProcess]:
    """Run ``shopsync sim <kind> --<option> <value>…`` until the block ends."""
    with start_sims(workdir, **{kind: options}) as sims:
        yield sims[0]


@contextlib.contextmanager
def start_sims(workdir: Path, **kinds: dict[str, Any]) -> Iterator[list[SimProcess]]:
    """Start simulators side by side (``tripletex={…options}``, ``webshop={…}``), waiting for all at once."""
    sims: list[SimProcess] = []
    try:
        for kind, options in kinds.items():
            assert kind in ("tripletex", "webshop"), kind
            sims.append(_launch(kind, workdir, options))  # type: ignore[arg-type]
        for sim in sims:
            _wait_ready(sim)
        yield sims
    finally:
        for sim in sims:
            sim.stop()


def _wait_ready(sim: SimProcess, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if sim.proc.poll() is not None:
            raise RuntimeError(f"{sim.kind} simulator exited: {sim.log.read_text(errors='replace')[-2000:]}")
        try:
            httpx2.get(sim.url + "/_sim/stats", timeout=1).raise_for_status()
            return
        except httpx2.HTTPError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{sim.kind} simulator did not answer within {timeout} s") from None
            time.sleep(0.05)


def shopsync(
    *args: str, timeout: float = SYNC_TIMEOUT, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI to completion (``env``: extra variables); its exit code and output."""
    return subprocess.run(
        shopsync_command(*args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(**(env or {})),
        cwd=cwd,
        check=False,
    )


def spawn_shopsync(*args: str, log: Path) -> subprocess.Popen[bytes]:
    """Start the CLI in the background (output to ``log``), for killing it."""
    with log.open("ab") as out:
        return subprocess.Popen(
            shopsync_command(*args), stdout=out, stderr=subprocess.STDOUT, env=child_env()
        )


def init_config(workdir: Path, tripletex: SimProcess, webshop: SimProcess, state: str | None = None) -> Path:
    """``shopsync init`` for the two simulators; the config path."""
    out = workdir / "shopsync.yaml"
    args = ["init", "--webshop-url", webshop.api_url, "--tripletex-url", tripletex.api_url, "--out", str(out)]
    if state is not None:
        args += ["--state", state]
    result = shopsync(*args)
    assert result.returncode == 0, result.stderr + result.stdout
    # The connector paces a shop to 10 requests/s by default (polite to real shops); the simulator
    # needs no such care, and the tests should not wait for it.
    text = out.read_text(encoding="utf-8")
    assert "\n  api: null\n" in text
    out.write_text(
        text.replace("\n  api: null\n", f"\n  api: {{pacing: {{requests_per_second: {SHOP_PACE}}}}}\n")
    )
    return out


def explain(result: subprocess.CompletedProcess[str]) -> str:
    """The exit code and the last of the output, for assertion messages."""
    return f"exit {result.returncode}\nstdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
