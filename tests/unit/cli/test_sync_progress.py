"""``shopsync sync`` progress bars: one per entity on a terminal's stderr; none with --json or in a pipe."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from shopsync.cli import sync as sync_module
from shopsync.cli.main import app
from shopsync.config import ShopsyncConfig
from shopsync.engine import ProgressCallback, ProgressEvent
from shopsync.engine.summary import PassSummary

SECRETS = {
    "SHOPSYNC_WEBSHOP_TOKEN": "shop-token-xyz",
    "SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN": "consumer-token-xyz",
    "SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN": "employee-token-xyz",
}

#: What a small pass reports: customers read, then created batch by batch; products with nothing to do.
EVENTS = [
    ProgressEvent("customer", "detect", 0, None),
    ProgressEvent("customer", "detect", 0, 30),
    ProgressEvent("customer", "create", 10, 30),
    ProgressEvent("customer", "create", 20, 30),
    ProgressEvent("customer", "done", 30, 30),
    ProgressEvent("product", "detect", 0, None),
    ProgressEvent("product", "done", 12, 12),
]


#: Cursor movements and line erasing of a live display.
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def screen_lines(output: str) -> list[str]:
    """What a terminal showed, line by line (each redraw of the bars is a line of its own here)."""
    return [line.strip() for line in re.split(r"[\r\n]", CONTROL.sub("", output)) if line.strip()]


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config for systems that are never contacted (``run_sync`` is replaced), secrets set."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "shopsync.yaml"
    path.write_text("webshop: {url: 'http://127.0.0.1:9'}\ntripletex: {url: 'http://127.0.0.1:9/v2'}\n")
    return path


def run(
    config: Path, monkeypatch: pytest.MonkeyPatch, *, terminal: bool, extra: tuple[str, ...] = ()
) -> tuple[Result, str, list[ProgressCallback | None]]:
    """`shopsync sync` with stderr a (forced) terminal or not and an engine that reports ``EVENTS``;
    the result, what stderr's console received, and the progress callbacks the engine was given."""
    stderr = io.StringIO()
    console = Console(file=stderr, force_terminal=terminal, width=100, color_system=None)
    monkeypatch.setattr(sync_module, "err_console", console)
    given: list[ProgressCallback | None] = []

    async def fake_run(
        settings: ShopsyncConfig, *, allow_mass_delete: bool = False, progress: ProgressCallback | None = None
    ) -> PassSummary:
        given.append(progress)
        for event in EVENTS:
            if progress is not None:
                progress(event)
        summary = PassSummary(entities=("customer", "product"), started_at=dt.datetime.now(dt.UTC))
        summary.of("customer", "tripletex").created = 30
        return summary

    monkeypatch.setattr(sync_module, "run_sync", fake_run)
    result = CliRunner().invoke(app, ["sync", "--config", str(config), *extra])
    return result, stderr.getvalue(), given


def test_a_terminal_gets_one_bar_per_entity(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each entity's bar ends at its settled/total records; the summary still goes to stdout."""
    result, stderr, given = run(config_file, monkeypatch, terminal=True)
    assert result.exit_code == 0, result.output
    assert given[0] is not None
    lines = screen_lines(stderr)
    customer = [line for line in lines if line.startswith("customer")]
    product = [line for line in lines if line.startswith("product")]
    assert customer and "30/30" in customer[-1] and "done" in customer[-1]
    assert product and "12/12" in product[-1]
    assert "in sync" in result.stdout and "created" in result.stdout


def test_json_output_draws_no_bars(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--json on a terminal: no progress callback, nothing on stderr, stdout is pure JSON."""
    result, stderr, given = run(config_file, monkeypatch, terminal=True, extra=("--json",))
    assert result.exit_code == 0, result.output
    assert given == [None] and stderr == ""
    assert json.loads(result.stdout)["counts"]["customer"]["tripletex"]["created"] == 30


def test_off_a_terminal_nothing_changes(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """stderr piped or logged: no progress callback and no output but the summary."""
    result, stderr, given = run(config_file, monkeypatch, terminal=False)
    assert result.exit_code == 0, result.output
    assert given == [None] and stderr == ""
    assert "in sync" in result.stdout
