"""The figures of ``bench/results/latest.json`` as Markdown, for the README and docs/performance.md.

    .venv/bin/python -m bench.report                       # print the tables
    .venv/bin/python -m bench.report --update README.md docs/performance.md

``--update`` replaces what lies between ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` in each
file, so the published figures are always those of one recorded run, never typed by hand.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bench.scale import RESULTS

__all__ = ["render", "update"]

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
_BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.0f} ms"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _passes(sizes: Sequence[Mapping[str, Any]]) -> list[str]:
    rows = []
    for s in sizes:
        for name, p in s["passes"].items():
            rows.append(
                [
                    f"{s['size']:,}",
                    name,
                    f"{p['records']:,}",
                    f"{p['seconds']:.1f}",
                    f"{p['tripletex_calls']:,} / {p['tripletex_minimum']:,}",
                    f"**{p['calls_per_minimum']:.2f}**",
                    f"{p['tripletex_writes']:,}",
                    f"{p['cpu_ms_per_record']:.2f}",
                    f"{p['peak_rss_mb']:.0f}",
                    "ok" if p["exit_code"] == 0 else f"exit {p['exit_code']}",
                ]
            )
    header = (
        "N",
        "pass",
        "records",
        "s",
        "Tripletex calls / minimum",
        "× min",
        "Tripletex writes",
        "engine CPU ms / record",
        "peak RSS MB",
        "result",
    )
    return _table(header, rows)


def _latency(sizes: Sequence[Mapping[str, Any]]) -> list[str]:
    rows = [
        [f"{s['size']:,}", str(s["latency"]["both"]["n"])]
        + [_ms(s["latency"]["both"][k]) for k in ("p50", "p95", "p99", "max")]
        for s in sizes
        if s.get("latency")
    ]
    return _table(("N", "edits", "p50", "p95", "p99", "max"), rows) if rows else []


def _rate(rate: Mapping[str, Any] | None) -> list[str]:
    if not rate:
        return []
    share = rate["share_of_limit"]
    return [
        f"Rate-bound initial load of {rate['size']:,} customers against a Tripletex allowing "
        f"{rate['rate_limit']} requests per {rate['rate_period']:g} s: "
        f"**{'n/a' if share is None else f'{share:.1%}'} of the limit used** over "
        f"{rate['complete_windows']} complete windows ({rate['share_of_limit_overall']:.1%} over the "
        f"whole pass, start-up included), {rate['tripletex_calls']:,} calls, "
        f"{rate['tripletex_429']} answered 429, {rate['failed_records']} failed records, "
        f"{rate['seconds']:.0f} s."
    ]


def _growth(rows: Sequence[Mapping[str, Any]], sizes: Sequence[Mapping[str, Any]]) -> list[str]:
    if not rows:
        return []
    header = ("figure", *(f"{s['size']:,}" for s in sizes), "× per decade", "expected", "ok")
    return _table(
        header,
        [
            [
                r["figure"],
                *(f"{v:.3g}" if isinstance(v, float) else str(v) for v in r["values"]),
                f"{r['per_decade']:.2f}",
                r["expected"],
                "yes" if r["linear_or_better"] else "**no**",
            ]
            for r in rows
        ],
    )


def render(data: Mapping[str, Any]) -> str:
    """The Markdown of one ``bench.scale`` result."""
    sizes = data["sizes"]
    machine = data.get("machine", {})
    load = machine.get("load_average")
    lines = [
        f"`make bench` of {str(data['when'])[:10]} ({machine.get('cpus', '?')} cores, Python "
        f"{machine.get('python', '?')}"
        + (f", load average at the end {load[0]:.1f}" if load else "")
        + f"; {data['wall_seconds'] / 60:.0f} min in all). Per pass, on the same data: the initial load, "
        f"an incremental pass after {data['change_share']:.0%} of every entity was edited on each side, "
        "an idle pass.",
        "",
        *_passes(sizes),
        "",
        "Webhook → write latency under `shopsync run` (edit on one side until the other side has it):",
        "",
        *_latency(sizes),
        "",
        *_rate(data.get("rate_bound")),
        "",
        f"Growth from {sizes[0]['size']:,} to {sizes[-1]['size']:,} customers:",
        "",
        *_growth(data.get("growth", []), sizes),
    ]
    return "\n".join(lines).strip() + "\n"


def update(path: pathlib.Path, markdown: str) -> None:
    """Replace the figures block of ``path`` (an error when it has none)."""
    text = path.read_text(encoding="utf-8")
    if not _BLOCK.search(text):
        raise SystemExit(f"{path}: no {BEGIN} … {END} block to fill")
    path.write_text(_BLOCK.sub(lambda _: f"{BEGIN}\n{markdown}{END}", text, count=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--results", type=pathlib.Path, default=RESULTS)
    parser.add_argument("--update", type=pathlib.Path, nargs="*", default=[], help="files to fill")
    args = parser.parse_args(argv)
    markdown = render(json.loads(args.results.read_text(encoding="utf-8")))
    for path in args.update:
        update(path, markdown)
    if not args.update:
        print(markdown, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
