"""Settings of one Tripletex simulator instance: data set, credentials, and the fault knobs.

Every knob is a documented field so tests, the CLI and benchmarks can say exactly which kind of
misbehaving Tripletex they want. Defaults give a well-behaved, fast, empty simulator.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["DEFAULT_RATE_LIMIT", "DEFAULT_RATE_PERIOD", "SimulatorConfig"]

#: Requests allowed per rate-limit period unless configured. Large on purpose: the real sandbox
#: allows about 100, but tests and benchmarks must never be slowed down by a limit they did not ask for.
DEFAULT_RATE_LIMIT = 1_000_000
#: Length of one rate-limit period in seconds.
DEFAULT_RATE_PERIOD = 60.0


class SimulatorConfig(BaseModel):
    """How the simulated Tripletex behaves. Tokens are secrets and never appear in a repr."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int | None = None
    """Seed of the generated Norwegian data set; None starts with reference data only."""
    customers: int = Field(default=200, ge=0)
    """Customers generated when ``seed`` is set."""
    products: int = Field(default=100, ge=0)
    """Products generated when ``seed`` is set."""
    orders: int = Field(default=300, ge=0)
    """Orders (each with 1-5 lines) generated when ``seed`` is set."""
    latency_ms: int = Field(default=0, ge=0)
    """Delay added to every ``/v2`` request."""
    rate_limit: int = Field(default=DEFAULT_RATE_LIMIT, ge=1)
    """Requests allowed per period; after that every request gets 429 until the period ends."""
    rate_period: float = Field(default=DEFAULT_RATE_PERIOD, gt=0)
    """Length of a rate-limit period in seconds (a period starts with its first request)."""
    fail_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of ``/v2`` requests answered with a random 5xx (JSON or an HTML page) before any work."""
    consumer_token: SecretStr = SecretStr("sim-consumer")
    """The consumer token ``/token/session/:create`` accepts."""
    employee_token: SecretStr = SecretStr("sim-employee")
    """The employee token ``/token/session/:create`` accepts."""
    db: Path | None = None
    """SQLite file holding the data; None keeps it in memory (lost when the process ends)."""
    max_result_size: int = Field(default=10_000, ge=1)
    """A list query matching more rows than this answers 422 code 23000, as Tripletex does at 10,000."""
    public_host: str | None = None
    """Host written into ``url`` fields (``<host>/v2/customer/1``); None uses the request's Host header."""
    webhook_retry_delays: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
    """Seconds to wait before each retry of a failed webhook callback (so 1 + len attempts in all)."""
    webhook_timeout: float = Field(default=5.0, gt=0)
    """Seconds a webhook receiver gets to answer one callback."""
    webhook_disable_after: int = Field(default=3, ge=1)
    """Consecutive callbacks failing every attempt before the subscription is DISABLED_TOO_MANY_ERRORS."""
    company_id: int = 1_234_567
    """Id of the company the session acts for (Basic auth user ``0`` or this id)."""
