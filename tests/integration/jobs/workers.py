"""``shopsync worker`` processes for the scale tests, and what their queue shows about them.

``WorkerProcess`` runs the real CLI in a child process (its log in a file); ``start_workers`` starts
them one after the other and learns each one's procrastinate worker id (the row it registers), so a
test can find which process runs a given job and ``kill -9`` exactly that one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .fleet import FAST_JOBS


@dataclass
class WorkerProcess:
    """One ``shopsync worker`` child process."""

    proc: subprocess.Popen[bytes]
    log: Path
    worker_id: int

    def kill(self) -> None:
        """SIGKILL: no shutdown, no unregistering, nothing flushed."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM and wait; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait(timeout=10)
        return int(self.proc.returncode)


def child_env(secret_key: str, **extra: str) -> dict[str, str]:
    """Our environment without SHOPSYNC_* settings, plus the fast job settings and the key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSYNC_")}
    env.update(FAST_JOBS)
    env["SHOPSYNC_SECRET_KEY"] = secret_key
    env.update(extra)
    return env


def _worker_ids(db: sa.Engine) -> set[int]:
    with db.connect() as conn:
        if not conn.execute(sa.text("SELECT to_regclass('procrastinate_workers') IS NOT NULL")).scalar():
            return set()
        return set(conn.execute(sa.text("SELECT id FROM procrastinate_workers")).scalars())


def start_workers(
    count: int, database: str, secret_key: str, folder: Path, *, concurrency: int = 4, **env: str
) -> list[WorkerProcess]:
    """Start ``count`` workers, each registered before the next starts."""
    db = sa.create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    workers: list[WorkerProcess] = []
    try:
        for index in range(count):
            known = _worker_ids(db)
            log = folder / f"worker-{index}.log"
            with log.open("wb") as out:  # the child keeps its own copy of the descriptor
                proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "shopsync.cli.main",
                        "worker",
                        "--queue",
                        database,
                        "--concurrency",
                        str(concurrency),
                        "--name",
                        f"w{index}",
                    ],
                    env=child_env(secret_key, **env),
                    stdout=subprocess.DEVNULL,
                    stderr=out,
                )
            deadline = time.monotonic() + 30
            while not (new := _worker_ids(db) - known):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker {index} did not start: {log.read_text()[-2000:]}")
                time.sleep(0.05)
            workers.append(WorkerProcess(proc, log, min(new)))
    except BaseException:
        for worker in workers:
            worker.stop()
        raise
    finally:
        db.dispose()
    return workers


def rows(database: str, query: str, **params: Any) -> list[sa.Row[Any]]:
    """The rows of ``query`` on the test database."""
    db = sa.create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with db.connect() as conn:
            return list(conn.execute(sa.text(query), params))
    finally:
        db.dispose()
