"""``shopsync demo`` as a child process: its printed URLs, its output lines as they come, Ctrl-C.

``running_demo`` starts the demo on free ports in a folder of the test's, waits for the first sync to
finish and yields a ``Demo`` with the shop's admin URL, the status page's login URL and the Tripletex
simulator's URLs; on exit it sends SIGINT (what Ctrl-C does) and kills the demo only if it hangs.
"""

from __future__ import annotations

import contextlib
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shopsync.simulators.serve import free_port

from .harness import child_env, shopsync_command

__all__ = ["Demo", "OutputLines", "running_demo"]


class OutputLines:
    """A process's stdout lines as they come, read by a thread that ends at EOF."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._pump, args=(proc,), daemon=True)
        self._thread.start()

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._lines.put(line.rstrip("\n"))

    def read_until(self, pattern: str, limit: float = 90.0) -> re.Match[str]:
        """The first new line matching ``pattern``; fails with everything seen after ``limit`` s."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.5)
            except queue.Empty:
                continue
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.seen))

    def join(self, timeout: float) -> None:
        """Wait for the reader thread (after the process ended)."""
        self._thread.join(timeout=timeout)


@dataclass
class Demo:
    """A running ``shopsync demo`` and the URLs it printed."""

    proc: subprocess.Popen[str]
    lines: OutputLines
    shop_url: str = ""
    status_login_url: str = ""
    tripletex_stats_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def tripletex_url(self) -> str:
        """The Tripletex simulator's API base (``…/v2``)."""
        return self.tripletex_stats_url.removesuffix("/_sim/stats") + "/v2"

    @property
    def status_url(self) -> str:
        """The status page's root."""
        return self.status_login_url.split("/login", 1)[0]

    def stop(self, timeout: float = 60.0) -> int:
        """Ctrl-C: SIGINT, then the exit code."""
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=timeout)


@contextlib.contextmanager
def running_demo(folder: Path, *options: str) -> Iterator[Demo]:
    """``shopsync demo`` on free ports, after its first sync is done."""
    ports = [str(free_port()) for _ in range(3)]
    args = ["demo", "--port", ports[0], "--webshop-port", ports[1], "--tripletex-port", ports[2]]
    proc = subprocess.Popen(
        shopsync_command(*args, "--dir", str(folder), *options),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=child_env(),
    )
    lines = OutputLines(proc)
    demo = Demo(proc=proc, lines=lines)
    try:
        demo.shop_url = lines.read_until(r"Webshop admin\s+(\S+?)/?\s")[1]
        demo.status_login_url = lines.read_until(r"Status page\s+(\S+)")[1]
        demo.tripletex_stats_url = lines.read_until(r"Tripletex stats\s+(\S+)")[1]
        lines.read_until(r"First sync done: \d+ records written")
        yield demo
    finally:
        if proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                demo.stop(timeout=60)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        lines.join(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()
