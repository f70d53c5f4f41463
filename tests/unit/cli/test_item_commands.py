"""``links``, ``conflicts``, ``dead-letters`` and ``reviews`` read the state store: tables, ``--json``,
exit codes (0 nothing open, 1 something waits for a person, 2 bad input or configuration)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from shopsync.cli.main import app
from shopsync.state import StateStore


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config whose state is a SQLite file in ``tmp_path`` (not created yet)."""
    path = tmp_path / "shopsync.yaml"
    path.write_text('webshop: {url: "http://127.0.0.1:9"}\nstate: state.sqlite\n', encoding="utf-8")
    return path


@pytest.fixture
def store(config: Path) -> StateStore:
    """The config's state, holding two links, a conflict, a dead letter and a review item."""
    store = StateStore.open(config.parent / "state.sqlite")
    store.link("customer", "c-1", 4711)
    store.link("product", "p-9", 812)
    store.record_conflict(
        "customer",
        "c-1",
        4711,
        "name",
        base="Old AS",
        webshop_value="Shop AS",
        tripletex_value="Tx AS",
        policy="manual",
    )
    store.dead_letter("product", "webshop", "p-7", "422: name is taken", field="name", payload={"name": "Te"})
    store.add_review("customer", "webshop", "c-2", [101, 102])
    return store


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_nothing_synced_yet_lists_nothing_and_creates_no_database(config: Path) -> None:
    """Before the first sync every list is empty (exit 0) and no state file appears."""
    for command in ("links", "conflicts", "dead-letters", "reviews"):
        result = invoke(command, "--config", str(config), "--json")
        assert (result.exit_code, json.loads(result.output)) == (0, []), command
    assert not (config.parent / "state.sqlite").exists()


def test_links_as_json_and_by_entity(config: Path, store: StateStore) -> None:
    """Every link, or one entity's; an unknown entity is refused with exit 2."""
    result = invoke("links", "--config", str(config), "--json")
    assert result.exit_code == 0
    assert [(r["entity"], r["webshop_id"], r["tripletex_id"]) for r in json.loads(result.output)] == [
        ("customer", "c-1", 4711),
        ("product", "p-9", 812),
    ]
    only = json.loads(invoke("links", "--config", str(config), "--entity", "product", "--json").output)
    assert [r["webshop_id"] for r in only] == ["p-9"]
    bad = invoke("links", "--config", str(config), "--entity", "invoice")
    assert bad.exit_code == 2 and "unknown entity 'invoice'" in bad.output
    table = invoke("links", "--config", str(config))
    assert "4711" in table.output and "p-9" in table.output


def test_open_items_are_listed_with_exit_1(config: Path, store: StateStore) -> None:
    """A conflict, a dead letter and a review item: each list shows it and exits 1."""
    conflicts = invoke("conflicts", "--config", str(config), "--json")
    assert conflicts.exit_code == 1
    [conflict] = json.loads(conflicts.output)
    assert (conflict["field"], conflict["webshop_value"], conflict["tripletex_value"]) == (
        "name",
        "Shop AS",
        "Tx AS",
    )
    letters = invoke("dead-letters", "--config", str(config))
    assert letters.exit_code == 1 and "422: name is taken" in letters.output
    reviews = json.loads(invoke("reviews", "--config", str(config), "--json").output)
    assert reviews[0]["candidates"] == [101, 102]
    assert invoke("conflicts", "--config", str(config), "--entity", "order").exit_code == 0


def test_dead_letter_show_prints_the_payload(config: Path, store: StateStore) -> None:
    """`dead-letters show ID` prints reason and payload; an unknown id is exit 2 in one line."""
    [letter] = store.open_dead_letters()
    shown = invoke("dead-letters", "show", str(letter.id), "--config", str(config), "--json")
    assert shown.exit_code == 0
    assert json.loads(shown.output)["payload"] == {"name": "Te"}
    text = invoke("dead-letters", "--config", str(config), "show", str(letter.id))
    assert text.exit_code == 0 and '"name": "Te"' in text.output
    missing = invoke("dead-letters", "show", "999", "--config", str(config))
    assert missing.exit_code == 2 and "no dead letter with id 999" in missing.output


def test_config_is_required_and_bad_input_refused(tmp_path: Path) -> None:
    """No --config: exit 2 with a hint; `reviews resolve` needs exactly one decision; `replay` needs
    ids or --all."""
    assert invoke("conflicts").exit_code == 2
    assert "--config" in invoke("dead-letters").output
    both = invoke("reviews", "resolve", "3", "--create", "--dismiss", "--config", str(tmp_path / "x.yaml"))
    assert both.exit_code == 2 and "exactly one of" in both.output
    neither = invoke("replay", "--config", str(tmp_path / "x.yaml"))
    assert neither.exit_code == 2 and "--all" in neither.output
