"""``shopsync status``: what the state store holds — links, pending work, conflicts, dead letters, review
items, cursors, journal intents still open and the last pass — as Rich tables or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
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
from shopsync.cli._lazy import ENTITIES

if TYPE_CHECKING:
    from shopsync.config import ShopsyncConfig

__all__ = ["collect_status", "status", "status_exit_code"]

#: Items of each open list (conflicts, dead letters, reviews, waiting work) shown or returned.
LIST_LIMIT = 50


def _sqlite_missing(config: ShopsyncConfig) -> bool:
    from shopsync.state import state_url

    url = state_url(config.state)
    return (
        url.drivername.startswith("sqlite") and bool(url.database) and not Path(url.database or "").exists()
    )


def _items(values: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for value in values[:LIST_LIMIT]:
        row = {name: getattr(value, name) for name in value.__dataclass_fields__}
        out.append(json.loads(json.dumps(row, default=str)))
    return out


def collect_status(config: ShopsyncConfig) -> dict[str, Any]:
    """The status as JSON-ready data: the store's summary plus the open lists (at most LIST_LIMIT each)."""
    from shopsync.state import StateStore, StatusSummary, display_url, state_url

    state = display_url(state_url(config.state))
    if _sqlite_missing(config):
        # Never create a database just to say it is empty.
        empty = StatusSummary(tenant=config.tenant, entities={}, cursors=[], open_intents=0, last_pass=None)
        data = empty.to_dict()
        data.update(conflicts=[], dead_letters=[], reviews=[], waiting=[])
    else:
        with StateStore.open(config.state, config.tenant) as store:
            data = store.status_summary().to_dict()
            data["conflicts"] = _items(store.open_conflicts())
            data["dead_letters"] = _items(store.open_dead_letters(limit=LIST_LIMIT))
            data["reviews"] = _items(store.open_reviews())
            data["waiting"] = _items(store.queued_work())
    zero = {"links": 0, "pending": 0, "conflicts": 0, "dead_letters": 0, "reviews": 0}
    data["entities"] = {e: {**zero, **data["entities"].get(e, {})} for e in (*ENTITIES, *data["entities"])}
    data["state"] = state
    return data


def status_exit_code(data: dict[str, Any]) -> ExitCode:
    """ATTENTION when anything waits for a person or a retry, else OK."""
    keys = ("pending", "conflicts", "dead_letters", "reviews")
    attention = any(counts[k] for counts in data["entities"].values() for k in keys)
    return ExitCode.ATTENTION if attention else ExitCode.OK


def _render(console: Console, data: dict[str, Any]) -> None:
    console.print(f"State: [bold]{data['state']}[/]  tenant [bold]{data['tenant']}[/]")
    table = Table(title="Records")
    for column in ("entity", "links", "pending", "conflicts", "dead letters", "review"):
        table.add_column(column, justify="left" if column == "entity" else "right")
    for entity, c in data["entities"].items():
        table.add_row(
            entity,
            *(str(c[k]) for k in ("links", "pending", "conflicts", "dead_letters", "reviews")),
        )
    console.print(table)
    last = data["last_pass"]
    if last is None:
        console.print("Last pass: never")
    else:
        finished = last["finished_at"] or "not finished"
        console.print(
            f"Last pass: {last['kind']} {last['status']}, started {last['started_at']}, ended {finished}"
        )
    console.print(f"Journal intents still open: {data['open_intents']}")
    if data["cursors"]:
        cursors = Table(title="Cursors")
        for column in ("side", "entity", "position", "updated"):
            cursors.add_column(column)
        for cur in data["cursors"]:
            cursors.add_row(cur["side"], cur["entity"], cur["value"], cur["updated_at"])
        console.print(cursors)
    lists = {
        "Conflicts": (
            data["conflicts"],
            ("entity", "webshop_id", "tripletex_id", "field", "policy", "winner"),
        ),
        "Dead letters": (
            data["dead_letters"],
            ("entity", "side", "record_id", "field", "reason", "attempts"),
        ),
        "Review (several candidates)": (data["reviews"], ("entity", "side", "record_id", "candidates")),
        "Waiting": (data["waiting"], ("entity", "side", "record_id", "reason", "attempts")),
    }
    for title, (rows, columns) in lists.items():
        if not rows:
            continue
        table = Table(title=title)
        for column in columns:
            table.add_column(column.replace("_", " "))
        for row in rows:
            table.add_row(*(str(row.get(c)) if row.get(c) is not None else "" for c in columns))
        console.print(table)


def status(config: ConfigOption, as_json: JsonOption = False, verbose: VerboseOption = 0) -> None:
    """Show what the state holds: links, pending work, conflicts, dead letters, reviews, cursors, last pass.

    Exit codes:
    0 nothing needs attention;
    1 conflicts, dead letters, review items or records waiting for a dependency;
    2 configuration or database error;
    3 unexpected internal error.
    """
    setup_logging(verbose)
    settings = load_or_exit(config)
    try:
        data = collect_status(settings)
    except Exception as exc:
        fail_from(exc)
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        _render(wide_console(), data)
    raise typer.Exit(int(status_exit_code(data)))
