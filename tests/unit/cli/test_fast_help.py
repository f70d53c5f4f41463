"""``shopsync --help`` builds the command line without importing the library, and lists every command."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from shopsync.cli import _lazy
from shopsync.cli.main import app

#: Modules that make start-up slow; no command may import them before it runs.
HEAVY = (
    "sqlalchemy",
    "fastapi",
    "uvicorn",
    "pydantic",
    "httpx2",
    "shopsync.config",
    "shopsync.engine",
    "shopsync.server",
    "shopsync.daemon",
    "shopsync.simulators",
    "shopsync.state",
    "shopsync.tripletex",
    "shopsync.connectors",
    "shopsync.mapping",
)
COMMANDS = (
    "init",
    "check",
    "plan",
    "sync",
    "run",
    "status",
    "links",
    "conflicts",
    "dead-letters",
    "replay",
    "reviews",
    "docs",
    "sim",
    "demo",
)


def test_building_the_command_line_imports_nothing_heavy() -> None:
    """Importing the CLI (what `shopsync --help` does) loads none of the heavy modules."""
    code = "import sys, shopsync.cli.main; print('\\n'.join(sorted(sys.modules)))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert not [
        m for m in loaded if m.split(".")[0] in HEAVY or any(m.startswith(h + ".") or m == h for h in HEAVY)
    ]


def test_help_lists_every_command() -> None:
    """Every command of issue 7 is registered."""
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f" {command} " in result.output, command


def test_spelled_out_facts_match_their_sources() -> None:
    """The constants kept in ``cli._lazy`` for fast help still equal the library's."""
    from shopsync.config import DEFAULT_STATE, ENTITIES
    from shopsync.simulators.tripletex import DEFAULT_RATE_LIMIT, DEFAULT_RATE_PERIOD

    assert _lazy.ENTITIES == ENTITIES
    assert _lazy.DEFAULT_STATE == DEFAULT_STATE
    assert (_lazy.TRIPLETEX_SIM_RATE_LIMIT, _lazy.TRIPLETEX_SIM_RATE_PERIOD) == (
        DEFAULT_RATE_LIMIT,
        DEFAULT_RATE_PERIOD,
    )
