"""``/product``: list with the real filters, get, create, update, delete, and the batch endpoints."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.api import (
    auth,
    batch_response,
    body,
    empty,
    host,
    list_response,
    params,
    renderer,
    runtime,
    tree,
    value_response,
)
from shopsync.simulators.tripletex.bodies import map_list, map_object
from shopsync.simulators.tripletex.products import (
    create_products,
    delete_product,
    product_query,
    update_products,
)
from shopsync.simulators.tripletex.queries import page_table
from shopsync.simulators.tripletex.routes.common import ids_for_update

router = APIRouter()
SCHEMA = "Product"


@router.get("/product")
async def search(request: Request) -> Response:
    """``GET /product``."""
    auth(request)
    rt = runtime(request)
    selection = tree(request, SCHEMA)
    p = params(request)
    r = renderer(request)
    listing = page_table(
        rt.sim.store,
        SCHEMA,
        product_query(p),
        p,
        selection,
        r,
        limit=rt.config.max_result_size,
        if_none_match=request.headers.get("if-none-match"),
    )
    return list_response(listing)


@router.post("/product")
async def create(request: Request) -> Response:
    """``POST /product``: 201."""
    auth(request)
    mapped = map_object(SCHEMA, await body(request))
    [doc] = create_products(runtime(request).sim, host(request), [mapped], batch=False)
    return value_response(request, SCHEMA, doc, status=201, echo=True)


@router.post("/product/list")
async def create_many(request: Request) -> Response:
    """``POST /product/list``: 201, all or nothing."""
    auth(request)
    items = map_list(SCHEMA, await body(request))
    docs = create_products(runtime(request).sim, host(request), items, batch=True)
    return batch_response(request, SCHEMA, docs, 201)


@router.put("/product/list")
async def update_many(request: Request) -> Response:
    """``PUT /product/list``."""
    auth(request)
    items = ids_for_update(map_list(SCHEMA, await body(request)))
    docs = update_products(runtime(request).sim, host(request), items, batch=True)
    return batch_response(request, SCHEMA, docs, 200)


@router.get("/product/{id:int}")
async def get(request: Request) -> Response:
    """``GET /product/{id}``."""
    auth(request)
    selection = tree(request, SCHEMA)
    doc = runtime(request).sim.store.get(SCHEMA, request.path_params["id"])
    if doc is None:
        raise errors.not_found(f"Product {request.path_params['id']} not found")
    return value_response(request, SCHEMA, doc, selection=selection)


@router.put("/product/{id:int}")
async def update(request: Request) -> Response:
    """``PUT /product/{id}``: partial update."""
    auth(request)
    mapped = map_object(SCHEMA, await body(request))
    [doc] = update_products(
        runtime(request).sim, host(request), [(request.path_params["id"], mapped)], batch=False
    )
    return value_response(request, SCHEMA, doc, echo=True)


@router.delete("/product/{id:int}")
async def delete(request: Request) -> Response:
    """``DELETE /product/{id}``: 204."""
    auth(request)
    delete_product(runtime(request).sim, host(request), request.path_params["id"])
    return empty()
