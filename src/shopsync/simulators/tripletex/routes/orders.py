"""``/order`` and ``/order/orderline``: list (date window required), get, create, update, delete."""

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
from shopsync.simulators.tripletex.orders import (
    create_lines,
    create_orders,
    delete_line,
    delete_order,
    order_query,
    update_line,
    update_order,
)
from shopsync.simulators.tripletex.queries import page_table

router = APIRouter()
SCHEMA = "Order"
LINE = "OrderLine"
#: Lines' (id, version) go into an order's versionDigest: changing a line changes the checksum.
#: ``+orders.id`` drops the column's INTEGER affinity: compared with it, the JSON expression could
#: not use its (affinity-less) index, and every order would scan all order lines.
_LINE_DIGEST = (
    "SELECT group_concat(l.id || ':' || l.version) FROM order_line AS l"
    " WHERE json_extract(l.doc, '$.order') = +orders.id"
)


@router.get("/order")
async def search(request: Request) -> Response:
    """``GET /order``: orderDateFrom (inclusive) and orderDateTo (exclusive) are required."""
    auth(request)
    rt = runtime(request)
    selection = tree(request, SCHEMA)
    p = params(request)
    r = renderer(request)
    listing = page_table(
        rt.sim.store,
        SCHEMA,
        order_query(p),
        p,
        selection,
        r,
        limit=rt.config.max_result_size,
        if_none_match=request.headers.get("if-none-match"),
        digest_extra=_LINE_DIGEST,
    )
    return list_response(listing)


@router.post("/order")
async def create(request: Request) -> Response:
    """``POST /order``: 201; embedded orderLines are created and come back as stubs."""
    auth(request)
    mapped = map_object(SCHEMA, await body(request))
    [doc] = create_orders(runtime(request).sim, host(request), [mapped], batch=False)
    return value_response(request, SCHEMA, doc, status=201, echo=True)


@router.post("/order/list")
async def create_many(request: Request) -> Response:
    """``POST /order/list``: at most 100 orders, all or nothing."""
    auth(request)
    items = map_list(SCHEMA, await body(request))
    docs = create_orders(runtime(request).sim, host(request), items, batch=True)
    return batch_response(request, SCHEMA, docs, 201)


@router.get("/order/{id:int}")
async def get(request: Request) -> Response:
    """``GET /order/{id}``."""
    auth(request)
    selection = tree(request, SCHEMA)
    doc = runtime(request).sim.store.get(SCHEMA, request.path_params["id"])
    if doc is None:
        raise errors.not_found(f"Order {request.path_params['id']} not found")
    return value_response(request, SCHEMA, doc, selection=selection)


@router.put("/order/{id:int}")
async def update(request: Request) -> Response:
    """``PUT /order/{id}[?updateLinesAndGroups=true]``."""
    auth(request)
    replace = params(request).flag("updateLinesAndGroups") or False
    mapped = map_object(SCHEMA, await body(request))
    doc = update_order(
        runtime(request).sim, host(request), request.path_params["id"], mapped, replace_lines=replace
    )
    return value_response(request, SCHEMA, doc, echo=True)


@router.delete("/order/{id:int}")
async def delete(request: Request) -> Response:
    """``DELETE /order/{id}``: 204, lines included."""
    auth(request)
    delete_order(runtime(request).sim, host(request), request.path_params["id"])
    return empty()


@router.post("/order/orderline")
async def create_line(request: Request) -> Response:
    """``POST /order/orderline``: ``order: {id}`` is required."""
    auth(request)
    mapped = map_object(LINE, await body(request))
    [doc] = create_lines(runtime(request).sim, host(request), [mapped], batch=False)
    return value_response(request, LINE, doc, status=201, echo=True)


@router.post("/order/orderline/list")
async def create_line_many(request: Request) -> Response:
    """``POST /order/orderline/list``."""
    auth(request)
    items = map_list(LINE, await body(request))
    docs = create_lines(runtime(request).sim, host(request), items, batch=True)
    return batch_response(request, LINE, docs, 201)


@router.get("/order/orderline/{id:int}")
async def get_line(request: Request) -> Response:
    """``GET /order/orderline/{id}``."""
    auth(request)
    selection = tree(request, LINE)
    doc = runtime(request).sim.store.get(LINE, request.path_params["id"])
    if doc is None:
        raise errors.not_found(f"OrderLine {request.path_params['id']} not found")
    return value_response(request, LINE, doc, selection=selection)


@router.put("/order/orderline/{id:int}")
async def update_line_route(request: Request) -> Response:
    """``PUT /order/orderline/{id}``."""
    auth(request)
    mapped = map_object(LINE, await body(request))
    doc = update_line(runtime(request).sim, host(request), request.path_params["id"], mapped)
    return value_response(request, LINE, doc, echo=True)


@router.delete("/order/orderline/{id:int}")
async def delete_line_route(request: Request) -> Response:
    """``DELETE /order/orderline/{id}``: 204."""
    auth(request)
    delete_line(runtime(request).sim, host(request), request.path_params["id"])
    return empty()
