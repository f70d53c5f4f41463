"""Acceptance fixtures: the state database (SQLite file or PostgreSQL clone) and the kill-test report.

``state_location`` runs a test once on SQLite and once on PostgreSQL (a fresh clone of the migrated
template from ``tests.fixtures.postgres``), as the location string a config file holds. The figures
of every kill series are printed at the end of the run (kills, records checked, duplicates, lost edits).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from .killing import KillReport

_REPORTS: list[KillReport] = []


@pytest.fixture(params=["sqlite", "postgresql"])
def state_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the CLI keeps its state: a SQLite file, or a PostgreSQL database URL (password included)."""
    if request.param == "sqlite":
        return str(tmp_path / "state" / "shopsync.sqlite")
    url: URL = request.getfixturevalue("postgres_url")
    return url.render_as_string(hide_password=False)


@pytest.fixture
def kill_reports() -> list[KillReport]:
    """Where a kill series leaves its figures for the end-of-run summary."""
    return _REPORTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the figures of every kill series that ran."""
    if not _REPORTS:
        return
    terminalreporter.section("kill -9 series")
    for report in _REPORTS:
        terminalreporter.write_line(report.line())
