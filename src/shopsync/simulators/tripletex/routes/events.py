"""``/event`` and ``/event/subscription``: the event list and webhook subscriptions."""

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
    json_response,
    list_response,
    params,
    renderer,
    runtime,
    tree,
    value_response,
)
from shopsync.simulators.tripletex.bodies import map_list, map_object
from shopsync.simulators.tripletex.queries import Query, page_table
from shopsync.simulators.tripletex.subscriptions import (
    EVENTS,
    create_subscriptions,
    delete_subscription,
    update_subscription,
)

router = APIRouter()
SCHEMA = "Subscription"


@router.get("/event")
async def event_list() -> Response:
    """``GET /event``: every event the simulator can send (no authorization needed, as since 2.56.4)."""
    return json_response({"value": {name: {"description": desc} for name, (_, desc) in EVENTS.items()}})


@router.get("/event/subscription")
async def search(request: Request) -> Response:
    """``GET /event/subscription``."""
    auth(request)
    rt = runtime(request)
    selection = tree(request, SCHEMA)
    r = renderer(request)
    listing = page_table(
        rt.sim.store,
        SCHEMA,
        Query(),
        params(request),
        selection,
        r,
        limit=rt.config.max_result_size,
        if_none_match=request.headers.get("if-none-match"),
    )
    return list_response(listing)


@router.post("/event/subscription")
async def create(request: Request) -> Response:
    """``POST /event/subscription``: 201."""
    auth(request)
    mapped = map_object(SCHEMA, await body(request))
    [doc] = create_subscriptions(runtime(request).sim, host(request), [mapped], batch=False)
    return value_response(request, SCHEMA, doc, status=201, echo=True)


@router.post("/event/subscription/list")
async def create_many(request: Request) -> Response:
    """``POST /event/subscription/list``: 201."""
    auth(request)
    items = map_list(SCHEMA, await body(request))
    docs = create_subscriptions(runtime(request).sim, host(request), items, batch=True)
    return batch_response(request, SCHEMA, docs, 201)


@router.get("/event/subscription/{id:int}")
async def get(request: Request) -> Response:
    """``GET /event/subscription/{id}``."""
    auth(request)
    selection = tree(request, SCHEMA)
    doc = runtime(request).sim.store.get(SCHEMA, request.path_params["id"])
    if doc is None:
        raise errors.not_found(f"Subscription {request.path_params['id']} not found")
    return value_response(request, SCHEMA, doc, selection=selection)


@router.put("/event/subscription/{id:int}")
async def update(request: Request) -> Response:
    """``PUT /event/subscription/{id}``."""
    auth(request)
    mapped = map_object(SCHEMA, await body(request))
    doc = update_subscription(runtime(request).sim, host(request), request.path_params["id"], mapped)
    return value_response(request, SCHEMA, doc, echo=True)


@router.delete("/event/subscription/{id:int}")
async def delete(request: Request) -> Response:
    """``DELETE /event/subscription/{id}``: 204."""
    auth(request)
    delete_subscription(runtime(request).sim, host(request), request.path_params["id"])
    return empty()
