"""What the registry holds about one tenant (``Tenant``) and the states a tenant can be in."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidTenantName

__all__ = ["TENANT_NAME", "RateLimit", "Tenant", "TenantStatus", "check_name"]

#: Tenant names end up in job locks, log lines and URLs: keep them plain.
TENANT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


def check_name(name: str) -> str:
    """``name`` if it can be a tenant name, else ``InvalidTenantName`` saying why."""
    if not TENANT_NAME.fullmatch(name):
        raise InvalidTenantName(
            f"{name!r} is not a tenant name: use 1-63 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


class TenantStatus(enum.StrEnum):
    """Whether the workers sync a tenant."""

    #: Synced: its jobs run and the periodic polls include it.
    ACTIVE = "active"
    #: Registered but left alone: its jobs are skipped and the periodic polls pass it by.
    PAUSED = "paused"


@dataclass(frozen=True)
class RateLimit:
    """A Tripletex allowance: at most ``limit`` requests in any ``period`` seconds."""

    limit: int
    period: float

    def __post_init__(self) -> None:
        if self.limit < 1 or self.period <= 0:
            raise ValueError(f"a rate limit needs limit >= 1 and period > 0, not {self.limit}/{self.period}")

    def __str__(self) -> str:
        return f"{self.limit}/{self.period:g}s"


@dataclass(frozen=True)
class Tenant:
    """One registered shop. ``sealed_config`` is its encrypted config (never shown in a repr)."""

    name: str
    status: TenantStatus
    webshop_url: str
    tripletex_url: str
    rate_limit: RateLimit | None
    created_at: dt.datetime
    updated_at: dt.datetime
    sealed_config: str = field(repr=False)

    @property
    def active(self) -> bool:
        """Whether the workers sync it."""
        return self.status is TenantStatus.ACTIVE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, without the sealed config."""
        return {
            "name": self.name,
            "status": str(self.status),
            "webshop_url": self.webshop_url,
            "tripletex_url": self.tripletex_url,
            "rate_limit": None
            if self.rate_limit is None
            else {"limit": self.rate_limit.limit, "period": self.rate_limit.period},
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }
