"""Everything one running simulator owns, wired together once per app."""

from __future__ import annotations

from dataclasses import dataclass

from shopsync.simulators.tripletex.config import SimulatorConfig
from shopsync.simulators.tripletex.faults import Faults
from shopsync.simulators.tripletex.ratelimit import RateLimiter
from shopsync.simulators.tripletex.seed import seed_data
from shopsync.simulators.tripletex.sessions import Sessions
from shopsync.simulators.tripletex.state import Simulator
from shopsync.simulators.tripletex.stats import Stats
from shopsync.simulators.tripletex.webhooks import Dispatcher

__all__ = ["Runtime", "build_runtime"]


@dataclass
class Runtime:
    """The parts routes, middleware and admin share."""

    config: SimulatorConfig
    sim: Simulator
    sessions: Sessions
    stats: Stats
    faults: Faults
    limiter: RateLimiter
    dispatcher: Dispatcher

    def reset(self) -> None:
        """Clear data, counters and faults, and seed again if configured (sessions stay valid)."""
        self.dispatcher.forget()
        self.sim.reset()
        if self.config.seed is not None:
            seed_data(self.sim, self.config)
        self.stats.reset()
        self.faults.clear()
        self.limiter.reset()


def build_runtime(config: SimulatorConfig) -> Runtime:
    """A fresh simulator for ``config`` (seeded when ``config.seed`` is set and the store is empty)."""
    sim = Simulator(config)
    stats = Stats()
    runtime = Runtime(
        config=config,
        sim=sim,
        sessions=Sessions(sim),
        stats=stats,
        faults=Faults(config.fail_rate, config.seed),
        limiter=RateLimiter(config.rate_limit, config.rate_period),
        dispatcher=Dispatcher(sim, stats),
    )
    if config.seed is not None and not sim.store.count("Customer", "1=1", ()):
        seed_data(sim, config)
    return runtime
