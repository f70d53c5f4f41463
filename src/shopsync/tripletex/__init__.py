"""Async client for the Tripletex API v2 (customers, products, orders and their lines).

Quick start::

    from shopsync.tripletex import Customer, TripletexClient, TripletexSettings

    # Or leave settings out: they are read from SHOPSYNC_TRIPLETEX_* variables.
    settings = TripletexSettings(base_url=..., consumer_token=..., employee_token=...)
    async with TripletexClient(settings) as tx:
        c = await tx.customers.create(Customer(name="Acme AS", organizationNumber="914778271"))
        async for cust in tx.customers.iterate(fields="id,version,name", is_inactive=False):
            ...
        c = await tx.customers.update(c.model_copy(update={"name": "New"}))  # sends version; 409 if stale
        window = {"order_date_from": date(2026, 1, 1), "order_date_to": date(2027, 1, 1)}
        async for order in tx.orders.iterate(**window):
            ...

Resources (``tx.customers``, ``tx.products``, ``tx.orders``, ``tx.order_lines``, and read-only
``tx.vat_types``, ``tx.currencies``, ``tx.countries``) offer ``get``, ``list`` (one page, optionally
``conditional`` with ``If-None-Match``), ``iterate`` (all pages; splits queries Tripletex finds too
large), ``fetch_all`` (all pages with ``If-None-Match``; says whether anything changed), and where
Tripletex allows: ``create``, ``create_many`` (batch ``/list`` endpoints), ``update``, ``update_many``
and ``delete``. Filters are the endpoint's own, in snake_case or camelCase; ``fields`` takes a string
or a ``build_fields`` structure. ``tx.webhooks`` manages ``/event/subscription``; ``verify_callback``
checks an incoming callback. ``tx.rate_limit`` reports the rate-limit headroom.

The client logs in with a session token (renewed before expiry and on 401), paces requests by the
``X-Rate-Limit-*`` headers, waits out 429s, retries what is safe to retry and raises the exception
tree in ``_exceptions``: ``AmbiguousWriteError`` means a write may or may not have been stored.
"""

from ._client import TripletexClient
from ._exceptions import (
    AmbiguousWriteError,
    ApiError,
    AuthError,
    BatchWriteError,
    Conflict,
    NotFound,
    RateLimited,
    ResultSetTooLarge,
    ServerError,
    Terminal,
    Transient,
    TransportError,
    TripletexError,
    UnexpectedResponse,
    ValidationFailed,
    VersionConflict,
    WebhookVerificationError,
)
from ._fields import FieldSpec, build_fields, check_fields, parse_fields
from ._models import (
    Address,
    ApiValidationMessage,
    Change,
    Country,
    Currency,
    Customer,
    DeliveryAddress,
    Department,
    Employee,
    Order,
    OrderLine,
    Product,
    Ref,
    Subscription,
    TripletexModel,
    VatType,
)
from ._paging import Page
from ._ratelimit import RateLimitStats
from ._resources import ListResult, OrderLineResource, OrderResource, ReferenceResource, Resource
from ._settings import TripletexSettings
from ._webhooks import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    WEBHOOK_EVENTS,
    WebhookEvent,
    Webhooks,
    sign_callback,
    verify_callback,
)

__all__ = [
    "IDEMPOTENCY_HEADER",
    "SIGNATURE_HEADER",
    "WEBHOOK_EVENTS",
    "Address",
    "AmbiguousWriteError",
    "ApiError",
    "ApiValidationMessage",
    "AuthError",
    "BatchWriteError",
    "Change",
    "Conflict",
    "Country",
    "Currency",
    "Customer",
    "DeliveryAddress",
    "Department",
    "Employee",
    "FieldSpec",
    "ListResult",
    "NotFound",
    "Order",
    "OrderLine",
    "OrderLineResource",
    "OrderResource",
    "Page",
    "Product",
    "RateLimitStats",
    "RateLimited",
    "Ref",
    "ReferenceResource",
    "Resource",
    "ResultSetTooLarge",
    "ServerError",
    "Subscription",
    "Terminal",
    "Transient",
    "TransportError",
    "TripletexClient",
    "TripletexError",
    "TripletexModel",
    "TripletexSettings",
    "UnexpectedResponse",
    "ValidationFailed",
    "VatType",
    "VersionConflict",
    "WebhookEvent",
    "WebhookVerificationError",
    "Webhooks",
    "build_fields",
    "check_fields",
    "parse_fields",
    "sign_callback",
    "verify_callback",
]

# Show the public path in reprs and tracebacks, as httpx does (pydantic models keep theirs).
for _name in __all__:
    _obj = globals()[_name]
    if callable(_obj) and not hasattr(_obj, "model_fields"):
        _obj.__module__ = __name__
del _name, _obj
