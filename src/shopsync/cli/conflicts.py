"""``shopsync conflicts``: the field conflicts waiting for a person; ``conflicts resolve`` settles one.

A conflict is one field changed differently on both sides since the last sync, which the conflict
policy could not (or was told not to) decide. Resolving keeps the winning side's value and writes it
to the other side.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from shopsync.cli._common import (
    ExitCode,
    GroupConfigOption,
    JsonOption,
    VerboseOption,
    config_path,
    load_or_exit,
    setup_logging,
    wide_console,
)
from shopsync.cli._output import as_rows, print_json, print_rows
from shopsync.cli._state import decide, read_rows

__all__ = ["conflicts_app"]

COLUMNS = (
    "id",
    "entity",
    "webshop_id",
    "tripletex_id",
    "field",
    "webshop_value",
    "tripletex_value",
    "policy",
)

conflicts_app = typer.Typer(
    help="List open field conflicts; `conflicts resolve ID --winner SIDE` settles one.",
    invoke_without_command=True,
)


class Winner(StrEnum):
    """The side whose value is kept."""

    webshop = "webshop"
    tripletex = "tripletex"


@conflicts_app.callback()
def conflicts(
    ctx: typer.Context,
    config: GroupConfigOption = None,
    entity: Annotated[str | None, typer.Option("--entity", "-e", help="Only this entity.")] = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """List the open field conflicts (oldest first).

    Exit codes: 0 none open; 1 some are open; 2 configuration or database error; 3 internal error.
    """
    ctx.obj = {"config": config}
    if ctx.invoked_subcommand is not None:
        return
    setup_logging(verbose)
    rows = read_rows(load_or_exit(config_path(ctx, config)), lambda store: store.open_conflicts(entity))
    print_rows(rows, as_json=as_json, title="Open conflicts", columns=COLUMNS, empty="No open conflicts.")
    raise typer.Exit(int(ExitCode.ATTENTION if rows else ExitCode.OK))


@conflicts_app.command("resolve")
def resolve(
    ctx: typer.Context,
    conflict_id: Annotated[int, typer.Argument(metavar="ID", help="The conflict's id (see `conflicts`).")],
    winner: Annotated[Winner, typer.Option("--winner", "-w", help="The side whose value is kept.")],
    config: GroupConfigOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """Keep one side's value of a conflict and write it to the other side.

    Exit codes: 0 resolved; 2 unknown or already resolved conflict, configuration or connection
    error; 3 internal error.
    """
    setup_logging(verbose)
    settings = load_or_exit(config_path(ctx, config))
    settled = decide(settings, lambda engine: engine.resolve_conflict(conflict_id, winner.value))
    if as_json:
        print_json(as_rows([settled])[0])
    else:
        wide_console().print(
            f"Conflict {conflict_id} resolved: {settled.entity} {settled.webshop_id} {settled.field} "
            f"keeps the {winner.value} value.",
            highlight=False,
        )
