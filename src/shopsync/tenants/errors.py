"""The tenant registry's errors, one small tree rooted in ``TenantError``.

```
TenantError
├── InvalidTenantName   a name that cannot be a tenant (empty, spaces, too long …)
├── UnknownTenant       no tenant registered under that name
├── TenantExists        ``add`` of a name already registered (without ``replace``)
├── TenantPaused        the tenant is paused: its jobs are skipped until it is resumed
└── SecretKeyError      SHOPSYNC_SECRET_KEY is missing, malformed, or not the key a config was sealed with
```

The class docstring is the message when none is given; none of them ever carries a secret.
"""

from __future__ import annotations

__all__ = [
    "InvalidTenantName",
    "SecretKeyError",
    "TenantError",
    "TenantExists",
    "TenantPaused",
    "UnknownTenant",
]


class TenantError(Exception):
    """The tenant registry cannot do what was asked."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (type(self).__doc__ or "").strip())


class InvalidTenantName(TenantError, ValueError):
    """A tenant name is 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit."""


class UnknownTenant(TenantError, LookupError):
    """No tenant is registered under this name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no tenant {name!r} is registered (see `shopsync tenants list`)")


class TenantExists(TenantError):
    """A tenant with this name is already registered."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"tenant {name!r} is already registered (use --replace to update it)")


class TenantPaused(TenantError):
    """The tenant is paused: nothing is synced for it until ``shopsync tenants resume``."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"tenant {name!r} is paused")


class SecretKeyError(TenantError):
    """SHOPSYNC_SECRET_KEY is missing, malformed, or not the key the tenants' configs were sealed with."""
