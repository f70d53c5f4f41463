"""Render the dataflow document as a self-contained, readable HTML page (Jinja2, autoescaped)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from shopsync.mapping.docs._document import Document

__all__ = ["render_html"]

_ENV = Environment(
    loader=PackageLoader("shopsync.mapping.docs", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(doc: Document) -> str:
    """The document as one HTML page with inline styles."""
    return _ENV.get_template("dataflow.html").render(doc=doc)
