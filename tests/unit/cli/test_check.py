"""``shopsync check``: one line per check; a problem is a ``fail`` line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from shopsync.cli.check import run_checks
from shopsync.cli.main import app


def test_an_unreadable_config_is_one_failing_line(tmp_path: Path) -> None:
    """A config that does not parse stops the checks after the first, with exit 2."""
    config = tmp_path / "shopsync.yaml"
    config.write_text("webshop: [not, a, mapping\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--config", str(config)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fail config") and "invalid YAML" in lines[0]
    data = json.loads(CliRunner().invoke(app, ["check", "--config", str(config), "--json"]).output)
    assert data["ok"] is False and [c["name"] for c in data["checks"]] == ["config"]


def test_missing_secrets_and_a_bad_mapping_are_named(tmp_path: Path) -> None:
    """Without tokens, both API checks fail naming the variable to set; a missing mapping file fails
    the mapping check; the state check passes (its folder is writable)."""
    config = tmp_path / "shopsync.yaml"
    config.write_text(
        'webshop: {url: "http://127.0.0.1:9"}\nmapping: nowhere.yaml\nstate: state/db.sqlite\n',
        encoding="utf-8",
    )
    checks = {c.name: c for c in run_checks(config)}
    assert checks["config"].status == "ok"
    assert checks["mapping"].status == "fail"
    assert checks["state"].status == "ok" and "created by the first sync" in checks["state"].detail
    assert checks["webshop"].status == "fail" and "SHOPSYNC_WEBSHOP_TOKEN" in checks["webshop"].detail
    assert checks["tripletex"].status == "fail" and "SHOPSYNC_TRIPLETEX_" in checks["tripletex"].detail
    assert not (tmp_path / "state").exists()
