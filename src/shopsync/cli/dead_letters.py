"""``shopsync dead-letters``: records that failed to sync and wait for a fix; ``show ID`` prints one
with its payload. ``shopsync replay`` tries them again."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from shopsync.cli._common import (
    ExitCode,
    GroupConfigOption,
    JsonOption,
    VerboseOption,
    config_path,
    fail,
    fail_from,
    load_or_exit,
    setup_logging,
    wide_console,
)
from shopsync.cli._output import as_rows, cell, print_json, print_rows
from shopsync.cli._state import open_store, read_rows

__all__ = ["dead_letters_app"]

COLUMNS = ("id", "entity", "side", "record_id", "field", "reason", "attempts", "last_attempt_at")
#: Dead letters listed at most (the oldest first).
LIST_LIMIT = 500

dead_letters_app = typer.Typer(
    help="List open dead letters; `dead-letters show ID` prints one with its payload.",
    invoke_without_command=True,
)


@dead_letters_app.callback()
def dead_letters(
    ctx: typer.Context,
    config: GroupConfigOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """List the open dead letters (oldest first): which record, which side, why.

    Exit codes: 0 none open; 1 some are open; 2 configuration or database error; 3 internal error.
    """
    ctx.obj = {"config": config}
    if ctx.invoked_subcommand is not None:
        return
    setup_logging(verbose)
    rows = read_rows(
        load_or_exit(config_path(ctx, config)), lambda store: store.open_dead_letters(limit=LIST_LIMIT)
    )
    print_rows(
        rows, as_json=as_json, title="Open dead letters", columns=COLUMNS, empty="No open dead letters."
    )
    raise typer.Exit(int(ExitCode.ATTENTION if rows else ExitCode.OK))


@dead_letters_app.command("show")
def show(
    ctx: typer.Context,
    dead_letter_id: Annotated[int, typer.Argument(metavar="ID", help="The dead letter's id.")],
    config: GroupConfigOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """Print one dead letter, whatever its status, with the payload that failed.

    Exit codes: 0 shown; 2 no such dead letter, configuration or database error; 3 internal error.
    """
    setup_logging(verbose)
    settings = load_or_exit(config_path(ctx, config))
    try:
        with open_store(settings) as store:
            item = None if store is None else store.dead_letter_by_id(dead_letter_id)
    except Exception as exc:
        fail_from(exc)
    if item is None:
        fail(f"there is no dead letter with id {dead_letter_id}")
    row = as_rows([item])[0]
    if as_json:
        print_json(row)
        return
    console = wide_console()
    for key, value in row.items():
        if key != "payload":
            console.print(
                Text.assemble((f"{key.replace('_', ' ')}:", "bold"), f" {cell(value)}"), highlight=False
            )
    console.print("[bold]payload:[/]")
    if row["payload"] is None:
        console.print("(none)")
    else:
        console.print_json(data=row["payload"])
