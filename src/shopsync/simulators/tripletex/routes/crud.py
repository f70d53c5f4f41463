"""The standard Tripletex resource routes, built once for every resource that has exactly them.

``GET /x`` (list with the resource's filters), ``POST /x``, ``POST /x/list``, ``PUT /x/list``,
``GET/PUT/DELETE /x/{id}``: the HTTP handling is the same for customers and products; only the domain
functions (query, create, update, delete) differ, so each resource module passes those in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from shopsync.simulators.tripletex.bodies import Mapped, map_list, map_object
from shopsync.simulators.tripletex.queries import Params, Query, page_table
from shopsync.simulators.tripletex.routes.common import ids_for_update
from shopsync.simulators.tripletex.state import Simulator

__all__ = ["crud_router"]

Docs = list[dict[str, Any]]
QueryFn = Callable[[Simulator, Params], Query]
CreateFn = Callable[..., Docs]  # (sim, host, items, *, batch) -> stored documents
UpdateFn = Callable[..., Docs]  # (sim, host, [(id, item)], *, batch) -> stored documents
DeleteFn = Callable[[Simulator, str, int], None]


def crud_router(
    path: str, schema: str, *, query: QueryFn, create: CreateFn, update: UpdateFn, delete: DeleteFn
) -> APIRouter:
    """An APIRouter serving the standard routes of ``schema`` under ``path`` (e.g. ``/customer``)."""
    router = APIRouter()

    @router.get(path)
    async def search(request: Request) -> Response:
        auth(request)
        rt = runtime(request)
        selection = tree(request, schema)
        p = params(request)
        listing = page_table(
            rt.sim.store,
            schema,
            query(rt.sim, p),
            p,
            selection,
            renderer(request),
            limit=rt.config.max_result_size,
            if_none_match=request.headers.get("if-none-match"),
        )
        return list_response(listing)

    @router.post(path)
    async def create_one(request: Request) -> Response:
        auth(request)
        mapped = map_object(schema, await body(request))
        [doc] = create(runtime(request).sim, host(request), [mapped], batch=False)
        return value_response(request, schema, doc, status=201, echo=True)

    @router.post(f"{path}/list")
    async def create_many(request: Request) -> Response:
        """All or nothing."""
        auth(request)
        items: list[Mapped] = map_list(schema, await body(request))
        docs = create(runtime(request).sim, host(request), items, batch=True)
        return batch_response(request, schema, docs, 201)

    @router.put(f"{path}/list")
    async def update_many(request: Request) -> Response:
        """Every item names its id."""
        auth(request)
        items = ids_for_update(map_list(schema, await body(request)))
        docs = update(runtime(request).sim, host(request), items, batch=True)
        return batch_response(request, schema, docs, 200)

    @router.get(f"{path}/{{id:int}}")
    async def get(request: Request) -> Response:
        auth(request)
        selection = tree(request, schema)
        doc = runtime(request).sim.store.get(schema, request.path_params["id"])
        if doc is None:
            raise errors.not_found(f"{schema} {request.path_params['id']} not found")
        return value_response(request, schema, doc, selection=selection)

    @router.put(f"{path}/{{id:int}}")
    async def update_one(request: Request) -> Response:
        """Partial update."""
        auth(request)
        mapped = map_object(schema, await body(request))
        items = [(request.path_params["id"], mapped)]
        [doc] = update(runtime(request).sim, host(request), items, batch=False)
        return value_response(request, schema, doc, echo=True)

    @router.delete(f"{path}/{{id:int}}")
    async def delete_one(request: Request) -> Response:
        auth(request)
        delete(runtime(request).sim, host(request), request.path_params["id"])
        return empty()

    return router
