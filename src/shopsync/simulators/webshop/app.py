"""``create_app(WebshopConfig)``: the reference webshop as one FastAPI application.

Wires the shared state, the contract API, the ``/_sim`` admin API, the HTML admin page and the
vendored static files; renders every error in the contract's format (also 404 for unknown paths and
405 with a correct ``Allow`` header); starts and stops webhook delivery with the app's lifespan.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from shopsync.simulators.webshop.admin_api import build_admin_router
from shopsync.simulators.webshop.admin_ui import build_admin_ui_router
from shopsync.simulators.webshop.api import build_api_router, json_response
from shopsync.simulators.webshop.config import WebshopConfig
from shopsync.simulators.webshop.errors import ApiError, error_body
from shopsync.simulators.webshop.faults import TRANSPORT_KEY, FaultsMiddleware
from shopsync.simulators.webshop.state import ShopState

__all__ = ["WebshopApp", "create_app"]


class WebshopApp(FastAPI):
    """FastAPI that remembers the connection's transport, so a fault can drop the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # uvicorn's send is a bound method of the request cycle, which holds the transport
            scope[TRANSPORT_KEY] = getattr(getattr(send, "__self__", None), "transport", None)
        await super().__call__(scope, receive, send)


def _allowed_methods(request: Request) -> list[str]:
    table: list[tuple[re.Pattern[str], set[str]]] = request.app.state.route_table
    methods: set[str] = set()
    for regex, route_methods in table:
        if regex.match(request.url.path):
            methods |= route_methods
    return sorted(methods)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return json_response(error_body(exc.code, exc.message, exc.fields), exc.status, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        allow = ", ".join(_allowed_methods(request))
        body = error_body("not_found", f"{request.method} is not allowed here; allowed: {allow}")
        return json_response(body, 405, {"Allow": allow})
    if exc.status_code == 404:
        return json_response(error_body("not_found", f"no such path: {request.url.path}"), 404)
    return json_response(error_body("internal", str(exc.detail)), exc.status_code, dict(exc.headers or {}))


async def _request_invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = [
        (".".join(str(p) for p in err["loc"][1:]) or "request", str(err["msg"])) for err in exc.errors()
    ]
    return json_response(error_body("validation_failed", "the request is invalid", fields), 422)


async def _internal(request: Request, exc: Exception) -> Response:
    return json_response(error_body("internal", "internal error"), 500)


def create_app(config: WebshopConfig | None = None) -> WebshopApp:
    """A reference webshop built from ``config`` (defaults: empty shop, token ``sim-webshop``)."""
    config = config or WebshopConfig()
    state = ShopState.build(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await state.dispatcher.start()
        try:
            yield
        finally:
            await state.dispatcher.stop()

    app = WebshopApp(
        title="shopsync reference webshop",
        openapi_url=None,  # the contract is docs/webshop-api.yaml, not a generated schema
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.shop = state
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(Exception, _internal)
    app.add_middleware(FaultsMiddleware, source=state)
    routers: list[APIRouter] = [build_api_router(), build_admin_router(), build_admin_ui_router()]
    # (path regex, methods) of every route, for the Allow header of 405 answers
    app.state.route_table = [
        (route.path_regex, set(route.methods or ()))
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    state.routes = [
        (route.path_regex, route.path) for route in routers[0].routes if isinstance(route, APIRoute)
    ]
    for router in routers:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    return app
