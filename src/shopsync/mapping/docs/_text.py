"""Render the dataflow document as reStructuredText (docutils-clean) or Markdown."""

from __future__ import annotations

import re

from shopsync.mapping.docs._document import DocRow, DocSection, Document

__all__ = ["render_markdown", "render_rst"]

_RST_SPECIAL = re.compile(r"([\\*`|])")
_RST_TRAILING_UNDERSCORE = re.compile(r"_(?=\W|$)")


def _rst(text: str) -> str:
    """Escape inline markup so property paths and notes render literally."""
    return _RST_TRAILING_UNDERSCORE.sub(r"\\_", _RST_SPECIAL.sub(r"\\\1", text))


def _heading(text: str, char: str, over: bool = False) -> list[str]:
    line = char * len(text)
    return [line, text, line] if over else [text, line]


def _rst_table(header: list[str], rows: list[DocRow]) -> list[str]:
    out = [".. list-table::", "   :header-rows: 1", ""]
    for cells in [header, *([r.webshop, r.tripletex, r.data_type, r.direction, r.notes] for r in rows)]:
        first, *rest = cells
        out.append(f"   * - {_rst(first) or '..'}")
        out.extend(f"     - {_rst(c)}" if c else "     -" for c in rest)
    return [*out, ""]


def _rst_section(section: DocSection) -> list[str]:
    out = [*_heading(section.heading, "-"), ""]
    for sentence in section.sentences:
        out += [_rst(sentence), ""]
    out += _rst_table(section.header, section.rows)
    if section.matching:
        out += [*_heading(f"Matching {section.entity} records", "~"), ""]
        out += [
            f"An existing {section.entity.lower()} in the other system is found on first sync by, in order:",
            "",
        ]
        out += [f"* {_rst(m)}" for m in section.matching] + [""]
    if section.expressions:
        out += [*_heading(f"{section.entity} transformations", "~"), ""]
        for expr in section.expressions:
            out += [f"``{expr.label}``, {expr.direction}::", ""]
            out += [f"    {line}" for line in expr.source.splitlines()] + [""]
    if section.disabled:
        out += [*_heading(f"{section.entity} rows switched off", "~"), ""]
        out += ["These rows exist but are disabled in this installation:", ""]
        out += _rst_table(section.header, section.disabled)
    return out


def render_rst(doc: Document) -> str:
    """The document as reStructuredText with ``list-table`` tables."""
    out = [*_heading(doc.title, "=", over=True), "", f"Generated: {doc.generated}", ""]
    out += [*_heading("Introduction", "-"), ""]
    for paragraph in doc.introduction:
        out += [_rst(paragraph), ""]
    for section in doc.sections:
        out += _rst_section(section)
    out += [*_heading("References and VAT", "-"), ""]
    out += [f"* {_rst(text)}" for text in doc.references] + [""]
    out += [*_heading("Conflicts and deletes", "-"), ""]
    out += [f"* {_rst(text)}" for text in doc.policies] + [""]
    return "\n".join(out).rstrip("\n") + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def _md_table(header: list[str], rows: list[DocRow]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        cells = [f"`{r.webshop}`", f"`{r.tripletex}`", r.data_type, r.direction, _md(r.notes)]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return [*out, ""]


def render_markdown(doc: Document) -> str:
    """The document as GitHub-flavoured Markdown."""
    out = [f"# {doc.title}", "", f"Generated: {doc.generated}", "", "## Introduction", ""]
    for paragraph in doc.introduction:
        out += [_md(paragraph), ""]
    for section in doc.sections:
        out += [f"## {section.heading}", ""]
        out += [line for sentence in section.sentences for line in (_md(sentence), "")]
        out += _md_table(section.header, section.rows)
        if section.matching:
            out += [f"### Matching {section.entity} records", ""]
            out += [f"- {_md(m)}" for m in section.matching] + [""]
        if section.expressions:
            out += [f"### {section.entity} transformations", ""]
            for expr in section.expressions:
                out += [f"`{expr.label}`, {expr.direction}:", "", "```jsonata", expr.source, "```", ""]
        if section.disabled:
            out += [f"### {section.entity} rows switched off", ""]
            out += _md_table(section.header, section.disabled)
    out += ["## References and VAT", ""] + [f"- {_md(t)}" for t in doc.references] + [""]
    out += ["## Conflicts and deletes", ""] + [f"- {_md(t)}" for t in doc.policies] + [""]
    return "\n".join(out).rstrip("\n") + "\n"
