"""Printing records for people (Rich tables; colour only on a terminal) or scripts (``--json``)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from typing import Any

import typer
from rich.table import Table

from shopsync.cli._common import wide_console

__all__ = ["as_rows", "cell", "print_json", "print_rows", "print_table"]


def as_rows(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Dataclass records (links, conflicts, dead letters…) as JSON-ready dicts (dates as ISO text)."""
    rows = []
    for item in items:
        is_record = dataclasses.is_dataclass(item) and not isinstance(item, type)
        data = dataclasses.asdict(item) if is_record else dict(item)
        rows.append(json.loads(json.dumps(data, default=_text)))
    return rows


def _text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def cell(value: Any) -> str:
    """One table cell: empty for None, compact JSON for lists and dicts."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_text))


def print_table(title: str, columns: Sequence[str], rows: Sequence[dict[str, Any]], *, empty: str) -> None:
    """A table of ``rows`` (only ``columns``), or the ``empty`` line when there are none."""
    console = wide_console()
    if not rows:
        console.print(empty, highlight=False)
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*(cell(row.get(c)) for c in columns))
    console.print(table)


def print_rows(
    rows: Sequence[dict[str, Any]], *, as_json: bool, title: str, columns: Sequence[str], empty: str
) -> None:
    """``rows`` as JSON (``--json``) or as ``print_table`` shows them."""
    if as_json:
        print_json(rows)
    else:
        print_table(title, columns, rows, empty=empty)
