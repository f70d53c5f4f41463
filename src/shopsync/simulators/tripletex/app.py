"""``create_app(config)``: the Tripletex simulator as a FastAPI app (API ``/v2``, admin ``/_sim``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.admin import admin_router
from shopsync.simulators.tripletex.api import json_response
from shopsync.simulators.tripletex.config import SimulatorConfig
from shopsync.simulators.tripletex.middleware import SimulatorMiddleware
from shopsync.simulators.tripletex.routes import api_router
from shopsync.simulators.tripletex.runtime import Runtime, build_runtime

__all__ = ["SimulatorApp", "create_app"]


class SimulatorApp(FastAPI):
    """FastAPI with the simulator's middleware outermost (it needs the server's own ``send``)."""

    runtime: Runtime

    def __init__(self, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.state.runtime = runtime
        self._outer = SimulatorMiddleware(super().__call__, runtime)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._outer(scope, receive, send)


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.ApiError)
    return json_response(errors.error_body(exc, _request_id(request)), exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        error = errors.bad_request_method()
    elif exc.status_code == 404:
        error = errors.not_found()
    else:
        error = errors.ApiError(exc.status_code, errors.CODE_BAD_REQUEST, str(exc.detail))
    return json_response(errors.error_body(error, _request_id(request)), error.status)


def create_app(config: SimulatorConfig | None = None) -> SimulatorApp:
    """A simulator for ``config`` (defaults: empty company, tokens ``sim-consumer`` / ``sim-employee``)."""
    config = config or SimulatorConfig()
    runtime = build_runtime(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await runtime.dispatcher.aclose()

    app = SimulatorApp(
        runtime,
        title="Tripletex simulator",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.add_exception_handler(errors.ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.include_router(api_router())
    app.include_router(admin_router())
    return app
