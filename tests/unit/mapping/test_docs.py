"""The dataflow document: docutils-clean RST with the standard sections, sentences and filled tables."""

from __future__ import annotations

import datetime as dt
import io
import json
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docutils.core
import pytest
from docutils import nodes
from typer.testing import CliRunner

from shopsync.cli.main import app
from shopsync.mapping import Block, Mapping, Row, load_mapping
from shopsync.mapping.docs import render
from shopsync.mapping.settings import SyncPolicy
from tests.conftest import tripletex_spec_path

GENERATED = dt.datetime(2026, 11, 28, 21, 40, tzinfo=dt.UTC)
ENTITIES = {"Customer": "customer", "Product": "product", "Order": "order"}


def _parse(rst: str) -> tuple[Any, str]:
    warnings = io.StringIO()
    doctree = docutils.core.publish_doctree(
        rst, settings_overrides={"warning_stream": warnings, "report_level": 1, "halt_level": 5}
    )
    return doctree, warnings.getvalue()


def _sections(doctree: Any) -> dict[str, Any]:
    return {s[0].astext(): s for s in doctree.findall(nodes.section)}


def _table(section: Any) -> list[list[str]]:
    table = next(iter(section.findall(nodes.table)))
    return [[entry.astext() for entry in row.children] for row in table.findall(nodes.row)]


def _row_count(mapping: Mapping, entity: str) -> int:
    entries = mapping.entity(entity).entries
    return sum(1 if isinstance(e, Row) else len(e.rows) for e in entries)


@pytest.fixture(scope="module")
def rst(mapping: Mapping) -> str:
    return render(mapping, "rst", generated=GENERATED)


def test_rst_parses_without_any_warning(rst: str) -> None:
    """docutils reports nothing, not even an info message, for the generated RST."""
    _, warnings = _parse(rst)
    assert warnings == ""
    assert rst.startswith("====================================\nCustom Webshop to Tripletex Dataflow\n")
    assert "\nGenerated: 2026-11-28 21:40:00\n" in rst


def test_three_entity_sections_with_the_sentences_and_filled_tables(mapping: Mapping, rst: str) -> None:
    """Each entity has its section, the standard sentences and one filled table row per mapped property."""
    doctree, _ = _parse(rst)
    sections = _sections(doctree)
    assert "Introduction" in sections and "shopsync" in sections["Introduction"].astext()
    assert "Sesam" not in rst and "NDA" not in rst
    for title, entity in ENTITIES.items():
        section = sections[f"Custom Webshop {title} to Tripletex {title}"]
        text = section.astext()
        assert f"Every Custom Webshop {title} will be synchronized with a Tripletex {title}." in text
        assert (
            f"Once a link between a Custom Webshop {title} and a Tripletex {title} is established, it will "
            "keep in sync between the two systems, regardless of where it is edited."
        ) in " ".join(text.split())
        header, *rows = _table(section)
        assert header == [
            f"Custom Webshop {title} Property",
            f"Tripletex {title} Property",
            "Tripletex Data Type",
            "Direction",
            "Notes",
        ]
        assert len(rows) == _row_count(mapping, entity) > 0
        for row in rows:
            assert all(cell.strip() for cell in row[:4]), row
            assert row[3] in ("Both ways", "To Tripletex", "To webshop")
    assert "References and VAT" in sections and "Conflicts and deletes" in sections
    policy = sections["Conflicts and deletes"].astext()
    assert "conflict_policy = newest_wins" in policy and "delete_policy = deactivate" in policy
    assert "most recent edit wins and the conflict is recorded" in policy
    assert "isInactive = true" in policy and "active = false" in policy


def _spec_property(spec: dict[str, Any], root: str, path: str) -> dict[str, Any]:
    schemas = spec["components"]["schemas"]
    schema = schemas[root]
    parts = path.split(".")
    for i, part in enumerate(parts):
        name = part.removesuffix("[]")
        prop = schema["properties"][name]
        if i == len(parts) - 1:
            return dict(prop)
        if part.endswith("[]"):
            prop = prop["items"]
        schema = schemas[prop["$ref"].rsplit("/", 1)[-1]]
    raise AssertionError(path)


def test_every_tripletex_property_exists_in_the_official_spec(mapping: Mapping, rst: str) -> None:
    """Each Tripletex property in the tables is in the official spec with the data type shown."""
    spec_path = tripletex_spec_path()
    if spec_path is None:
        pytest.skip(
            "official Tripletex spec not found: set TRIPLETEX_OPENAPI or provide "
            "../shared/tripletex/openapi.json"
        )
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    doctree, _ = _parse(rst)
    sections = _sections(doctree)
    checked = 0
    for title, entity in ENTITIES.items():
        root = mapping.entity(entity).tripletex_schema
        _, *rows = _table(sections[f"Custom Webshop {title} to Tripletex {title}"])
        for row in rows:
            prop = _spec_property(spec, root, row[1])
            assert prop.get("type", "object") == row[2].strip('"'), (row, prop)
            checked += 1
    assert checked == sum(_row_count(mapping, e) for e in ENTITIES.values())


