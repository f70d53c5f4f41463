"""The contract models: decimal strings for money, aware timestamps, ids as strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from shopsync.connectors.webshop import Customer, OrderLine, Product, WebhookEvent
from shopsync.connectors.webshop.models import format_quantity, model_for

from .conftest import product_doc


def test_money_is_decimal_in_python_and_a_two_decimal_string_in_json() -> None:
    """A price read as "80" is Decimal 80 and goes out as "80.00", never a float."""
    product = Product.model_validate(product_doc(price="80"))
    assert product.price == Decimal("80")
    assert product.model_dump(mode="json")["price"] == "80.00"
    assert product.model_dump()["price"] == Decimal("80")


@pytest.mark.parametrize("bad", [89.5, "89.505", "abc", True, "NaN"])
def test_money_refuses_floats_extra_decimals_and_junk(bad: object) -> None:
    """Floats cannot hold øre exactly and a third decimal would be rounded silently: both refused."""
    with pytest.raises(ValidationError):
        Product.model_validate(product_doc(price=bad))


def test_quantities_serialise_without_trailing_zeros() -> None:
    """Quantities are the shortest decimal string: 2 → "2", 1.50 → "1.5", 100 → "100"."""
    line = OrderLine(name="x", quantity=Decimal("1.50"), unit_price=Decimal("10"), vat_rate=Decimal("25"))
    assert line.model_dump(mode="json")["quantity"] == "1.5"
    assert [format_quantity(Decimal(v)) for v in ("2.000", "100", "-0")] == ["2", "100", "0"]


def test_numeric_ids_become_strings() -> None:
    """Shops that send numeric ids (WooCommerce) still yield the contract's string ids."""
    assert Product.model_validate(product_doc(record_id=17)).id == "17"  # type: ignore[arg-type]


def test_timestamps_must_carry_an_offset_and_serialise_with_it() -> None:
    """A naive timestamp is ambiguous and refused; an aware one is written as RFC 3339 with offset."""
    with pytest.raises(ValidationError):
        Product.model_validate(product_doc(updated_at="2026-03-01T10:00:00"))
    product = Product.model_validate(product_doc(updated_at="2026-03-01T11:00:00+01:00"))
    assert product.updated_at == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)
    assert product.model_dump(mode="json")["updated_at"] == "2026-03-01T11:00:00+01:00"


def test_unknown_keys_are_dropped_so_the_engine_sees_exactly_the_contract() -> None:
    """Extra keys a shop adds do not reach the engine."""
    product = Product.model_validate(product_doc(permalink="https://x"))
    assert "permalink" not in product.model_dump()


def test_customer_country_must_be_iso_alpha2() -> None:
    """Addresses carry ISO 3166-1 alpha-2 countries."""
    address = {"line1": "Storgata 1", "postal_code": "0155", "city": "Oslo", "country": "Norway"}
    with pytest.raises(ValidationError):
        Customer.model_validate({"email": "a@b.no", "billing_address": address})


def test_webhook_event_record_is_typed_by_resource() -> None:
    """A webhook's data validates as the resource's model; deletes carry no record."""
    event = WebhookEvent.model_validate(
        {
            "event": "product.updated",
            "resource": "products",
            "id": "2001",
            "occurred_at": "2026-03-01T10:00:00Z",
            "data": product_doc(),
        }
    )
    assert isinstance(event.record(), Product)
    gone = event.model_copy(update={"data": None, "event": "product.deleted"})
    assert gone.record() is None
    assert model_for("orders").__name__ == "Order"
    with pytest.raises(ValueError, match="unknown resource"):
        model_for("invoices")  # type: ignore[arg-type]
