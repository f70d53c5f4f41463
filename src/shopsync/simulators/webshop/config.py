"""Settings of one reference webshop: data set, credentials, webhooks and the fault knobs.

Every knob is a documented field so tests, the CLI and benchmarks can say exactly which shop they
want. Defaults give a well-behaved, fast, empty shop that quotes prices including VAT.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

__all__ = ["WebshopConfig"]


class WebshopConfig(BaseModel):
    """How the reference webshop behaves. The token and webhook secret never appear in a repr."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int | None = None
    """Seed of the generated Norwegian data set; None starts an empty shop."""
    customers: int = Field(default=200, ge=0)
    """Customers generated when ``seed`` is set (about one in four is a company)."""
    products: int = Field(default=100, ge=0)
    """Products generated when ``seed`` is set, across the 25/15/12/0 % VAT rates."""
    orders: int = Field(default=300, ge=0)
    """Orders (each with 1-5 lines and shipping) generated when ``seed`` is set."""
    token: SecretStr = SecretStr("sim-webshop")
    """The bearer token every ``/api/v1`` request must carry."""
    shop_name: str = "Nordlys Nettbutikk"
    """Name reported by ``GET /api/v1/shop``."""
    currency: str = Field(default="NOK", pattern=r"^[A-Z]{3}$")
    """Shop currency: the default for products and orders."""
    prices_include_vat: bool = True
    """Whether product prices, line unit prices and shipping costs include VAT."""
    webhook_url: str | None = None
    """A webhook subscription (all events) registered at start-up, as ``--webhook-url`` does."""
    webhook_secret: SecretStr | None = None
    """HMAC secret of the start-up subscription; required with ``webhook_url``."""
    webhook_retry_delays: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
    """Seconds to wait before each retry of a failed delivery (so 1 + len attempts in all)."""
    webhook_timeout: float = Field(default=5.0, gt=0)
    """Seconds a receiver gets to answer one delivery attempt."""
    latency_ms: int = Field(default=0, ge=0)
    """Delay added to every ``/api/v1`` request."""
    fail_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of ``/api/v1`` requests answered with 503 before any work is done."""
    db: Path | None = None
    """SQLite file holding the data; None keeps it in memory (lost when the process ends)."""
    idempotency_ttl_hours: float = Field(default=48.0, ge=24.0)
    """How long Idempotency-Keys are remembered (the contract promises at least 24 hours)."""

    @model_validator(mode="after")
    def _webhook_pair(self) -> WebshopConfig:
        if (self.webhook_url is None) != (self.webhook_secret is None):
            raise ValueError("webhook_url and webhook_secret go together")
        return self
