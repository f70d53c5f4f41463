"""A Tripletex API v2 simulator faithful to the official spec (2.74.00) and to real servers' behaviour.

Quick start::

    from shopsync.simulators.tripletex import SimulatorConfig, create_app
    app = create_app(SimulatorConfig(seed=1, customers=50))   # FastAPI: API under /v2, admin under /_sim

or from the shell: ``shopsync sim tripletex --seed 1``. Data lives in SQLite (in memory unless
``db`` is set); ``/_sim/stats``, ``/_sim/faults`` and ``/_sim/reset`` drive tests.
"""

from shopsync.simulators.tripletex.app import SimulatorApp, create_app
from shopsync.simulators.tripletex.config import DEFAULT_RATE_LIMIT, DEFAULT_RATE_PERIOD, SimulatorConfig

__all__ = ["DEFAULT_RATE_LIMIT", "DEFAULT_RATE_PERIOD", "SimulatorApp", "SimulatorConfig", "create_app"]
