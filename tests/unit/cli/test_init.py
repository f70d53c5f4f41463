"""``shopsync init``: a commented config that loads, holds no secret and is never overwritten by accident."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopsync.cli.main import app
from shopsync.config import ShopsyncConfig, load_config

URLS = ["--webshop-url", "http://127.0.0.1:8702", "--tripletex-url", "http://127.0.0.1:8701/v2"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["init", *URLS, *args])
    return result.exit_code, result.output


def test_init_writes_a_config_that_loads_with_the_defaults(tmp_path: Path) -> None:
    """The written file loads, has the given URLs, and otherwise the same values as an empty config."""
    out = tmp_path / "shopsync.yaml"
    code, output = run("--out", str(out))
    assert code == 0, output
    config = load_config(out, environ={})
    assert config.webshop.url == "http://127.0.0.1:8702"
    assert config.tripletex.url == "http://127.0.0.1:8701/v2"
    assert config.state == str(tmp_path / "shopsync.sqlite")
    defaults = ShopsyncConfig.model_validate(
        {"webshop": {"url": "http://127.0.0.1:8702"}, "tripletex": {"url": "http://127.0.0.1:8701/v2"}}
    )
    assert config.model_dump(exclude={"state"}) == defaults.model_dump(exclude={"state"})


def test_every_key_is_written_with_a_comment(tmp_path: Path) -> None:
    """Every config key appears in the file, each preceded by a comment line explaining it."""
    out = tmp_path / "shopsync.yaml"
    assert run("--out", str(out))[0] == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    written = {m[1] for line in lines if (m := re.match(r"^([a-z_]+):", line))}
    assert written == set(ShopsyncConfig.model_fields)
    for i, line in enumerate(lines):
        if re.match(r"^[a-z_]+:", line):
            assert lines[i - 1].startswith("#"), f"no comment above {line!r}"
    for name in (
        "SHOPSYNC_WEBSHOP_TOKEN",
        "SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN",
        "SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN",
    ):
        assert name in "\n".join(lines)


def test_init_never_writes_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets in the environment are not copied into the file, and no secret key is set in it."""
    secrets = {
        "SHOPSYNC_WEBSHOP_TOKEN": "shop-secret-abc",
        "SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN": "consumer-secret-abc",
        "SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN": "employee-secret-abc",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "shopsync.yaml"
    assert run("--out", str(out))[0] == 0
    text = out.read_text(encoding="utf-8")
    assert not any(value in text for value in secrets.values())
    config = load_config(out, environ={})
    assert config.webshop.token is None and config.tripletex.employee_token is None


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    """An existing file is kept (exit 2) unless --force is given."""
    out = tmp_path / "shopsync.yaml"
    out.write_text("# mine\n", encoding="utf-8")
    code, output = run("--out", str(out))
    assert code == 2 and "--force" in output
    assert out.read_text(encoding="utf-8") == "# mine\n"
    assert run("--out", str(out), "--force")[0] == 0
    assert load_config(out, environ={}).webshop.url == "http://127.0.0.1:8702"


def test_relative_state_is_rewritten_relative_to_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--state given relative to the working directory names the same file once read from the config."""
    monkeypatch.chdir(tmp_path)
    code, output = run("--out", "conf/shopsync.yaml", "--state", "data/state.db")
    assert code == 0, output
    assert load_config(tmp_path / "conf" / "shopsync.yaml", environ={}).state == str(
        tmp_path / "data" / "state.db"
    )


def test_postgres_state_is_kept(tmp_path: Path) -> None:
    """A postgresql:// state URL is written as given."""
    out = tmp_path / "shopsync.yaml"
    assert run("--out", str(out), "--state", "postgresql://shop@127.0.0.1:5432/shopsync")[0] == 0
    assert load_config(out, environ={}).state == "postgresql://shop@127.0.0.1:5432/shopsync"


def test_invalid_url_writes_nothing(tmp_path: Path) -> None:
    """A URL that sync would reject fails init with exit 2 and the key, and no file is written."""
    out = tmp_path / "shopsync.yaml"
    result = CliRunner().invoke(
        app,
        [
            "init",
            "--webshop-url",
            "shop.example",
            "--tripletex-url",
            "https://tripletex.no/v2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2
    assert "webshop.url" in result.output
    assert not out.exists()
