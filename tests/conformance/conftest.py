"""Fixtures for the conformance tests: the loaded spec (or a skip), a recorder, and the session summary.

Only these tests may skip, and only because the spec file is absent: it is never committed. The terminal
summary prints the figures the closing note quotes (requests and responses validated, violations found).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import tripletex_spec_path

# The simulator fixtures live with the integration tests; importing them makes them available here.
from tests.integration.conftest import tripletex_sim, tripletex_sim_factory

from .recorder import STATS, Recorder
from .spec import LoadedSpec, spec_or_skip

__all__ = ["recorder", "tripletex_sim", "tripletex_sim_factory", "tripletex_spec"]

_loaded: list[LoadedSpec] = []


@pytest.fixture(scope="session")
def tripletex_spec() -> LoadedSpec:
    """The official spec, pruned, normalised and loaded once per session; skips when the file is absent."""
    loaded = spec_or_skip(tripletex_spec_path())
    if not _loaded:
        _loaded.append(loaded)
    return loaded


@pytest.fixture
def recorder(tripletex_spec: LoadedSpec) -> Iterator[Recorder]:
    """A recorder whose traffic must conform; what a test did not verify itself is verified at teardown."""
    rec = Recorder(tripletex_spec.openapi)
    yield rec
    if rec.unverified:
        rec.verify()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the conformance figures: how much traffic was validated and how many violations it had."""
    if not _loaded and not STATS.requests_validated:
        return
    write = terminalreporter.write_line
    terminalreporter.write_sep("=", "Tripletex conformance")
    if _loaded:
        spec = _loaded[0]
        write(
            f"spec {spec.version} ({spec.path.name}): loaded, pruned to {spec.schema_count} schemas "
            f"and normalised in {spec.seconds:.2f} s"
        )
    write(f"responses validated: {STATS.responses_validated}, violations: {STATS.response_violations}")
    write(f"requests validated: {STATS.requests_validated}, violations: {STATS.request_violations}")
    if STATS.deliberately_invalid_requests:
        write(
            f"  of which sent invalid on purpose (to provoke an error; they must break the spec): "
            f"{STATS.deliberately_invalid_requests}"
        )
    if STATS.by_operation:
        parts = ", ".join(f"{key}: {n}" for key, n in sorted(STATS.by_operation.items()))
        write(f"by method and status: {parts}")
