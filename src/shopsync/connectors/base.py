"""The ``Connector`` protocol: all the sync engine knows about a webshop.

Implementations: ``shopsync.connectors.webshop.WebshopConnector`` (HTTP, any shop API described by a
``WebshopAPIConfig``) and ``shopsync.connectors.memory.MemoryConnector`` (in memory, records every
call, for engine tests). Records are the contract models (``Customer``, ``Product``, ``Order``);
failures are the ``WebshopError`` tree, re-exported here so the engine imports from one place.

Semantics the engine can rely on:

- ``changes(resource, cursor)`` yields pages of changed records and tombstones in ``updated_at``
  order; store each page's ``cursor`` only after committing the page, pass it back to resume. A
  resumed feed never skips a change; a page that was delivered but whose cursor was not stored is
  delivered again.
- ``create`` sends an idempotency key (generated when not given): with a shop that supports keys, a
  create retried with the same key cannot duplicate. ``AmbiguousWriteError.idempotency_key`` says which
  key to retry with.
- ``update``/``delete`` with ``if_match=version`` fail with ``PreconditionFailed`` when the record
  changed; ``after_retry`` on that error means an earlier lost attempt may have been ours.
- When ``capabilities(resource).tombstones`` is False, deletions never appear in the feed: compare
  ``all_ids(resource)`` (complete or an exception, never partial) with the links instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol, runtime_checkable

from shopsync.connectors.webshop._exceptions import (
    AmbiguousWriteError,
    ApiError,
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
    WebshopError,
)
from shopsync.connectors.webshop.models import (
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
)

__all__ = [
    "Address",
    "AmbiguousWriteError",
    "ApiError",
    "Capabilities",
    "ChangePage",
    "Conflict",
    "Connector",
    "Customer",
    "MappingError",
    "NotFound",
    "Order",
    "OrderLine",
    "PreconditionFailed",
    "Product",
    "RateLimited",
    "Record",
    "Rejected",
    "Resource",
    "ServerError",
    "ShopSettings",
    "Terminal",
    "Tombstone",
    "Transient",
    "TransportError",
    "Unauthorized",
    "ValidationFailed",
    "WebshopError",
]


@runtime_checkable
class Connector(Protocol):
    """A webshop as the sync engine sees it (async; records in the contract's shape)."""

    def changes(self, resource: Resource, cursor: str | None) -> AsyncIterator[ChangePage]:
        """Pages of changes after ``cursor`` (from the beginning when None)."""
        ...

    async def get(self, resource: Resource, id: str) -> Record:
        """One record; ``NotFound`` if it does not exist."""
        ...

    async def create(
        self, resource: Resource, record: Mapping[str, Any] | Record, idempotency_key: str | None = None
    ) -> Record:
        """Create ``record`` (server fields ignored) and return it as stored."""
        ...

    async def update(
        self, resource: Resource, id: str, patch: Mapping[str, Any], if_match: int | None = None
    ) -> Record:
        """Apply ``patch`` (JSON merge patch of contract fields) and return the record as stored."""
        ...

    async def delete(self, resource: Resource, id: str, if_match: int | None = None) -> None:
        """Delete the record."""
        ...

    async def find(self, resource: Resource, **criteria: str) -> list[Record]:
        """Records whose fields equal ``criteria`` exactly (``sku=``, ``email=``, ``number=``)."""
        ...

    async def all_ids(self, resource: Resource) -> set[str]:
        """The ids of every live record: complete, or an exception (never a partial set)."""
        ...

    async def shop_settings(self) -> ShopSettings:
        """Shop-wide facts: currency, whether prices include VAT, time zone, country."""
        ...

    def capabilities(self, resource: Resource) -> Capabilities:
        """What the shop guarantees for ``resource``."""
        ...
