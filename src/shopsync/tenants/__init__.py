"""The shops of a multi-tenant installation: who they are, their configs sealed at rest.

Quick start::

    from shopsync.tenants import RateLimit, SecretBox, TenantRegistry, TenantStatus

    box = SecretBox.from_env()                         # SHOPSYNC_SECRET_KEY (Fernet)
    with TenantRegistry.open("postgresql://…") as registry:
        registry.add("shop-17", config, box, rate_limit=RateLimit(100, 60.0))
        registry.set_status("shop-17", TenantStatus.PAUSED)
        for tenant in registry.all():
            print(tenant.name, tenant.status, tenant.rate_limit)
        config = registry.config("shop-17", box)      # the ShopsyncConfig, credentials opened

One module per job: ``records`` (``Tenant``, ``TenantStatus``, ``RateLimit``, name rules),
``sealing`` (``SecretBox``: Fernet with ``SHOPSYNC_SECRET_KEY``), ``documents`` (a config as a
self-contained document and back), ``registry`` (the ``tenants`` table), ``errors``.
The workers that sync the tenants are ``shopsync.jobs``.
"""

from .documents import config_document, tenant_config
from .errors import (
    InvalidTenantName,
    SecretKeyError,
    TenantError,
    TenantExists,
    TenantPaused,
    UnknownTenant,
)
from .records import RateLimit, Tenant, TenantStatus, check_name
from .registry import TenantRegistry
from .sealing import KEY_ENV, SecretBox, generate_key

__all__ = [
    "KEY_ENV",
    "InvalidTenantName",
    "RateLimit",
    "SecretBox",
    "SecretKeyError",
    "Tenant",
    "TenantError",
    "TenantExists",
    "TenantPaused",
    "TenantRegistry",
    "TenantStatus",
    "UnknownTenant",
    "check_name",
    "config_document",
    "generate_key",
    "tenant_config",
]
