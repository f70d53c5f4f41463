"""The webshop contract's records as pydantic models: what every connector hands the sync engine.

Whatever a shop's real JSON looks like, the connector translates it into exactly these shapes
(``docs/webshop-api.yaml``). Money, quantities and VAT rates are ``Decimal`` in Python and decimal
*strings* in JSON (``"199.00"``, ``"1.5"``, ``"25.00"``); floats are refused on input because they
cannot carry øre exactly. Timestamps are timezone-aware and serialised as RFC 3339 with an offset.

Text fields carry the contract's input length limits and amounts its minimum of 0, so an oversized or
negative value is refused on reading, with the field named, instead of failing later in Tripletex.

``id``, ``created_at``, ``updated_at`` and ``version`` are assigned by the shop; they are ``None`` only
on a record that has not been created yet (the argument of ``Connector.create``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

__all__ = [
    "RESOURCES",
    "Address",
    "Capabilities",
    "ChangePage",
    "Customer",
    "Money",
    "Order",
    "OrderLine",
    "Product",
    "Quantity",
    "Record",
    "Rejected",
    "Resource",
    "ShopSettings",
    "Timestamp",
    "Tombstone",
    "VatRate",
    "WebhookEvent",
    "format_money",
    "format_quantity",
    "model_for",
]

Resource: TypeAlias = Literal["customers", "products", "orders"]
RESOURCES: tuple[Resource, ...] = ("customers", "products", "orders")


def _to_decimal(value: Any) -> Any:
    """Accept decimal strings, ints and Decimals; refuse floats (they cannot hold øre exactly)."""
    if isinstance(value, bool | float):
        raise ValueError("expected a decimal string, not a float or bool")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a decimal number: {value!r}") from exc
        if not parsed.is_finite():
            raise ValueError(f"not a finite decimal: {value!r}")
        return parsed
    return value


def _two_places(value: Decimal) -> Decimal:
    """Money and rates carry at most two decimals; more would be rounded silently somewhere later."""
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{value} has more than two decimals")
    return value


def format_money(value: Decimal) -> str:
    """``Decimal`` → the contract's two-decimal string (``199`` → ``"199.00"``)."""
    return f"{value.quantize(Decimal('0.01')):f}"


def format_quantity(value: Decimal) -> str:
    """``Decimal`` → the shortest plain decimal string (``2.000`` → ``"2"``, ``1.50`` → ``"1.5"``)."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def _format_timestamp(value: dt.datetime) -> str:
    return value.isoformat()


#: Money: a non-negative decimal with at most two places (the contract's ``Money``); JSON ``"199.00"``.
Money = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    AfterValidator(_two_places),
    Field(ge=0),
    PlainSerializer(format_money, return_type=str, when_used="json"),
]
#: VAT rate in percent: decimal with at most two places; JSON ``"25.00"``.
VatRate = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    AfterValidator(_two_places),
    Field(ge=0, le=100),
    PlainSerializer(format_money, return_type=str, when_used="json"),
]
#: Quantity: a non-negative decimal (the contract's ``Quantity``); JSON ``"2"`` / ``"1.5"``.
Quantity = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    Field(ge=0),
    PlainSerializer(format_quantity, return_type=str, when_used="json"),
]
#: Timezone-aware timestamp; JSON RFC 3339 with offset (``2026-11-28T21:40:00.123456+00:00``).
Timestamp = Annotated[AwareDatetime, PlainSerializer(_format_timestamp, return_type=str, when_used="json")]
_Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
_Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class _Model(BaseModel):
    # Unknown keys are dropped: the engine sees exactly the contract, whatever the shop adds.
    # Numbers become strings where the contract wants strings: shops send ids like 123.
    model_config = ConfigDict(extra="ignore", populate_by_name=True, coerce_numbers_to_str=True)


class _Stored(_Model):
    """Fields the shop assigns to every stored record."""

    id: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    version: int | None = Field(default=None, ge=0)


class Address(_Model):
    """A postal address."""

    line1: str = Field(max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    postal_code: str = Field(max_length=10)
    city: str = Field(max_length=100)
    country: _Country


class Customer(_Stored):
    """A private person or a company buying from the shop."""

    type: Literal["private", "company"] = "private"
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    company_name: str | None = Field(default=None, max_length=200)
    organization_number: str | None = Field(default=None, max_length=30)
    email: str = Field(max_length=254)
    phone: str | None = Field(default=None, max_length=30)
    language: Literal["nb", "nn", "en", "sv", "da", "de"] = "nb"
    billing_address: Address
    shipping_address: Address | None = None
    active: bool = True


class Product(_Stored):
    """Something the shop sells; ``price`` includes VAT iff ``ShopSettings.prices_include_vat``."""

    sku: str = Field(max_length=64)
    name: str = Field(max_length=255)
    description: str = Field(default="", max_length=10_000)
    price: Money
    currency: _Currency
    vat_rate: VatRate
    active: bool = True
    stock_quantity: int = 0


class OrderLine(_Model):
    """One line of an order; ``unit_price`` follows the shop's VAT setting like ``Product.price``."""

    id: str | None = None
    product_id: str | None = None
    sku: str | None = Field(default=None, max_length=64)
    name: str = Field(max_length=255)
    quantity: Quantity
    unit_price: Money
    vat_rate: VatRate
    discount_percent: VatRate = Decimal("0.00")


