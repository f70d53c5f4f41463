"""``shopsync reviews``: records that matched several candidates on the other side and wait for a
person; ``reviews resolve ID`` links one candidate, creates a new counterpart or dismisses the item."""

from __future__ import annotations

from typing import Annotated

import typer

from shopsync.cli._common import (
    ExitCode,
    GroupConfigOption,
    JsonOption,
    VerboseOption,
    config_path,
    fail,
    load_or_exit,
    setup_logging,
    wide_console,
)
from shopsync.cli._output import as_rows, print_json, print_rows
from shopsync.cli._state import decide, read_rows

__all__ = ["reviews_app"]

COLUMNS = ("id", "entity", "side", "record_id", "candidates", "created_at")

reviews_app = typer.Typer(
    help="List records waiting for a matching decision; `reviews resolve ID` settles one.",
    invoke_without_command=True,
)


@reviews_app.callback()
def reviews(
    ctx: typer.Context,
    config: GroupConfigOption = None,
    entity: Annotated[str | None, typer.Option("--entity", "-e", help="Only this entity.")] = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """List the open review items: a record and the candidates it could be linked to.

    Exit codes: 0 none open; 1 some are open; 2 configuration or database error; 3 internal error.
    """
    ctx.obj = {"config": config}
    if ctx.invoked_subcommand is not None:
        return
    setup_logging(verbose)
    rows = read_rows(load_or_exit(config_path(ctx, config)), lambda store: store.open_reviews(entity))
    print_rows(rows, as_json=as_json, title="Open reviews", columns=COLUMNS, empty="No open reviews.")
    raise typer.Exit(int(ExitCode.ATTENTION if rows else ExitCode.OK))


@reviews_app.command("resolve")
def resolve(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(metavar="ID", help="The review item's id (see `reviews`).")],
    link: Annotated[
        str | None,
        typer.Option("--link", metavar="CANDIDATE", help="Link the record to this candidate (its id)."),
    ] = None,
    create: Annotated[bool, typer.Option("--create", help="Create a new counterpart instead.")] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="Leave the record unlinked.")] = False,
    config: GroupConfigOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """Settle a review item: exactly one of --link CANDIDATE, --create or --dismiss.

    Exit codes: 0 settled; 2 unknown or settled item, a candidate it does not have, configuration or
    connection error; 3 internal error.
    """
    chosen = [
        name for name, on in (("link", link is not None), ("create", create), ("dismiss", dismiss)) if on
    ]
    if len(chosen) != 1:
        fail("give exactly one of --link CANDIDATE, --create or --dismiss")
    action = chosen[0]
    setup_logging(verbose)
    settings = load_or_exit(config_path(ctx, config))
    settled = decide(settings, lambda engine: engine.resolve_review(review_id, action, link))
    if as_json:
        print_json(as_rows([settled])[0])
        return
    done = {"link": f"linked to {link}", "create": "created on the other side", "dismiss": "dismissed"}
    wide_console().print(
        f"Review {review_id} ({settled.entity} {settled.record_id} on {settled.side}): {done[action]}.",
        highlight=False,
    )
