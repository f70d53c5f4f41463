"""``/product``: list with the real filters, get, create, update, delete, and the batch endpoints."""

from __future__ import annotations

from shopsync.simulators.tripletex.products import (
    create_products,
    delete_product,
    product_query,
    update_products,
)
from shopsync.simulators.tripletex.routes.crud import crud_router

router = crud_router(
    "/product",
    "Product",
    query=lambda _sim, params: product_query(params),  # product filters need no simulator state
    create=create_products,
    update=update_products,
    delete=delete_product,
)
