"""Integration fixtures: the Tripletex simulator served by uvicorn on a real socket.

``tripletex_sim_factory(**overrides)`` starts a simulator with ``SimulatorConfig(**overrides)`` and stops
it when the test ends; ``tripletex_sim`` is one with the default config (reference data only, no
seeded customers, a rate limit too large to matter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI

from shopsync.simulators.serve import serve_in_thread
from shopsync.simulators.tripletex import SimulatorConfig, create_app


@dataclass(frozen=True)
class SimHandle:
    """A running simulator: ``url`` is the root (admin API at ``/_sim``), ``api_url`` the ``/v2`` base."""

    url: str
    api_url: str
    config: SimulatorConfig
    app: FastAPI


SimFactory = Callable[..., SimHandle]


@pytest.fixture
def tripletex_sim_factory() -> Iterator[SimFactory]:
    """Start simulators with config overrides; every one is stopped at the end of the test."""
    with ExitStack() as stack:

        def start(**overrides: Any) -> SimHandle:
            config = SimulatorConfig(**overrides)
            app = create_app(config)
            url = stack.enter_context(serve_in_thread(app))
            return SimHandle(url=url, api_url=url + "/v2", config=config, app=app)

        yield start


@pytest.fixture
def tripletex_sim(tripletex_sim_factory: SimFactory) -> SimHandle:
    """A simulator with the default config: reference data only, default tokens, no faults."""
    return tripletex_sim_factory()
