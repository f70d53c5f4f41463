"""One sync pass in a process of its own, measuring that process alone (``resource.getrusage``).

The benchmarks run this as a child process (``python -m bench.engine_run --config C --out O``); the
simulators are other processes, so nothing they spend is counted. It does what ``shopsync sync
--json`` does (``shopsync.cli.sync.run_sync``) and writes to ``O``:

* ``cpu_seconds``: user + system CPU of the whole process (interpreter start and imports included);
* ``pass_cpu_seconds`` and ``pass_seconds``: CPU and wall-clock time of the pass alone (from after the
  imports and the config load to the end of the pass);
* ``peak_rss_mb`` and ``start_rss_mb`` (the same, read just before the pass: what the interpreter,
  the imports and the config take, whatever the data set) — the kernel's high-water mark of this
  process's memory (``VmHWM``). Not ``ru_maxrss``: Linux carries that over from the parent through
  fork and exec, so a child of a big benchmark process would report the parent's size.
* ``exit_code`` (``shopsync sync``'s: 0 in sync, 1 something needs attention) and the pass summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import pathlib
import resource
import time
from typing import Any


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """This process's peak resident set (``VmHWM`` of ``/proc/self/status``; ``ru_maxrss`` elsewhere)."""
    try:
        for line in pathlib.Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(config_path: pathlib.Path) -> dict[str, Any]:
    """Run one pass for the config at ``config_path``; the figures described in the module docstring."""
    from shopsync.cli._common import load_or_exit
    from shopsync.cli.sync import run_sync, sync_exit_code
    from shopsync.logs import configure_logging

    configure_logging(logging.WARNING)
    config = load_or_exit(config_path)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start_rss = peak_rss_mb()
    started = time.perf_counter()
    summary = asyncio.run(run_sync(config))
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "exit_code": int(sync_exit_code(summary)),
        "cpu_seconds": round(_cpu(after), 3),
        "pass_cpu_seconds": round(_cpu(after) - _cpu(before), 3),
        "pass_seconds": round(seconds, 3),
        "start_rss_mb": round(start_rss, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "summary": summary.to_dict(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--config", type=pathlib.Path, required=True)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args(argv)
    figures = run(args.config)
    args.out.write_text(json.dumps(figures, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
