"""Benchmark: the passes of ``bench.scale`` (initial load, incremental, idle) on one data set of any shape.

``make bench`` runs ``bench.scale`` (sizes 1k, 10k, 100k in proportion); this runs the same
measurement on the counts you give, e.g. to look at one entity or at Tripletex-heavy data::

    .venv/bin/python -m bench.engine_sync --customers 2000 --products 500 --orders 2000 \\
        --tx-customers 200 --tx-products 50 --change-share 0.01 [--edits 200] [--engine-src DIR]

The figures and the minimum are described in ``bench.scale`` and ``bench.minimum``; they are printed
and written to ``bench/results/engine_sync.json``. The exit code is 1 if a pass did not end in sync.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import platform

from rich.console import Console

import bench.minimum
from bench.scale import _print, run_dataset
from shopsync.logs import configure_logging

RESULTS = pathlib.Path(__file__).resolve().parent / "results" / "engine_sync.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--customers", type=int, default=2000, help="webshop customers")
    parser.add_argument("--products", type=int, default=500, help="webshop products")
    parser.add_argument("--orders", type=int, default=2000, help="webshop orders")
    parser.add_argument(
        "--tx-customers", type=int, default=200, help="Tripletex customers (flow to the shop)"
    )
    parser.add_argument("--tx-products", type=int, default=50, help="Tripletex products (flow to the shop)")
    parser.add_argument("--change-share", type=float, default=0.01, help="share edited on each side")
    parser.add_argument("--edits", type=int, default=0, help="webhook → write latency edits (0: skip)")
    parser.add_argument("--engine-src", type=pathlib.Path, default=None, help="another engine's source tree")
    parser.add_argument("--output", type=pathlib.Path, default=RESULTS)
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    console = Console() if Console().is_terminal else Console(width=160)
    data = argparse.Namespace(
        customers=args.customers,
        products=args.products,
        orders=args.orders,
        tx_customers=args.tx_customers,
        tx_products=args.tx_products,
        tx_options=[],
    )
    result = run_dataset(args.customers, data, args, console)
    _print(console, [result], None)
    output = {
        "benchmark": "engine_sync",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "minimum_formula": bench.minimum.__doc__,
        "result": result,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(output, indent=2, default=str) + "\n", encoding="utf-8")
    return 0 if all(p["exit_code"] == 0 for p in result["passes"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
