"""Tripletex's errors surface as the client's exception tree, end to end."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopsync.tripletex import Customer, NotFound, Order, Product, ValidationFailed, VatType, VersionConflict
from tests.integration.conftest import SimHandle

from .conftest import Connect

pytestmark = pytest.mark.e2e


async def test_stale_version_is_a_version_conflict(tripletex_sim: SimHandle, connect: Connect) -> None:
    """A PUT with an outdated version answers 409 code 8000 → VersionConflict; the fresh one works."""
    tx = connect(tripletex_sim)
    created = await tx.customers.create(Customer(name="Fjordkraft AS"))
    first = await tx.customers.update(created.model_copy(update={"name": "Fjordkraft ASA"}))
    with pytest.raises(VersionConflict) as caught:
        await tx.customers.update(created.model_copy(update={"name": "Stale"}))
    assert caught.value.status == 409 and caught.value.code == 8000 and caught.value.request_id
    again = await tx.customers.update(first.model_copy(update={"name": "Fjordkraft Holding"}))
    assert again.version == (first.version or 0) + 1


async def test_missing_name_is_validation_failed_with_field(
    tripletex_sim: SimHandle, connect: Connect
) -> None:
    """A customer without a name answers 422 code 18000 with a message on ``name``."""
    tx = connect(tripletex_sim)
    with pytest.raises(ValidationFailed) as caught:
        await tx.customers.create(Customer(email="x@example.no"))
    assert caught.value.code == 18000
    assert "name" in caught.value.field_errors


async def test_order_without_customer_or_dates_names_the_fields(
    tripletex_sim: SimHandle, connect: Connect
) -> None:
    """An empty order is refused with messages for its required fields."""
    tx = connect(tripletex_sim)
    with pytest.raises(ValidationFailed) as caught:
        await tx.orders.create(Order(reference="nothing else"))
    fields = set(caught.value.field_errors)
    assert {"customer", "orderDate", "deliveryDate"} & fields


async def test_unknown_vat_type_is_validation_failed(tripletex_sim: SimHandle, connect: Connect) -> None:
    """A product pointing at a VAT type that does not exist is refused with a validation message."""
    tx = connect(tripletex_sim)
    with pytest.raises(ValidationFailed) as caught:
        await tx.products.create(Product(name="Ullgenser", vatType=VatType(id=999_999)))
    assert caught.value.validation_messages


async def test_negative_count_is_validation_failed(tripletex_sim: SimHandle, connect: Connect) -> None:
    """Order lines with a negative count are refused (422) on the batch endpoint too."""
    tx = connect(tripletex_sim)
    customer = await tx.customers.create(Customer(name="Kunde"))
    order = await tx.orders.create(
        Order(customer=customer, orderDate="2026-02-01", deliveryDate="2026-02-02")
    )
    from shopsync.tripletex import BatchWriteError, OrderLine

    lines = [
        OrderLine(order=order, description="ok", count=Decimal(1)),
        OrderLine(order=order, description="bad", count=Decimal(-1)),
    ]
    with pytest.raises(BatchWriteError) as caught:
        await tx.order_lines.create_many(lines)
    assert isinstance(caught.value.cause, ValidationFailed) and not caught.value.ambiguous


async def test_missing_object_is_not_found(tripletex_sim: SimHandle, connect: Connect) -> None:
    """GET of an id that does not exist answers 404 code 6000 → NotFound."""
    tx = connect(tripletex_sim)
    with pytest.raises(NotFound) as caught:
        await tx.customers.get(1)
    assert caught.value.code == 6000
