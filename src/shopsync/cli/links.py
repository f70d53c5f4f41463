"""``shopsync links``: which webshop record is linked to which Tripletex record."""

from __future__ import annotations

from typing import Annotated

import typer

from shopsync.cli._common import (
    ConfigOption,
    JsonOption,
    VerboseOption,
    fail,
    load_or_exit,
    setup_logging,
)
from shopsync.cli._lazy import ENTITIES
from shopsync.cli._output import print_rows
from shopsync.cli._state import read_rows

__all__ = ["links"]

COLUMNS = ("entity", "webshop_id", "tripletex_id", "created_at")


def links(
    config: ConfigOption,
    entity: Annotated[
        str | None, typer.Option("--entity", "-e", help=f"Only this entity ({', '.join(ENTITIES)}).")
    ] = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = 0,
) -> None:
    """List the linked records: webshop id and Tripletex id, per entity.

    Exit codes: 0 listed; 2 unknown entity, configuration or database error; 3 internal error.
    """

    if entity is not None and entity not in ENTITIES:
        fail(f"unknown entity {entity!r}; expected one of {', '.join(ENTITIES)}")
    setup_logging(verbose)
    settings = load_or_exit(config)
    rows = read_rows(
        settings, lambda store: [x for e in ([entity] if entity else ENTITIES) for x in store.links(e)]
    )
    print_rows(
        rows, as_json=as_json, title=f"Links ({len(rows)})", columns=COLUMNS, empty="No linked records yet."
    )
