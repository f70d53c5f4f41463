"""Money: Tripletex's order total including VAT equals the shop's total to the øre, with no float anywhere."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopsync.mapping import Mapping, money
from tests.unit.mapping.records import ORDER, PRODUCT, floats_in, make_resolver, orders, vat_rates_by_id

RATES = vat_rates_by_id()


def _totals(
    mapping: Mapping, order: dict[str, Any], prices_incl: bool
) -> tuple[Decimal, Decimal, dict[str, Any]]:
    resolver = make_resolver(prices_incl)
    view = mapping.webshop_view("order", order, resolver)
    body = mapping.to_tripletex("order", view, resolver)
    assert floats_in(view) == [] and floats_in(body) == []
    return (
        money.tripletex_order_total(body, RATES),
        money.shop_order_total(order, prices_include_vat=prices_incl),
        body,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=orders(), prices_incl=st.booleans())
def test_tripletex_total_equals_shop_total(
    mapping: Mapping, order: dict[str, Any], prices_incl: bool
) -> None:
    """For any prices, quantities, discounts and VAT rates the two totals agree to the øre."""
    tripletex_total, shop_total, body = _totals(mapping, order, prices_incl)
    assert tripletex_total == shop_total
    assert body["isPrioritizeAmountsIncludingVat"] is prices_incl
    wanted = "unitPriceIncludingVatCurrency" if prices_incl else "unitPriceExcludingVatCurrency"
    other = "unitPriceExcludingVatCurrency" if prices_incl else "unitPriceIncludingVatCurrency"
    for line in body["orderLines"]:
        assert isinstance(line[wanted], Decimal) and other not in line
        assert all(isinstance(line[k], Decimal) for k in ("count", wanted))


def test_shipping_is_a_line_of_its_own(mapping: Mapping) -> None:
    """The shipping cost becomes one extra order line marked "Frakt" with its own VAT type."""
    _, _, body = _totals(mapping, ORDER, True)
    shipping = body["orderLines"][-1]
    assert shipping == {
        "description": "Frakt",
        "count": Decimal(1),
        "unitPriceIncludingVatCurrency": Decimal("49.00"),
        "vatType": {"id": 3},
    }
    assert len(body["orderLines"]) == len(ORDER["lines"]) + 1


def test_rounding_trap_three_times_99_99(mapping: Mapping) -> None:
    """3 x 99.99 at 25 % with 10 % discount: rounding per line gives the shop's total in both modes."""
    order = {**ORDER, "lines": [{**ORDER["lines"][0], "vat_rate": "25.00"}], "shipping_cost": "0.00"}
    tripletex_total, shop_total, _ = _totals(mapping, order, True)
    assert tripletex_total == shop_total == Decimal("269.97")
    tripletex_total, shop_total, _ = _totals(mapping, order, False)
    assert tripletex_total == shop_total == Decimal("337.47")  # 3 x 99.99 x 0.9 x 1.25 = 337.46625


def test_tripletex_line_amounts_follow_tripletex() -> None:
    """Only the sent unit price counts; the other is derived to 10 decimals and amounts rounded to øre."""
    excl, incl = money.tripletex_line_amounts(
        count=Decimal(3), discount=Decimal(0), vat_rate=Decimal(15), unit_incl=Decimal("99.99")
    )
    assert (excl, incl) == (Decimal("260.84"), Decimal("299.97"))
    excl, incl = money.tripletex_line_amounts(
        count=Decimal("1.5"), discount=Decimal("12.5"), vat_rate=Decimal(25), unit_excl=Decimal("80.00")
    )
    assert (excl, incl) == (Decimal("105.00"), Decimal("131.25"))


def test_product_gets_both_prices_and_never_the_cost(mapping: Mapping) -> None:
    """A VAT-inclusive shop price gives both Tripletex prices and the VAT type, never the cost."""
    resolver = make_resolver(True)
    body = mapping.to_tripletex("product", mapping.webshop_view("product", PRODUCT, resolver), resolver)
    assert body["priceIncludingVatCurrency"] == Decimal("99.99")
    assert body["priceExcludingVatCurrency"] == Decimal("86.9478260870")  # 99.99 / 1.15 to 10 decimals
    assert body["vatType"] == {"id": 31}
    assert "costExcludingVatCurrency" not in body
    excl = make_resolver(False)
    body = mapping.to_tripletex("product", mapping.webshop_view("product", PRODUCT, excl), excl)
    assert (body["priceExcludingVatCurrency"], body["priceIncludingVatCurrency"]) == (
        Decimal("99.99"),
        Decimal("114.9885"),
    )


def test_shop_totals_refuse_floats() -> None:
    """A float amount is a programming error, not something to round quietly."""
    with pytest.raises(TypeError, match="float"):
        money.shop_order_total({**ORDER, "shipping_cost": 49.0}, prices_include_vat=True)
