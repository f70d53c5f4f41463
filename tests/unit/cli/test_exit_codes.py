"""Exit codes of ``sync`` and ``status``: 0 in sync, 1 attention, 2 configuration/connection, 3 a bug."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from shopsync.cli import sync as sync_module
from shopsync.cli._common import ExitCode, classify
from shopsync.cli.main import app
from shopsync.config import ConfigError, ShopsyncConfig
from shopsync.connectors import webshop as ws
from shopsync.engine.errors import SyncStepFailed
from shopsync.engine.summary import PassSummary
from shopsync.mapping import MappingFileError, Problem
from shopsync.state import StateStore
from shopsync.tripletex import AuthError, RateLimited, ServerError, TransportError, ValidationFailed

SECRETS = {
    "SHOPSYNC_WEBSHOP_TOKEN": "shop-token-xyz",
    "SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN": "consumer-token-xyz",
    "SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN": "employee-token-xyz",
}


def chained(cause: BaseException) -> SyncStepFailed:
    """An engine step failure caused by ``cause``, as the engine raises it."""
    try:
        raise SyncStepFailed("detect", "customer") from cause
    except SyncStepFailed as exc:
        return exc


@pytest.mark.parametrize(
    "exc",
    [
        ConfigError("missing", key="webshop.token"),
        MappingFileError([Problem("mapping.yaml", None, "unknown row 'nmae'")]),
        TransportError("refused"),
        AuthError("401"),
        ValidationFailed("422", method="PUT", path="/token/session/:create"),
        RateLimited("429"),
        ServerError("503"),
        ws.TransportError("refused"),
        ws.Unauthorized("401"),
        ws.ServerError("503"),
        sa.exc.OperationalError("SELECT 1", {}, Exception("could not connect")),
        ConnectionRefusedError(111, "refused"),
        chained(TransportError("refused")),
        chained(sa.exc.OperationalError("SELECT 1", {}, Exception("gone"))),
    ],
    ids=lambda e: type(e).__name__,
)
def test_configuration_and_connection_errors_are_exit_2(exc: BaseException) -> None:
    """Config problems and unreachable or refusing systems, directly or as a step's cause, map to 2."""
    assert classify(exc) is ExitCode.CONFIG


@pytest.mark.parametrize(
    "exc",
    [KeyError("x"), chained(ZeroDivisionError()), ValidationFailed("422")],
    ids=lambda e: type(e).__name__,
)
def test_other_errors_are_internal(exc: BaseException) -> None:
    """A bug (or a record error that escaped the engine) is 3, never 1 ("finished") or 2."""
    assert classify(exc) is ExitCode.INTERNAL


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config for a shop and Tripletex that are never contacted (run_sync is replaced), with secrets set."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "shopsync.yaml"
    path.write_text("webshop: {url: 'http://127.0.0.1:9'}\ntripletex: {url: 'http://127.0.0.1:9/v2'}\n")
    return path


def summary(**attention: int) -> PassSummary:
    """A finished pass summary, with open issues on customers if given."""
    s = PassSummary(entities=("customer", "product", "order"), started_at=dt.datetime.now(dt.UTC))
    s.of("customer", "tripletex").created = 3
    if attention:
        s.attention = {"customer": dict(attention)}
    return s


def invoke_sync(
    config: Path, monkeypatch: pytest.MonkeyPatch, outcome: PassSummary | BaseException, *extra: str
) -> Result:
    """Run `shopsync sync` with the engine replaced by one that returns or raises ``outcome``."""

    async def fake_run(settings: ShopsyncConfig, *, allow_mass_delete: bool = False) -> PassSummary:
        assert settings.source == config
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    monkeypatch.setattr(sync_module, "run_sync", fake_run)
    return CliRunner().invoke(app, ["sync", "--config", str(config), *extra])


