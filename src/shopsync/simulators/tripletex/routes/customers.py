"""``/customer``: list with filters, get, create, update, delete, and the batch endpoints."""

from __future__ import annotations

from shopsync.simulators.tripletex.customers import (
    create_customers,
    customer_query,
    delete_customer,
    update_customers,
)
from shopsync.simulators.tripletex.routes.crud import crud_router

router = crud_router(
    "/customer",
    "Customer",
    query=customer_query,
    create=create_customers,
    update=update_customers,
    delete=delete_customer,
)
