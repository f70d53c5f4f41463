"""Sample contract records, hypothesis strategies for them, and a resolver over Tripletex reference data.

The resolver uses the same reference data as the Tripletex simulator (VAT types 3/31/32/5… , Norway
161, NOK 1), so ids in these tests are those a seeded simulator answers with.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from shopsync.connectors.webshop.models import ShopSettings
from shopsync.mapping import TableResolver
from shopsync.simulators.tripletex.refdata import COUNTRIES, CURRENCIES, OUTGOING_VAT_IDS, VAT_TYPES

OUTGOING = [v for v in VAT_TYPES if v["id"] in OUTGOING_VAT_IDS]
VAT_RATES = ("25.00", "15.00", "12.00", "0.00")
COUNTRY_CODES = tuple(c["isoAlpha2Code"] for c in COUNTRIES)
CURRENCY_CODES = tuple(c["code"] for c in CURRENCIES)
#: Webshop id → Tripletex id links the resolver knows.
CUSTOMER_LINKS = {"1001": 501, "1002": 502, "1003": 503}
PRODUCT_LINKS = {"2001": 601, "2002": 602, "2003": 603}


def make_resolver(prices_include_vat: bool = True, **links: dict[str, int]) -> TableResolver:
    """A resolver with the simulator's reference data and the standard links."""
    return TableResolver(
        shop=ShopSettings(prices_include_vat=prices_include_vat),
        vat_types=OUTGOING,
        countries=COUNTRIES,
        currencies=CURRENCIES,
        links={"customer": CUSTOMER_LINKS, "product": PRODUCT_LINKS, **links},
    )


def vat_rates_by_id() -> dict[int, Decimal]:
    """Percentage of every outgoing VAT type by id."""
    return {int(v["id"]): Decimal(v["percentage"]) for v in OUTGOING}


ADDRESS = {"line1": "Storgata 1", "line2": None, "postal_code": "0150", "city": "Oslo", "country": "NO"}

COMPANY: dict[str, Any] = {
    "id": "1001",
    "type": "company",
    "first_name": "Ola",
    "last_name": "Nordmann",
    "company_name": "Fjordkaffe AS",
    "organization_number": "923 609 016",
    "email": "Post@Fjordkaffe.no",
    "phone": "+47 912 34 567",
    "language": "nn",
    "billing_address": ADDRESS,
    "shipping_address": {**ADDRESS, "line1": "Lagerveien 7", "postal_code": "1405", "city": "Langhus"},
    "active": True,
}

PRIVATE: dict[str, Any] = {
    "id": "1002",
    "type": "private",
    "first_name": "Anne Marie",
    "last_name": "Hansen",
    "company_name": None,
    "organization_number": None,
    "email": "anne@example.no",
    "phone": "22 33 44 55",
    "language": "en",
    "billing_address": ADDRESS,
    "shipping_address": None,
    "active": False,
}

PRODUCT: dict[str, Any] = {
    "id": "2001",
    "sku": "KAF-001",
    "name": "Kaffe 500 g",
    "description": "Lyst brent",
    "price": "99.99",
    "currency": "NOK",
    "vat_rate": "15.00",
    "active": True,
    "stock_quantity": 12,
}

ORDER: dict[str, Any] = {
    "id": "3001",
    "number": "100045",
    "customer_id": "1001",
    "status": "processing",
    "ordered_at": "2026-03-28T23:30:00+00:00",
    "currency": "NOK",
    "billing_address": ADDRESS,
    "shipping_address": None,
    "lines": [
        {
            "id": "1",
            "product_id": "2001",
            "sku": "KAF-001",
            "name": "Kaffe 500 g",
            "quantity": "3",
            "unit_price": "99.99",
            "vat_rate": "15.00",
            "discount_percent": "10.00",
        },
        {
            "id": "2",
            "product_id": None,
            "sku": None,
            "name": "Gavepapir",
            "quantity": "1",
            "unit_price": "19.90",
            "vat_rate": "25.00",
            "discount_percent": "0.00",
        },
    ],
    "shipping_cost": "49.00",
    "shipping_vat_rate": "25.00",
    "note": "Leveres på baksiden",
}

# --------------------------------------------------------------------------- strategies

_LETTERS = "abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅ"
word = st.text(_LETTERS, min_size=1, max_size=10)
words = st.lists(word, min_size=1, max_size=3).map(" ".join)
maybe_words = st.none() | words