class Order(_Stored):
    """A customer's order with its lines and shipping."""

    #: Assigned by the shop when a create leaves it out.
    number: str | None = Field(default=None, max_length=32)
    # None only for shops that allow guest orders without a customer record (WooCommerce).
    customer_id: str | None = None
    status: Literal["pending", "processing", "completed", "cancelled", "refunded"]
    ordered_at: Timestamp
    currency: _Currency
    billing_address: Address
    shipping_address: Address | None = None
    lines: list[OrderLine]
    shipping_cost: Money = Decimal("0.00")
    shipping_vat_rate: VatRate = Decimal("0.00")
    note: str | None = Field(default=None, max_length=2000)


Record: TypeAlias = Customer | Product | Order


class Tombstone(_Model):
    """A record deleted after the feed's ``updated_since``: only its id and when it went."""

    id: str
    deleted: Literal[True] = True
    updated_at: Timestamp


class ShopSettings(_Model):
    """Shop-wide facts the mapping needs (``GET /api/v1/shop``)."""

    name: str = ""
    currency: _Currency = "NOK"
    prices_include_vat: bool = True
    timezone: str = "Europe/Oslo"
    country: _Country = "NO"


class Rejected(_Model):
    """A feed item the connector could not translate: dead-letter it; the feed goes on without it."""

    id: str | None = None
    error: str
    #: The contract field at fault (dotted, e.g. ``lines.0.quantity``), when one is known.
    field: str | None = None


class ChangePage(_Model):
    """One page of a change feed: what changed, what was deleted, and the cursor to store afterwards.

    The cursor is opaque; store it only once the page's changes are committed, then pass it to the
    next ``changes()`` call to resume right after this page. Each change is delivered once; only a page
    whose cursor was never stored comes again. A record changed twice between scans arrives once, in
    its latest state; one changed during a scan may arrive in both states.
    """

    resource: Resource
    items: list[Record] = Field(default_factory=list)
    tombstones: list[Tombstone] = Field(default_factory=list)
    rejected: list[Rejected] = Field(default_factory=list)
    cursor: str


class WebhookEvent(_Model):
    """A verified webhook delivery: ``data`` is the record (contract shape), ``None`` on deletes."""

    webhook_id: str | None = None
    event: str
    resource: Resource
    id: str
    occurred_at: Timestamp
    data: dict[str, Any] | None = None

    def record(self) -> Record | None:
        """``data`` validated as the resource's model."""
        return None if self.data is None else model_for(self.resource).model_validate(self.data)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a shop can guarantee for one resource; the engine adapts its strategy to it."""

    #: Deletions arrive in the feed as tombstones; False: reconcile ``all_ids()`` to find them.
    tombstones: bool = True
    #: ``native``: the shop checks If-Match; ``emulated``: the connector checks the version just before
    #: writing (a small race remains); ``none``: last write wins.
    conditional_writes: Literal["native", "emulated", "none"] = "native"
    #: A create retried with the same idempotency key cannot duplicate.
    idempotent_creates: bool = True
    #: Contract field the shop keeps unique (``sku``, ``email``); None if there is none.
    natural_key: str | None = None


_MODELS: dict[Resource, type[Customer] | type[Product] | type[Order]] = {
    "customers": Customer,
    "products": Product,
    "orders": Order,
}


def model_for(resource: Resource) -> type[Customer] | type[Product] | type[Order]:
    """The model class of ``resource``."""
    try:
        return _MODELS[resource]
    except KeyError:
        raise ValueError(f"unknown resource {resource!r}; expected one of {RESOURCES}") from None
