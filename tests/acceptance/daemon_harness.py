"""``shopsync run`` as a separate process against the simulator processes (see ``harness``).

``daemon_config`` turns a config written by ``shopsync init`` into one for the daemon (its own port,
the schedule given); ``start_daemon`` runs ``shopsync run`` with the webhook and status secrets in its
environment and waits until its HTTP server answers; ``DaemonProcess`` reads its status API and
metrics and stops it with a signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from shopsync.simulators.serve import free_port

from .harness import SimProcess, child_env, init_config, shopsync_command

#: The daemon's secrets, as an operator would export them.
DAEMON_SECRETS = {
    "SHOPSYNC_STATUS_TOKEN": "acceptance-status-token",
    "SHOPSYNC_TRIPLETEX_WEBHOOK_AUTH": "acceptance-tripletex-callback-auth",
    "SHOPSYNC_WEBSHOP_WEBHOOK_SECRET": "acceptance-webshop-webhook-secret",
}
#: Seconds a daemon may take to answer on its port after it was started.
START_TIMEOUT = 60.0


def daemon_config(
    workdir: Path,
    tripletex: SimProcess,
    webshop: SimProcess,
    schedule: Mapping[str, float] | None = None,
    state: str | None = None,
) -> tuple[Path, int]:
    """``shopsync init`` for the simulators, with a free server port and the ``daemon`` values given."""
    config = init_config(workdir, tripletex, webshop, state)
    port = free_port()
    text = config.read_text(encoding="utf-8").replace("\n  port: 8700\n", f"\n  port: {port}\n")
    for key, value in (schedule or {}).items():
        lines = [line for line in text.splitlines() if line.startswith(f"  {key}: ")]
        assert len(lines) == 1, f"no daemon key {key} in the written config"
        text = text.replace(lines[0], f"  {key}: {value}")
    config.write_text(text, encoding="utf-8")
    return config, port


@dataclass
class DaemonProcess:
    """A running ``shopsync run``."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def headers(self) -> dict[str, str]:
        """The status token as a bearer header."""
        return {"Authorization": f"Bearer {DAEMON_SECRETS['SHOPSYNC_STATUS_TOKEN']}"}

    def status(self) -> dict[str, Any]:
        """``GET /api/status``."""
        response = httpx2.get(self.url + "/api/status", headers=self.headers, timeout=10)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def metrics(self) -> str:
        """``GET /metrics``."""
        response = httpx2.get(self.url + "/metrics", headers=self.headers, timeout=10)
        response.raise_for_status()
        return response.text

    def output(self) -> str:
        """The last of its log."""
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 90.0) -> int:
        """Send ``sig`` and wait for the exit code (killed if it does not exit in ``timeout``)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise AssertionError(f"shopsync run did not stop after {sig.name}:\n{self.output()}") from None


def _wait_healthy(daemon: DaemonProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if daemon.proc.poll() is not None:
            raise RuntimeError(f"shopsync run exited {daemon.proc.returncode}:\n{daemon.output()}")
        with contextlib.suppress(httpx2.HTTPError):
            if httpx2.get(daemon.url + "/healthz", timeout=1).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"shopsync run did not answer within {START_TIMEOUT} s:\n{daemon.output()}")
        time.sleep(0.05)


@contextlib.contextmanager
def start_daemon(config: Path, port: int, log: Path) -> Iterator[DaemonProcess]:
    """Run ``shopsync run --config CONFIG`` until the block ends (then SIGTERM, kill if it hangs)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            shopsync_command("run", "--config", str(config)),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=child_env(**DAEMON_SECRETS),
        )
    daemon = DaemonProcess(proc=proc, url=f"http://127.0.0.1:{port}", log=log)
    try:
        _wait_healthy(daemon)
        yield daemon
    finally:
        if proc.poll() is None:
            daemon.stop()


def _tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-6000:] if log is not None else ""


async def until(
    check: Callable[[], Awaitable[bool]], what: str, limit: float = 60.0, log: Path | None = None
) -> None:
    """Poll ``check`` until it is true; fail naming ``what`` (and showing the end of ``log``) after
    ``limit`` seconds — generous: this proves that something happens, never how fast."""
    deadline = time.monotonic() + limit
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}\n{_tail(log)}")
        await asyncio.sleep(0.1)
