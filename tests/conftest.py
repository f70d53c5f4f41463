"""Test-wide fixtures: a clean environment for every test and the location of the Tripletex spec."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator

import pytest
import structlog

pytest_plugins = ["tests.fixtures.webshop", "tests.fixtures.postgres"]

ROOT = pathlib.Path(__file__).resolve().parent.parent


def tripletex_spec_path() -> pathlib.Path | None:
    """The official spec: ``$TRIPLETEX_OPENAPI``, else ``../shared/tripletex/openapi.json``, else None."""
    env = os.environ.get("TRIPLETEX_OPENAPI")
    candidates = [pathlib.Path(env)] if env else []
    candidates.append(ROOT.parent / "shared" / "tripletex" / "openapi.json")
    return next((p for p in candidates if p.is_file()), None)


@pytest.fixture(autouse=True)
def _clean_shopsync_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees SHOPSYNC_* settings from the developer's shell."""
    for key in list(os.environ):
        if key.startswith("SHOPSYNC_"):
            monkeypatch.delenv(key)
    yield


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    """A CLI test's ``configure_logging`` (level, stream) never leaks into the next test."""
    yield
    structlog.reset_defaults()
