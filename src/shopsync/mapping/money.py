"""Exact money: how shop totals and Tripletex order-line amounts are computed, in ``Decimal`` only.

No float is ever involved: amounts are ``Decimal`` from the contract's decimal strings to the JSON
numbers the Tripletex client writes. Rounding happens only where one of the systems rounds:

* **Tripletex** keeps unit prices to 10 decimals (API 2.71.16). When only one of
  ``unitPriceExcludingVatCurrency`` / ``unitPriceIncludingVatCurrency`` is sent it computes the other
  from the line's VAT rate (rounded half up to 10 decimals), and the read-only line amounts are
  ``unit price × count × (1 − discount / 100)`` rounded half up to the øre
  (:func:`tripletex_line_amounts`). The order's total including VAT is the sum of the lines'
  ``amountIncludingVatCurrency``.
* **The shop** (the contract's definition of an order total): each line is
  ``unit_price × quantity × (1 − discount_percent / 100)``, made VAT-inclusive with
  ``× (1 + vat_rate / 100)`` when the shop's prices exclude VAT, rounded half up to the øre; shipping is
  one more such line with quantity 1; the total is the sum (:func:`shop_order_total`).

The default mapping therefore sends, when the shop's prices include VAT, ``isPrioritizeAmountsIncludingVat``
= true and the shop's own unit price as ``unitPriceIncludingVatCurrency``: Tripletex's line amount is then
the shop's line total by construction. When prices exclude VAT it sends ``unitPriceExcludingVatCurrency``;
a two-decimal price times a two-decimal rate has at most six decimals, so Tripletex's derived
VAT-inclusive unit price is exact and the totals agree again. Both are proven by property tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

__all__ = [
    "CENT",
    "UNIT_PRICE_PLACES",
    "round_half_up",
    "round_money",
    "shop_line_total",
    "shop_order_total",
    "tripletex_line_amounts",
    "tripletex_order_total",
    "vat_excl",
    "vat_incl",
]

CENT = Decimal("0.01")
#: Decimals Tripletex keeps on unit prices.
UNIT_PRICE_PLACES = 10
_PREC = 60  # plenty: inputs have a handful of digits and we never want the context to round for us


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals."""
    with localcontext(prec=_PREC):
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_money(value: Decimal) -> Decimal:
    """``value`` rounded half up to the øre."""
    return round_half_up(value, 2)


def vat_incl(amount: Decimal, rate: Decimal) -> Decimal:
    """``amount`` plus ``rate`` % VAT, exact (two decimals times two decimals needs no rounding)."""
    with localcontext(prec=_PREC):
        return amount * (1 + rate / 100)


def vat_excl(amount: Decimal, rate: Decimal, places: int = UNIT_PRICE_PLACES) -> Decimal:
    """``amount`` without its ``rate`` % VAT, rounded half up to ``places`` decimals (Tripletex: 10)."""
    with localcontext(prec=_PREC):
        return round_half_up(amount / (1 + rate / 100), places)


def _factor(count: Decimal, discount: Decimal) -> Decimal:
    return count * (1 - discount / 100)


def tripletex_line_amounts(
    *,
    count: Decimal,
    discount: Decimal,
    vat_rate: Decimal,
    unit_excl: Decimal | None = None,
    unit_incl: Decimal | None = None,
) -> tuple[Decimal, Decimal]:
    """(amountExcludingVatCurrency, amountIncludingVatCurrency) of an order line, as Tripletex computes them.

    Give the unit price that was sent; when only one is given the other is derived from ``vat_rate``.
    """
    with localcontext(prec=_PREC):
        if unit_excl is None and unit_incl is None:
            raise ValueError("an order line needs a unit price excluding or including VAT")
        if unit_incl is None:
            assert unit_excl is not None
            unit_incl = round_half_up(vat_incl(unit_excl, vat_rate), UNIT_PRICE_PLACES)
        if unit_excl is None:
            unit_excl = vat_excl(unit_incl, vat_rate)
        factor = _factor(count, discount)
        return round_money(unit_excl * factor), round_money(unit_incl * factor)


def shop_line_total(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount: Decimal,
    vat_rate: Decimal,
    prices_include_vat: bool,
) -> Decimal:
    """A shop line's total including VAT, rounded half up to the øre (the contract's definition)."""
    with localcontext(prec=_PREC):
        gross = unit_price if prices_include_vat else vat_incl(unit_price, vat_rate)
        return round_money(gross * _factor(quantity, discount))


def _dec(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"money must be Decimal or a decimal string, not {type(value).__name__}")


def shop_order_total(order: Mapping[str, Any], *, prices_include_vat: bool) -> Decimal:
    """Total including VAT of a contract order (JSON form or Python form): lines plus shipping."""
    total = Decimal(0)
    lines: Iterable[Mapping[str, Any]] = order.get("lines") or []
    for line in lines:
        total += shop_line_total(
            quantity=_dec(line["quantity"]),
            unit_price=_dec(line["unit_price"]),
            discount=_dec(line.get("discount_percent") or 0),
            vat_rate=_dec(line["vat_rate"]),
            prices_include_vat=prices_include_vat,
        )
    total += shop_line_total(
        quantity=Decimal(1),
        unit_price=_dec(order.get("shipping_cost") or 0),
        discount=Decimal(0),
        vat_rate=_dec(order.get("shipping_vat_rate") or 0),
        prices_include_vat=prices_include_vat,
    )
    return total


def tripletex_order_total(order: Mapping[str, Any], vat_rates: Mapping[int, Decimal]) -> Decimal:
    """Total including VAT Tripletex will compute for an order body with embedded ``orderLines``.

    ``vat_rates`` maps VAT type ids to their percentage (from ``/ledger/vatType``).
    """
    total = Decimal(0)
    for line in order.get("orderLines") or []:
        vat = line.get("vatType") or {}
        excl = line.get("unitPriceExcludingVatCurrency")
        incl = line.get("unitPriceIncludingVatCurrency")
        _, amount = tripletex_line_amounts(
            count=_dec(line.get("count", 1)),
            discount=_dec(line.get("discount") or 0),
            vat_rate=vat_rates[int(vat["id"])],
            unit_excl=None if excl is None else _dec(excl),
            unit_incl=None if incl is None else _dec(incl),
        )
        total += amount
    return total
