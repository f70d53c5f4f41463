"""``shopsync docs``: print the dataflow document of the mapping in force (QA checklist)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from shopsync.mapping.docs import Format

__all__ = ["docs"]


class DocFormat(StrEnum):
    """Output formats of the document."""

    rst = "rst"
    md = "md"
    html = "html"


_FORMATS: dict[DocFormat, Format] = {DocFormat.rst: "rst", DocFormat.md: "md", DocFormat.html: "html"}


def docs(
    config: Annotated[
        Path | None,
        typer.Option(
            help="shopsync config file (YAML); its mapping, conflict_policy and delete_policy are used."
        ),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping override file (YAML); takes precedence over the config's.")
    ] = None,
    fmt: Annotated[DocFormat, typer.Option("--format", help="Output format.")] = DocFormat.rst,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
) -> None:
    """Print the Custom Webshop to Tripletex dataflow document for the active mapping."""
    from shopsync.mapping import MappingFileError, load_mapping
    from shopsync.mapping.docs import render
    from shopsync.mapping.settings import ConfigError, read_config

    try:
        policy = read_config(config)
        overrides = mapping or policy.mapping
        text = render(load_mapping(overrides), _FORMATS[fmt], policy, overrides=overrides)
    except (ConfigError, MappingFileError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)
