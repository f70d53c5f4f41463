"""The committed ``_schema.py`` and ``_models.py`` are exactly what ``make gen`` makes of the spec."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType

import pytest

from shopsync.tripletex import _schema
from tests.conftest import ROOT

from .spec import LoadedSpec

GENERATOR = ROOT / "scripts" / "gen_tripletex_schema.py"
OUT_DIR = ROOT / "src" / "shopsync" / "tripletex"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    """The generator script, imported as a module (``scripts/`` is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_tripletex_schema", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ruff_format(source: str, filename: str) -> str:
    """``source`` as ``ruff format`` would write it to ``filename`` (the project's settings apply)."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", filename, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return done.stdout


def test_schema_facts_match_the_spec(tripletex_spec: LoadedSpec, generator: ModuleType) -> None:
    """``SCHEMAS`` and ``SPEC_VERSION`` equal what the generator builds from the spec today."""
    assert generator.build(tripletex_spec.raw) == _schema.SCHEMAS
    expected_version = f"Tripletex API v2 spec {tripletex_spec.version}"
    assert expected_version == _schema.SPEC_VERSION


@pytest.mark.parametrize("name", ["_schema.py", "_models.py"])
def test_committed_modules_are_the_generators_output(
    tripletex_spec: LoadedSpec, generator: ModuleType, name: str
) -> None:
    """Each generated module, once ruff-formatted, is byte for byte the committed file: run ``make gen``."""
    data = generator.build(tripletex_spec.raw)
    source = f"Tripletex API v2 spec {tripletex_spec.version}"
    render = generator.render_schema if name == "_schema.py" else generator.render_models
    path = OUT_DIR / name
    expected = ruff_format(render(data, source), str(path.relative_to(ROOT)))
    assert path.read_text(encoding="utf-8") == expected, f"{name} is stale: run `make gen`"