def test_markdown_and_html(mapping: Mapping) -> None:
    """The Markdown has the same sections and tables; the HTML is a well-formed readable page."""
    md = render(mapping, "md", generated=GENERATED)
    assert md.startswith("# Custom Webshop to Tripletex Dataflow\n\nGenerated: 2026-11-28 21:40:00\n")
    for title in ENTITIES:
        assert f"## Custom Webshop {title} to Tripletex {title}\n" in md
        assert f"| Custom Webshop {title} Property | Tripletex {title} Property | Tripletex Data Type |" in md
    html = render(mapping, "html", generated=GENERATED)

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.open: list[str] = []
            self.counts: dict[str, int] = {}
            self.h2: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag not in ("meta", "br"):
                self.open.append(tag)
            self.counts[tag] = self.counts.get(tag, 0) + 1

        def handle_endtag(self, tag: str) -> None:
            assert self.open.pop() == tag

        def handle_data(self, data: str) -> None:
            if self.open and self.open[-1] == "h2":
                self.h2.append(data)

    page = Collector()
    page.feed(html)
    assert page.open == []
    assert page.h2[1:4] == [f"Custom Webshop {t} to Tripletex {t}" for t in ENTITIES]
    data_rows = sum(_row_count(mapping, e) for e in ENTITIES.values())
    switched_off = sum(len(mapping.entity(e).disabled) for e in ENTITIES.values())
    assert page.counts["tr"] == data_rows + 3 + switched_off + 1  # a header per table, one switched-off table
    assert "<script" not in html


def test_document_follows_the_mapping_in_force(tmp_path: Path) -> None:
    """Switched-off rows leave the table for their own list, and the policy comes from the settings."""
    override = tmp_path / "mapping.yaml"
    override.write_text("customer:\n  rows:\n    - {key: invoice_email, disabled: true}\n", encoding="utf-8")
    mapping = load_mapping(override)
    text = render(
        mapping, "rst", SyncPolicy(conflict_policy="manual", delete_policy="ignore"), overrides=override
    )
    doctree, warnings = _parse(text)
    assert warnings == ""
    sections = _sections(doctree)
    customer = _table(sections["Custom Webshop Customer to Tripletex Customer"])
    assert "invoiceEmail" not in [row[1] for row in customer]
    assert "invoiceEmail" in sections["Customer rows switched off"].astext()
    assert "stockOfGoods" in sections["Product rows switched off"].astext()
    assert "conflict_policy = manual" in text and "delete_policy = ignore" in text
    assert str(override) in text


def test_cli_prints_and_writes_the_document(tmp_path: Path) -> None:
    """``shopsync docs`` prints RST by default, honours --format, --out, --mapping and --config."""
    runner = CliRunner()
    result = runner.invoke(app, ["docs"])
    assert result.exit_code == 0, result.output
    assert "Custom Webshop Order to Tripletex Order" in result.output
    out = tmp_path / "dataflow.html"
    result = runner.invoke(app, ["docs", "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    (tmp_path / "mapping.yaml").write_text(
        "product:\n  rows:\n    - {key: stock, disabled: false}\n", encoding="utf-8"
    )
    config = tmp_path / "shopsync.yaml"
    config.write_text(
        "mapping: mapping.yaml\nconflict_policy: webshop_wins\nengine_only: 1\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["docs", "--config", str(config), "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "`stock_quantity` | `stockOfGoods`" in result.output
    assert "conflict\\_policy = webshop\\_wins" in result.output


def test_cli_reports_bad_files(tmp_path: Path) -> None:
    """A broken mapping or config file gives exit code 2 and the problem, not a traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent("customer:\n  rows:\n    - {key: x, webshop: email, tripletex: nope}\n"))
    result = CliRunner().invoke(app, ["docs", "--mapping", str(bad)])
    assert result.exit_code == 2
    assert "Customer has no property 'nope'" in result.output
    config = tmp_path / "config.yaml"
    config.write_text("conflict_policy: coin_toss\n")
    result = CliRunner().invoke(app, ["docs", "--config", str(config)])
    assert result.exit_code == 2 and "conflict_policy" in result.output


def test_blocks_are_documented_row_by_row(mapping: Mapping, rst: str) -> None:
    """Order lines appear as lines[] rows and the shipping line's rows say which line they are on."""
    block = next(e for e in mapping.entity("order").entries if isinstance(e, Block) and e.key == "lines")
    assert "lines[].quantity" in rst and "orderLines[].count" in rst and len(block.rows) == 7
    assert 'On the order line with description "Frakt".' in rst
