"""Settings of the Tripletex client, read from ``SHOPSYNC_TRIPLETEX_*`` environment variables.

Tokens are ``SecretStr`` so that they never show in a repr, a log line or an error message.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["TripletexSettings"]


class TripletexSettings(BaseSettings):
    """How to reach and treat one Tripletex account."""

    model_config = SettingsConfigDict(env_prefix="SHOPSYNC_TRIPLETEX_", extra="ignore", frozen=True)

    base_url: str = "https://tripletex.no/v2"
    """API root including ``/v2`` (test environment: ``https://api-test.tripletex.tech/v2``)."""
    consumer_token: SecretStr
    """Issued by Tripletex to this integration."""
    employee_token: SecretStr
    """Created by an administrator of the customer's account for this integration."""
    company_id: int = Field(default=0, ge=0)
    """Basic-auth user name: 0 is the employee token's own company, else an accountant's client."""

    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=60.0, gt=0)
    write_timeout: float = Field(default=30.0, gt=0)
    pool_timeout: float = Field(default=30.0, gt=0)
    max_connections: int = Field(default=8, ge=1)
    keepalive_expiry: float = Field(default=4.0, ge=0)
    """Below the usual 5 s server keep-alive, so a POST never lands on a connection the server just closed
    (which would look like an ambiguous write)."""

    session_lifetime_days: int = Field(default=1, ge=1)
    """The session's ``expirationDate`` is today (Oslo time) plus this many days."""
    session_renew_margin_seconds: float = Field(default=3600.0, ge=0)
    """Create a new session this long before the current one expires."""

    page_size: int = Field(default=1000, ge=1, le=10000)
    """``count`` per page when iterating a list."""
    batch_size: int = Field(default=100, ge=1, le=100)
    """Objects per ``POST/PUT …/list`` call (``/order/list`` allows at most 100)."""
    id_block_size: int = Field(default=500, ge=1, le=10000)
    """Ids per sub-query when a list is split by id blocks (bounded by URL length)."""

    rate_limit_safety_margin: int = Field(default=2, ge=0)
    """Keep this many requests of the period's allowance unused (other clients share the limit)."""
    rate_limit_backoff_initial: float = Field(default=0.25, gt=0)
    """Wait after a 429 when the end of the period is unknown; doubles on each further 429."""
    rate_limit_backoff_max: float = Field(default=30.0, gt=0)
    rate_limit_max_wait: float = Field(default=900.0, gt=0)
    """Give up a single call after it waited this long in total for 429s (a run never fails sooner)."""

    retry_attempts: int = Field(default=5, ge=1)
    """Attempts for a call failing with 5xx or transport errors (where retrying is safe)."""
    retry_wait_initial: float = Field(default=0.2, ge=0)
    retry_wait_max: float = Field(default=10.0, ge=0)

    user_agent: str = "shopsync-tripletex/0.1"
