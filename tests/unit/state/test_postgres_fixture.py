"""The PostgreSQL test fixture: with no server, PG tests skip on a developer machine and fail under CI."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

import tests.fixtures.postgres as postgres
from shopsync.state.urls import state_url

ROOT = pathlib.Path(__file__).resolve().parents[3]
#: Nothing listens on port 1, so the connection is refused at once.
DEAD = "postgresql://postgres@127.0.0.1:1/test"
MESSAGE = "PostgreSQL at postgresql+psycopg://postgres@127.0.0.1:1/test is not available"


@pytest.fixture
def dead_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the fixture module at a server that is not there."""
    monkeypatch.setattr(postgres, "ADMIN_URL", state_url(DEAD))


@pytest.mark.usefixtures("dead_server")
def test_without_ci_an_unreachable_server_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a developer machine the PG tests are skipped, saying which server did not answer."""
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=re.escape(MESSAGE)):
        postgres.check_server()


@pytest.mark.usefixtures("dead_server")
def test_under_ci_an_unreachable_server_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """With CI set, the same situation is a failure, never a silent skip."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="because CI is set"):
        postgres.check_server()


def test_under_ci_a_postgres_test_is_reported_as_an_error(tmp_path: pathlib.Path) -> None:
    """End to end: a pytest run under CI with no server reports the PG test as an error with the reason."""
    test = tmp_path / "test_needs_postgres.py"
    test.write_text('def test_needs_postgres(postgres_url):\n    """Asks for a cloned database."""\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPSYNC_")}
    env |= {"SHOPSYNC_TEST_POSTGRES_URL": DEAD, "CI": "true"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.fixtures.postgres",
            "-p",
            "no:cacheprovider",
            str(test),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout
    assert MESSAGE in result.stdout