def test_sync_in_sync_is_0_and_prints_the_table(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass that leaves nothing open exits 0 and prints counts per entity and side."""
    result = invoke_sync(config_file, monkeypatch, summary())
    assert result.exit_code == 0, result.output
    assert "created" in result.output and "dead lettered" in result.output and "in sync" in result.output


def test_sync_with_dead_letters_is_1(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dead letters (or conflicts, reviews, waiting records) after the pass give exit 1."""
    result = invoke_sync(config_file, monkeypatch, summary(dead_letters=2))
    assert result.exit_code == 1, result.output
    assert "dead letters 2" in result.output


def test_sync_json_output(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--json prints the summary as JSON with the same exit code."""
    result = invoke_sync(config_file, monkeypatch, summary(conflicts=1), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["in_sync"] is False and data["counts"]["customer"]["tripletex"]["created"] == 3


def test_sync_connection_error_is_2_without_traceback(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unreachable system ends with one line naming it and exit 2."""
    result = invoke_sync(config_file, monkeypatch, chained(TransportError("connection refused")))
    assert result.exit_code == 2
    assert "Tripletex: connection refused" in result.output
    assert "Traceback" not in result.output


def test_sync_bug_is_3(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception exits 3 (with the traceback on stderr)."""
    result = invoke_sync(config_file, monkeypatch, KeyError("boom"))
    assert result.exit_code == 3


def test_sync_config_errors_are_2(tmp_path: Path) -> None:
    """A missing or invalid config file is exit 2 with the file named, before anything is contacted."""
    missing = CliRunner().invoke(app, ["sync", "--config", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "nope.yaml" in missing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("webshop: {url: 'http://x'}\nbatch_size: 0\n")
    invalid = CliRunner().invoke(app, ["sync", "--config", str(bad)])
    assert invalid.exit_code == 2 and "batch_size" in invalid.output


def test_sync_help_documents_exit_codes() -> None:
    """`sync --help` lists all exit codes."""
    result = CliRunner().invoke(app, ["sync", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for fragment in (
        "0 both sides are in sync",
        "1 finished, but records are dead-lettered",
        "2 configuration or connection error",
    ):
        assert fragment in text


def test_status_of_an_empty_state_creates_nothing(config_file: Path) -> None:
    """Before the first sync, status reports zeros, exits 0 and does not create the database."""
    result = CliRunner().invoke(app, ["status", "--config", str(config_file), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["last_pass"] is None
    assert data["entities"]["order"] == {
        "links": 0,
        "pending": 0,
        "conflicts": 0,
        "dead_letters": 0,
        "reviews": 0,
    }
    assert not (config_file.parent / "shopsync.sqlite").exists()


def test_status_reports_what_the_store_holds(config_file: Path) -> None:
    """Links, dead letters, reviews, cursors and the last pass come from the store; open issues exit 1."""
    with StateStore.open(config_file.parent / "shopsync.sqlite") as store:
        store.link("customer", "c-1", 101)
        store.link("customer", "c-2", 102)
        store.link("product", "p-1", 201)
        store.dead_letter("order", "webshop", "o-9", reason="customer.id: required", field="customer")
        store.add_review("customer", "webshop", "c-3", candidates=[103, 104])
        store.advance_cursor("webshop", "customer", "2026-05-01T10:00:00Z|c-2")
        pass_id = store.start_pass("sync")
        store.finish_pass(pass_id, "succeeded", {"note": "test"})
    result = CliRunner().invoke(app, ["status", "--config", str(config_file), "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["entities"]["customer"]["links"] == 2 and data["entities"]["product"]["links"] == 1
    assert data["entities"]["order"]["dead_letters"] == 1 and data["entities"]["customer"]["reviews"] == 1
    assert data["dead_letters"][0]["record_id"] == "o-9"
    assert data["dead_letters"][0]["reason"] == "customer.id: required"
    assert data["reviews"][0]["candidates"] == [103, 104]
    assert data["cursors"][0]["value"] == "2026-05-01T10:00:00Z|c-2"
    assert data["last_pass"]["status"] == "succeeded"
    table = CliRunner().invoke(app, ["status", "--config", str(config_file)])
    assert table.exit_code == 1
    assert "Dead letters" in table.output and "customer.id: required" in table.output


def test_status_exit_0_when_nothing_is_open(config_file: Path) -> None:
    """Links alone need no attention: exit 0."""
    with StateStore.open(config_file.parent / "shopsync.sqlite") as store:
        store.link("customer", "c-1", 101)
    result = CliRunner().invoke(app, ["status", "--config", str(config_file)])
    assert result.exit_code == 0, result.output


def test_sync_missing_secret_is_2_before_any_connection(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the real engine factory, an unset token is exit 2 naming its variable; nothing is opened."""
    monkeypatch.delenv("SHOPSYNC_WEBSHOP_TOKEN")
    result = CliRunner().invoke(app, ["sync", "--config", str(config_file)])
    assert result.exit_code == 2, result.output
    assert "webshop.token" in result.output and "SHOPSYNC_WEBSHOP_TOKEN" in result.output
    assert not (config_file.parent / "shopsync.sqlite").exists()
