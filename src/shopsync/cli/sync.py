"""``shopsync sync``: one complete two-way pass over customers, products and orders, then exit.

The engine does the work (``shopsync.engine.factory.build_engine``); this module loads the config,
runs the pass, prints the summary (a Rich table, colour only on a terminal; or JSON) and turns the
outcome into the exit code.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import typer

from shopsync.cli._common import (
    ConfigOption,
    ExitCode,
    JsonOption,
    VerboseOption,
    err_console,
    fail_from,
    load_or_exit,
    setup_logging,
    wide_console,
)
from shopsync.config import ShopsyncConfig

if TYPE_CHECKING:
    from shopsync.engine.summary import PassSummary

__all__ = ["run_sync", "sync", "sync_exit_code"]


async def run_sync(config: ShopsyncConfig, *, allow_mass_delete: bool = False) -> PassSummary:
    """Build the engine for ``config`` and run one complete pass."""
    # Imported here: `shopsync --help` and `init` should not pay for loading the engine.
    from shopsync.engine.factory import build_engine

    async with build_engine(config) as engine:
        return await engine.run_pass(allow_mass_delete=allow_mass_delete)


def sync_exit_code(summary: PassSummary) -> ExitCode:
    """OK when both sides are in sync, ATTENTION when the pass finished with records needing attention."""
    return ExitCode.OK if summary.exit_code == 0 else ExitCode.ATTENTION


def _print(summary: PassSummary, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), indent=2, default=str))
        return
    console = wide_console()
    console.print(summary.table())
    for line in summary.lines():
        style = "green" if line == "in sync" else "yellow"
        console.print(line, style=style, highlight=False)


def sync(
    config: ConfigOption,
    as_json: JsonOption = False,
    allow_mass_delete: Annotated[
        bool,
        typer.Option(
            "--allow-mass-delete",
            help="Let this pass deactivate more than mass_delete_share of an entity's records "
            "(after the breaker stopped a pass and you checked why).",
        ),
    ] = False,
    verbose: VerboseOption = 0,
) -> None:
    """Run one complete two-way pass (customers, products, then orders) and print what it did.

    Exit codes:
    0 both sides are in sync;
    1 finished, but records are dead-lettered, in conflict, in review or waiting (see `shopsync status`);
    2 configuration or connection error (config, secrets, Tripletex, the webshop, the state database);
    3 unexpected internal error.
    """
    setup_logging(verbose)
    settings = load_or_exit(config)
    try:
        if err_console.is_terminal and not as_json:
            with err_console.status("Syncing…"):
                summary = asyncio.run(run_sync(settings, allow_mass_delete=allow_mass_delete))
        else:
            summary = asyncio.run(run_sync(settings, allow_mass_delete=allow_mass_delete))
    except Exception as exc:
        fail_from(exc)
    _print(summary, as_json)
    raise typer.Exit(int(sync_exit_code(summary)))
