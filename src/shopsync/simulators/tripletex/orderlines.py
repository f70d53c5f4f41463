"""Order lines: defaults from the product, price completion and the read-only amounts.

``amountExcludingVatCurrency`` / ``amountIncludingVatCurrency`` are count x unit price x (1 - discount %)
rounded to øre; when only one unit price is sent the other follows from the line's VAT rate. A line
with a product and no price takes the product's price, VAT type and name. Lines start at version 1.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopsync.simulators.tripletex.bodies import Mapped
from shopsync.simulators.tripletex.errors import ValidationCollector
from shopsync.simulators.tripletex.products import vat_rate
from shopsync.simulators.tripletex.refdata import DEFAULT_VAT_TYPE_ID
from shopsync.simulators.tripletex.state import Simulator
from shopsync.simulators.tripletex.writes import apply, check_refs, money

__all__ = ["LINE_DEFAULTS", "plan_line"]

SCHEMA = "OrderLine"
_DERIVED = frozenset({"displayName", "order"})

LINE_DEFAULTS: dict[str, Any] = {
    "count": "1",
    "unitCostCurrency": "0",
    "markup": "0",
    "discount": "0",
    "isSubscription": False,
    "sortIndex": 0,
    "isPicked": False,
    "orderedQuantity": "0",
    "isCharged": False,
}


def plan_line(
    sim: Simulator,
    order: dict[str, Any],
    mapped: Mapped,
    old: dict[str, Any] | None,
    vc: ValidationCollector,
    prefix: str = "",
) -> dict[str, Any]:
    """The stored doc of a new (``old`` None) or updated line of ``order``; problems go to ``vc``."""
    doc: dict[str, Any] = dict(old) if old else {"id": 0, "version": 1, **LINE_DEFAULTS}
    apply(SCHEMA, doc, mapped, skip=_DERIVED)
    doc["order"] = order["id"]
    doc["currency"] = order.get("currency")
    check_refs(sim, SCHEMA, {k: v for k, v in mapped.items() if k not in _DERIVED}, vc, prefix=prefix)
    product = sim.store.get("Product", doc["product"]) if doc.get("product") else None
    if product and old is None:
        if "vatType" not in mapped:
            doc["vatType"] = product.get("vatType")
        if not doc.get("description"):
            doc["description"] = product.get("orderLineDescription") or product.get("name") or ""
    if doc.get("vatType") is None:
        doc["vatType"] = DEFAULT_VAT_TYPE_ID
    count = Decimal(doc.get("count") or 0)
    if count < 0:
        vc.field(f"{prefix}count", "Antall kan ikke være negativt.")
    discount = Decimal(doc.get("discount") or 0)
    if not 0 <= discount <= 100:
        vc.field(f"{prefix}discount", "Rabatt må være mellom 0 og 100 %.")
    _unit_prices(sim, doc, mapped, old, product)
    factor = count * (1 - discount / 100)
    doc["amountExcludingVatCurrency"] = money(Decimal(doc["unitPriceExcludingVatCurrency"]) * factor)
    doc["amountIncludingVatCurrency"] = money(Decimal(doc["unitPriceIncludingVatCurrency"]) * factor)
    description = doc.get("description") or ""
    if product:
        shown = f"{product.get('number') or ''} {product.get('name') or ''}".strip()
        doc["displayName"] = f"{shown}. {description}" if description else shown
    else:
        doc["displayName"] = description
    return doc


def _unit_prices(
    sim: Simulator,
    doc: dict[str, Any],
    mapped: Mapped,
    old: dict[str, Any] | None,
    product: dict[str, Any] | None,
) -> None:
    rate = 1 + vat_rate(sim, doc.get("vatType"))
    excl_sent = mapped.get("unitPriceExcludingVatCurrency") is not None
    incl_sent = mapped.get("unitPriceIncludingVatCurrency") is not None
    if not excl_sent and not incl_sent and old is None:
        excl = product.get("priceExcludingVatCurrency") if product else None
        doc["unitPriceExcludingVatCurrency"] = excl or "0"
        excl_sent = True
    if (excl_sent and not incl_sent) or (not incl_sent and old is not None):
        # Unit prices are kept to 10 decimals (Tripletex 2.71.16).
        doc["unitPriceIncludingVatCurrency"] = money(
            Decimal(doc.get("unitPriceExcludingVatCurrency") or 0) * rate, 10
        )
    elif incl_sent and not excl_sent:
        doc["unitPriceExcludingVatCurrency"] = money(
            Decimal(doc.get("unitPriceIncludingVatCurrency") or 0) / rate, 10
        )
    doc.setdefault("unitPriceExcludingVatCurrency", "0")
    doc.setdefault("unitPriceIncludingVatCurrency", "0")
