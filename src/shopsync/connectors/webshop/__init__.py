"""The webshop connector: the shopsync contract over HTTP, adapted to other shop APIs by configuration.

Quickstart::

    from shopsync.connectors.webshop import WebshopConnector, WebshopAPIConfig, load_preset

    contract = WebshopAPIConfig(base_url="http://127.0.0.1:8702", auth={"token": "sim-webshop"})
    woo = load_preset("woocommerce", base_url="https://shop.example",
                      auth={"username": "${WOO_KEY}", "password": "${WOO_SECRET}"})
    async with WebshopConnector(woo) as shop:
        async for page in shop.changes("products", cursor=None):
            ...

Modules: ``models`` (the contract's records), ``_config`` (``WebshopAPIConfig``), ``_presets`` (YAML
and shipped presets), ``_mapping`` (field mapping both ways), ``_expr`` (computed fields), ``_http``
(pacing, retries, errors), ``_paging`` and ``_feed`` (pagination styles, the change feed),
``_webhooks`` (signature checks), ``_client`` (``WebshopConnector``), ``_exceptions`` (the error tree).
"""

from ._client import WebshopConnector
from ._config import (
    AuthConfig,
    ChangeFeedConfig,
    ErrorFormat,
    FieldSpec,
    PacingConfig,
    PaginationConfig,
    ResourceConfig,
    RetryConfig,
    SettingsSource,
    WebhookConfig,
    WebshopAPIConfig,
)
from ._exceptions import (
    AmbiguousWriteError,
    ApiError,
    ConfigError,
    Conflict,
    MappingError,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServerError,
    Terminal,
    Transient,
    TransportError,
    Unauthorized,
    ValidationFailed,
    WebhookRejected,
    WebshopError,
)
from ._presets import available_presets, load_config, load_preset
from ._timestamps import TimestampFormat
from ._webhooks import sign_webhook, verify_webhook
from .models import (
    Address,
    Capabilities,
    ChangePage,
    Customer,
    Order,
    OrderLine,
    Product,
    Record,
    Rejected,
    Resource,
    ShopSettings,
    Tombstone,
    WebhookEvent,
)

__all__ = [
    "Address",
    "AmbiguousWriteError",
    "ApiError",
    "AuthConfig",
    "Capabilities",
    "ChangeFeedConfig",
    "ChangePage",
    "ConfigError",
    "Conflict",
    "Customer",
    "ErrorFormat",
    "FieldSpec",
    "MappingError",
    "NotFound",
    "Order",
    "OrderLine",
    "PacingConfig",
    "PaginationConfig",
    "PreconditionFailed",
    "Product",
    "RateLimited",
    "Record",
    "Rejected",
    "Resource",
    "ResourceConfig",
    "RetryConfig",
    "ServerError",
    "SettingsSource",
    "ShopSettings",
    "Terminal",
    "TimestampFormat",
    "Tombstone",
    "Transient",
    "TransportError",
    "Unauthorized",
    "ValidationFailed",
    "WebhookConfig",
    "WebhookEvent",
    "WebhookRejected",
    "WebshopAPIConfig",
    "WebshopConnector",
    "WebshopError",
    "available_presets",
    "load_config",
    "load_preset",
    "sign_webhook",
    "verify_webhook",
]
