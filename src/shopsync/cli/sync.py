"""``shopsync sync``: one complete two-way pass over customers, products and orders, then exit.

The engine does the work (``shopsync.engine.factory.build_engine``); this module loads the config,
runs the pass, prints the summary (a Rich table, colour only on a terminal; or JSON) and turns the
outcome into the exit code. While the pass runs, one progress bar per entity is drawn on stderr when
it is a terminal (not with ``--json``); otherwise nothing is printed until the summary.
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

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from shopsync.config import ShopsyncConfig
    from shopsync.engine.progress import ProgressCallback, ProgressEvent
    from shopsync.engine.summary import PassSummary

__all__ = ["EntityBars", "print_summary", "run_sync", "sync", "sync_exit_code"]


async def run_sync(
    config: ShopsyncConfig, *, allow_mass_delete: bool = False, progress: ProgressCallback | None = None
) -> PassSummary:
    """Build the engine for ``config`` and run one complete pass (``progress``: see ``EntityBars``)."""
    # Imported here: `shopsync --help` and `init` should not pay for loading the engine.
    from shopsync.engine.factory import build_engine

    async with build_engine(config) as engine:
        return await engine.run_pass(allow_mass_delete=allow_mass_delete, progress=progress)


class EntityBars:
    """Rich progress bars on ``console``, one per entity, fed by the engine's ``ProgressEvent``s.

    Use as a context manager; the instance is the progress callback. A bar shows the entity, its
    stage and settled/total records (a pulsing bar while the total is unknown).
    """

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description:<9}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[dim]{task.fields[stage]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> EntityBars:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def __call__(self, event: ProgressEvent) -> None:
        task = self._tasks.get(event.entity)
        if task is None:
            task = self._tasks[event.entity] = self._progress.add_task(
                event.entity, total=event.total, stage=event.stage
            )
        self._progress.update(task, completed=event.done, total=event.total, stage=event.stage)


def sync_exit_code(summary: PassSummary) -> ExitCode:
    """OK when both sides are in sync, ATTENTION when the pass finished with records needing attention."""
    return ExitCode.OK if summary.exit_code == 0 else ExitCode.ATTENTION


def print_summary(summary: PassSummary, as_json: bool) -> None:
    """The summary as a table and verdict lines, or as JSON."""
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
            with EntityBars(err_console) as bars:
                summary = asyncio.run(run_sync(settings, allow_mass_delete=allow_mass_delete, progress=bars))
        else:
            summary = asyncio.run(run_sync(settings, allow_mass_delete=allow_mass_delete))
    except Exception as exc:
        fail_from(exc)
    print_summary(summary, as_json)
    raise typer.Exit(int(sync_exit_code(summary)))