def money(max_value: str = "99999.99") -> st.SearchStrategy[str]:
    """Two-decimal amounts as contract strings."""
    return st.decimals(min_value=0, max_value=Decimal(max_value), places=2).map(lambda d: f"{d:.2f}")


@st.composite
def org_numbers(draw: st.DrawFn) -> str:
    """Valid Norwegian organisation numbers, sometimes written with spaces."""
    head = draw(st.text("0123456789", min_size=8, max_size=8))
    remainder = sum(int(d) * w for d, w in zip(head, (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    assume(check != 10)
    number = f"{head}{check}"
    return draw(st.sampled_from([number, f"{number[:3]} {number[3:6]} {number[6:]}"]))


phones = st.none() | st.sampled_from(
    ["+47 912 34 567", "98765432", "41 00 00 00", "22 33 44 55", "+46 8 123 456"]
)

addresses = st.fixed_dictionaries(
    {
        "line1": words,
        "line2": maybe_words,
        "postal_code": st.text("0123456789", min_size=4, max_size=4),
        "city": words,
        "country": st.sampled_from(COUNTRY_CODES),
    }
)


@st.composite
def customers(draw: st.DrawFn) -> dict[str, Any]:
    """Contract customers (private persons and companies)."""
    company = draw(st.booleans())
    return {
        "id": draw(st.sampled_from(sorted(CUSTOMER_LINKS))),
        "type": "company" if company else "private",
        "first_name": draw(word),
        "last_name": draw(words),
        "company_name": draw(words) if company else None,
        "organization_number": draw(org_numbers()) if company else None,
        "email": draw(word) + "@" + draw(st.sampled_from(["example.no", "Firma.NO"])),
        "phone": draw(phones),
        "language": draw(st.sampled_from(["nb", "nn", "en", "sv", "da", "de"])),
        "billing_address": draw(addresses),
        "shipping_address": draw(st.none() | addresses),
        "active": draw(st.booleans()),
    }


@st.composite
def products(draw: st.DrawFn) -> dict[str, Any]:
    """Contract products across the Norwegian VAT rates."""
    return {
        "id": draw(st.sampled_from(sorted(PRODUCT_LINKS))),
        "sku": draw(st.text("ABCDEFGHIJ0123456789-", min_size=1, max_size=12)),
        "name": draw(words),
        "description": draw(st.just("") | words),
        "price": draw(money()),
        "currency": draw(st.sampled_from(CURRENCY_CODES)),
        "vat_rate": draw(st.sampled_from(VAT_RATES)),
        "active": draw(st.booleans()),
        "stock_quantity": draw(st.integers(0, 10_000)),
    }


quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=3).map(
    lambda d: format(d.normalize(), "f")
)
timestamps = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31), timezones=st.timezones()
)


@st.composite
def order_lines(draw: st.DrawFn) -> dict[str, Any]:
    """Contract order lines with or without a product."""
    return {
        "product_id": draw(st.none() | st.sampled_from(sorted(PRODUCT_LINKS))),
        "name": draw(words),
        "quantity": draw(quantities),
        "unit_price": draw(money("9999.99")),
        "vat_rate": draw(st.sampled_from(VAT_RATES)),
        "discount_percent": draw(money("100.00")),
    }


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    """Contract orders with 1-5 lines and shipping."""
    return {
        "id": "3001",
        "number": draw(st.text("0123456789", min_size=1, max_size=8)),
        "customer_id": draw(st.sampled_from(sorted(CUSTOMER_LINKS))),
        "status": draw(st.sampled_from(["pending", "processing", "completed"])),
        "ordered_at": draw(timestamps).isoformat(),
        "currency": draw(st.sampled_from(CURRENCY_CODES)),
        "billing_address": draw(addresses),
        "shipping_address": draw(st.none() | addresses),
        "lines": draw(st.lists(order_lines(), min_size=1, max_size=5)),
        "shipping_cost": draw(money("999.99")),
        "shipping_vat_rate": draw(st.sampled_from(VAT_RATES)),
        "note": draw(maybe_words),
    }


def floats_in(value: Any) -> list[Any]:
    """Every float anywhere inside ``value``."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats_in(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in floats_in(v)]
    return []


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 merge patch (as the webshop applies it)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result[key] = None  # the contract keeps explicit nulls for optional fields
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
