"""What each Tripletex endpoint the client uses accepts: path, schema, list filters, batch support.

Filter names are the spec's (2.74.00). Tripletex silently ignores unknown query parameters and
returns the *unfiltered* list, so the client refuses names that are not listed here rather than let
a typo turn a search into a full download.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._paging import Splitter
from ._settings import TripletexSettings
from ._splitters import (
    DateWindowSplitter,
    FirstOf,
    IdBlockSplitter,
    RangeBisectSplitter,
    SequenceScanSplitter,
)

__all__ = ["COUNTRY", "CURRENCY", "CUSTOMER", "ORDER", "ORDER_LINE", "PRODUCT", "VAT_TYPE", "Endpoint"]


@dataclass(frozen=True)
class Endpoint:
    """One Tripletex collection."""

    path: str
    schema: str
    filters: frozenset[str] = frozenset()
    """Query filters of the list call (besides from, count, sorting, fields)."""
    array_filters: frozenset[str] = frozenset()
    """Filters typed as arrays in the spec: sent as repeated parameters, not comma-joined."""
    required_filters: frozenset[str] = frozenset()
    splitter: Callable[[TripletexSettings], Splitter] | None = None
    """How a list query over Tripletex's 10,000-row limit is split (see ``_splitters``)."""
    batch_create: bool = False
    """``POST {path}/list`` exists."""
    batch_update: bool = False
    """``PUT {path}/list`` exists."""
    sorting: str | None = "id"
    """Sorting used for stable paging when the caller gives none."""


def _customer_splitter(settings: TripletexSettings) -> Splitter:
    # Customer numbers are dense per account (10001, 10002, …): the scan works where id probes are refused.
    numbers = SequenceScanSplitter("customerAccountNumber", settings.id_block_size)
    return IdBlockSplitter("id", settings.id_block_size, fallback=numbers)


def _product_splitter(settings: TripletexSettings) -> Splitter:
    prices = RangeBisectSplitter("priceExcludingVatCurrencyFrom", "priceExcludingVatCurrencyTo")
    return IdBlockSplitter("ids", settings.id_block_size, fallback=prices)


def _order_splitter(settings: TripletexSettings) -> Splitter:
    return FirstOf(
        (DateWindowSplitter("orderDateFrom", "orderDateTo"), IdBlockSplitter("id", settings.id_block_size))
    )


CUSTOMER = Endpoint(
    path="/customer",
    schema="Customer",
    filters=frozenset(
        {
            "id",
            "customerAccountNumber",
            "organizationNumber",
            "email",
            "invoiceEmail",
            "customerName",
            "phoneNumberMobile",
            "isInactive",
            "accountManagerId",
            "changedSince",
        }
    ),
    splitter=_customer_splitter,
    batch_create=True,
    batch_update=True,
)

PRODUCT = Endpoint(
    path="/product",
    schema="Product",
    filters=frozenset(
        {
            "number",
            "ids",
            "productNumber",
            "name",
            "ean",
            "isInactive",
            "isStockItem",
            "isSupplierProduct",
            "supplierId",
            "currencyId",
            "vatTypeId",
            "productUnitId",
            "departmentId",
            "accountId",
            "costExcludingVatCurrencyFrom",
            "costExcludingVatCurrencyTo",
            "priceExcludingVatCurrencyFrom",
            "priceExcludingVatCurrencyTo",
            "priceIncludingVatCurrencyFrom",
            "priceIncludingVatCurrencyTo",
        }
    ),
    array_filters=frozenset({"productNumber"}),
    splitter=_product_splitter,
    batch_create=True,
    batch_update=True,
)

ORDER = Endpoint(
    path="/order",
    schema="Order",
    filters=frozenset(
        {
            "id",
            "number",
            "customerId",
            "orderDateFrom",
            "orderDateTo",
            "deliveryComment",
            "isClosed",
            "isSubscription",
        }
    ),
    required_filters=frozenset({"orderDateFrom", "orderDateTo"}),
    splitter=_order_splitter,
    batch_create=True,
)

ORDER_LINE = Endpoint(path="/order/orderline", schema="OrderLine", batch_create=True, sorting=None)

VAT_TYPE = Endpoint(
    path="/ledger/vatType",
    schema="VatType",
    filters=frozenset({"id", "number", "typeOfVat", "vatDate", "shouldIncludeSpecificationTypes"}),
)
CURRENCY = Endpoint(path="/currency", schema="Currency", filters=frozenset({"id", "code"}))
COUNTRY = Endpoint(
    path="/country", schema="Country", filters=frozenset({"id", "code", "isDisabled", "supportedInZtl"})
)
