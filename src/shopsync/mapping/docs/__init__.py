"""The dataflow document (``shopsync docs``): the active mapping as RST, Markdown or HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from shopsync.mapping._mapping import Mapping
from shopsync.mapping.docs._document import DocRow, DocSection, Document, build_document
from shopsync.mapping.docs._html import render_html
from shopsync.mapping.docs._text import render_markdown, render_rst
from shopsync.mapping.settings import SyncPolicy

__all__ = [
    "FORMATS",
    "DocRow",
    "DocSection",
    "Document",
    "Format",
    "build_document",
    "render",
    "render_html",
    "render_markdown",
    "render_rst",
]

Format = Literal["rst", "md", "html"]
FORMATS: tuple[Format, ...] = ("rst", "md", "html")


def render(
    mapping: Mapping,
    fmt: Format = "rst",
    policy: SyncPolicy | None = None,
    *,
    overrides: Path | None = None,
    generated: dt.datetime | None = None,
) -> str:
    """The dataflow document of ``mapping`` in format ``fmt``."""
    doc = build_document(mapping, policy, overrides=overrides, generated=generated)
    renderer = {"rst": render_rst, "md": render_markdown, "html": render_html}[fmt]
    return renderer(doc)
