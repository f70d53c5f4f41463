"""``shopsync replay``: sync dead-lettered records again (after the cause was fixed)."""

from __future__ import annotations

from typing import Annotated

import typer

from shopsync.cli._common import (
    ConfigOption,
    ExitCode,
    JsonOption,
    VerboseOption,
    fail,
    load_or_exit,
    setup_logging,
)

__all__ = ["replay"]


def replay(
    config: ConfigOption,
    ids: Annotated[
        list[int] | None, typer.Argument(metavar="[ID]...", help="Dead letters to replay.")
    ] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Replay every open dead letter.")] = False,
    as_json: JsonOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """Sync the given dead letters again (or all open ones with --all) and print what happened.

    Exit codes: 0 replayed and in sync; 1 replayed, but records still need attention; 2 no ids and no
    --all, an unknown id, configuration or connection error; 3 internal error.
    """
    from shopsync.cli._state import decide
    from shopsync.cli.sync import print_summary

    if bool(ids) == replay_all:
        fail("give dead-letter ids or --all (not both)")
    setup_logging(verbose)
    settings = load_or_exit(config)
    summary = decide(settings, lambda engine: engine.replay(None if replay_all else list(ids or [])))
    print_summary(summary, as_json)
    raise typer.Exit(int(ExitCode.OK if summary.exit_code == 0 else ExitCode.ATTENTION))
