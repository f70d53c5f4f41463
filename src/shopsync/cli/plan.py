"""``shopsync plan``: what the next pass would do on each side, without writing anything."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from shopsync.cli._common import (
    ConfigOption,
    ExitCode,
    JsonOption,
    VerboseOption,
    fail_from,
    load_or_exit,
    setup_logging,
    wide_console,
)
from shopsync.cli._output import print_json

if TYPE_CHECKING:
    from shopsync.engine.summary import PassSummary

__all__ = ["PLAN_COLUMNS", "plan", "plan_lines", "plan_rows"]

#: Planned actions listed one by one on the terminal (``--json`` has all of them).
PLAN_LIST_LIMIT = 50
#: What a plan shows per entity and side: the planned action and the summary count it is read from.
PLAN_COLUMNS: dict[str, str] = {
    "create": "created",
    "update": "updated",
    "link": "linked",
    "deactivate": "deactivated",
}


def plan_rows(summary: PassSummary) -> list[dict[str, Any]]:
    """One row per entity and side: how many records would be created, updated, linked, deactivated."""
    rows = []
    for entity, per_side in summary.counts.items():
        for side in ("webshop", "tripletex"):
            counts = per_side.get(side)
            row: dict[str, Any] = {"entity": entity, "side": side}
            row.update(
                {action: getattr(counts, name, 0) if counts else 0 for action, name in PLAN_COLUMNS.items()}
            )
            rows.append(row)
    return rows


def plan_lines(summary: PassSummary, limit: int = PLAN_LIST_LIMIT) -> list[str]:
    """The planned actions one per line (at most ``limit``, then how many more), then the verdict."""
    planned = [str(action) for action in summary.planned]
    shown = planned[:limit]
    if len(planned) > limit:
        shown.append(f"… and {len(planned) - limit} more (--json lists them all)")
    verdict = [line for line in summary.lines() if not line.startswith("  ")]
    return shown + verdict


def plan(config: ConfigOption, as_json: JsonOption = False, verbose: VerboseOption = 0) -> None:
    """Show what the next pass would create, update, link or deactivate on each side (a dry run:
    both systems are read, nothing is written to them or to the state).

    Exit codes: 0 planned (whether or not anything would be written); 2 configuration or connection
    error; 3 internal error.
    """
    from shopsync.cli._state import with_engine

    setup_logging(verbose)
    settings = load_or_exit(config)
    try:
        summary = with_engine(settings, lambda engine: engine.plan())
    except Exception as exc:
        fail_from(exc)
    rows = plan_rows(summary)
    if as_json:
        print_json({"rows": rows, "summary": summary.to_dict()})
    else:
        table = Table(title="Plan: what the next pass would write")
        for column in ("entity", "side", *PLAN_COLUMNS):
            table.add_column(column, justify="left" if column in ("entity", "side") else "right")
        for row in rows:
            table.add_row(row["entity"], row["side"], *(str(row[a]) for a in PLAN_COLUMNS))
        console = wide_console()
        console.print(table)
        for line in plan_lines(summary):
            console.print(line, highlight=False, markup=False)
    raise typer.Exit(int(ExitCode.OK))
