"""``create_app``: the daemon's FastAPI app: webhooks, status pages, ``/api/status``, ``/metrics``, health.

Open routes: ``/healthz`` and the two webhook receivers (each delivery proves itself with its signature
or auth header), ``/login``, ``/logout`` and ``/static``. Everything else needs the status token: as a
bearer token (scripts, Prometheus) or the session cookie ``/login`` sets (browsers); see ``auth``.

The app holds no engine: webhooks become ``pending_work`` rows plus ``actions.notify_work()``, and the
page's buttons call the daemon's ``SyncActions``. Store calls are blocking, so they run in Starlette's
thread pool, never on the event loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlencode

import structlog
from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shopsync.config import ShopsyncConfig
from shopsync.connectors.webshop import WebhookEvent
from shopsync.logs import redact_stdlib_loggers, register_secret
from shopsync.state import StateStore

from .actions import SyncActions
from .auth import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    Auth,
    CsrfRejected,
    LoginRequired,
    NotConfigured,
    Unauthorized,
    local_path,
)
from .metrics import CONTENT_TYPE, Metrics
from .pages import StatusPages, read_form
from .receipts import WebhookReceipts
from .status import overview
from .webhooks import WebhookReceiver, build_webhook_router, contract_verifier

__all__ = ["create_app"]

_HERE = Path(__file__).parent
log = structlog.get_logger("shopsync.server")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


#: Sent with every answer: no framing (the buttons must not be clickjacked), scripts and styles only
#: from this server (htmx is vendored; the templates' one inline <style> block is allowed).
_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class _SecurityHeaders:
    """Pure ASGI middleware adding ``_SECURITY_HEADERS`` (and ``no-store`` on pages) to each response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(_SECURITY_HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _login_page(
    request: Request, pages: StatusPages, auth: Auth, *, next_path: str, error: str = "", status: int = 200
) -> Response:
    context = {"next": next_path, "error": error, "configured": auth.configured}
    return pages.templates.TemplateResponse(request, "login.html", context, status_code=status)


def _logged_in(request: Request, auth: Auth, next_path: str) -> Response:
    response = RedirectResponse(local_path(next_path), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        auth.session_value,
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=auth.secure_cookie(request),
    )
    return response


def _install_error_handlers(app: FastAPI) -> None:
    async def not_configured(request: Request, exc: Exception) -> Response:
        return JSONResponse(
            {"error": "the status page is off: no status token is configured (set SHOPSYNC_STATUS_TOKEN)"},
            status_code=503,
        )

    async def unauthorized(request: Request, exc: Exception) -> Response:
        return JSONResponse(
            {"error": "a valid status token is required (Authorization: Bearer <token>)"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="shopsync"'},
        )

    async def login_required(request: Request, exc: Exception) -> Response:
        target = "/login?" + urlencode({"next": request.url.path})
        if "hx-request" in request.headers:
            # An htmx poll after the session ended: send the whole page to the login form.
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    async def csrf_rejected(request: Request, exc: Exception) -> Response:
        log.warning("server.csrf_rejected", path=request.url.path, origin=request.headers.get("origin"))
        return JSONResponse({"error": "cross-site request refused"}, status_code=403)

    app.add_exception_handler(NotConfigured, not_configured)
    app.add_exception_handler(Unauthorized, unauthorized)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(CsrfRejected, csrf_rejected)


def create_app(
    *,
    config: ShopsyncConfig,
    store: StateStore,
    actions: SyncActions,
    metrics: Metrics,
    webshop_verifier: Callable[[Mapping[str, str], bytes], WebhookEvent] | None = None,
    clock: Callable[[], dt.datetime] = _utc_now,
    receipts: WebhookReceipts | None = None,
) -> FastAPI:
    """The daemon's HTTP app.

    ``webshop_verifier`` checks webshop deliveries (pass ``WebshopConnector.verify_webhook``); when
    None, deliveries are verified as the shopsync contract signs them with ``webshop.webhook_secret``
    (a shop with another API, e.g. WooCommerce, needs the connector's verifier). ``clock`` judges
    webhook timestamps and dates the page. ``receipts`` (``app.state.receipts``) is where the worker
    finds when each record's webhook arrived, for the latency metric.
    """
    server = config.server
    secret = config.webshop.webhook_secret
    for value in (
        server.status_token,
        server.tripletex_webhook_auth,
        server.tripletex_webhook_secret,
        secret,
    ):
        if value is not None:
            register_secret(value)
    # uvicorn's access log prints request paths, and ``/login?token=…`` carries the token.
    redact_stdlib_loggers("uvicorn.access", "uvicorn.error")
    if webshop_verifier is None and secret is not None:
        if config.webshop.api is not None:
            raise ValueError(
                "this webshop does not speak the shopsync contract: pass its connector's verify_webhook "
                "as webshop_verifier"
            )
        webshop_verifier = contract_verifier(secret.get_secret_value(), clock)
    receipts = receipts if receipts is not None else WebhookReceipts()
    auth = Auth(server.status_token, server.public_url)
    receiver = WebhookReceiver(
        store=store,
        actions=actions,
        metrics=metrics,
        receipts=receipts,
        clock=clock,
        webshop_verifier=webshop_verifier,
        tripletex_auth=server.tripletex_webhook_auth.get_secret_value()
        if server.tripletex_webhook_auth
        else None,
        tripletex_secret=(
            server.tripletex_webhook_secret.get_secret_value() if server.tripletex_webhook_secret else None
        ),
    )
    pages = StatusPages(store=store, actions=actions, metrics=metrics, auth=auth, clock=clock)

    app = FastAPI(title="shopsync", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.config = config
    app.state.store = store
    app.state.actions = actions
    app.state.metrics = metrics
    app.state.receipts = receipts
    app.state.auth = auth
    _install_error_handlers(app)
    app.add_middleware(_SecurityHeaders)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        try:
            await run_in_threadpool(store.last_pass)
        except Exception as exc:
            log.warning("server.unhealthy", error=type(exc).__name__)
            return JSONResponse(
                {"status": "unavailable", "error": "the state store does not answer"}, status_code=503
            )
        return JSONResponse({"status": "ok"})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)  # browsers ask for it on every page; there is none

    @app.get("/metrics", include_in_schema=False)
    async def prometheus(request: Request) -> Response:
        auth.require_view(request)
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    @app.get("/api/status", include_in_schema=False)
    def api_status(request: Request) -> JSONResponse:
        auth.require_view(request)
        return JSONResponse(overview(store, metrics))

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, token: str | None = None, next: str = "/") -> Response:
        if token is not None and auth.configured:
            if auth.token_matches(token):
                return _logged_in(request, auth, next)
            return _login_page(request, pages, auth, next_path=next, error="Wrong token.", status=401)
        return _login_page(request, pages, auth, next_path=next)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await read_form(request)
        next_path = form.get("next", "/")
        if auth.configured and auth.token_matches(form.get("token", "")):
            return _logged_in(request, auth, next_path)
        return _login_page(request, pages, auth, next_path=next_path, error="Wrong token.", status=401)

    @app.get("/logout", include_in_schema=False)
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
        return response

    app.include_router(build_webhook_router(receiver))
    app.include_router(pages.router())
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    return app
