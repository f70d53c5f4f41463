"""The contract's REST API under ``/api/v1``: shop settings, the three record resources, webhooks.

Routes only parse HTTP (headers, query, JSON body) and shape answers; the rules live in
:class:`~shopsync.simulators.webshop.service.ShopService`. Parameters are read by hand, not by FastAPI's
validation, so every problem is answered in the contract's 422 format with the contract's field names.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from shopsync.simulators.webshop.clock import us_to_text
from shopsync.simulators.webshop.errors import not_found, unauthorized, validation_failed
from shopsync.simulators.webshop.idempotency import check_key, fingerprint, run_idempotent
from shopsync.simulators.webshop.state import ShopState
from shopsync.simulators.webshop.store import RESOURCES
from shopsync.simulators.webshop.validation import WEBHOOK_EVENTS, WEBHOOK_RULES, FieldError, check_object

__all__ = ["build_api_router", "json_response"]

#: The list filter each resource offers, and its limit on length.
_FILTERS = {"customers": ("email", 254), "products": ("sku", 64), "orders": ("number", 32)}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer (UTF-8, compact; \\u escapes where a string holds a lone surrogate)."""
    try:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:  # only raw records (``POST /_sim/raw``) can hold one
        payload = json.dumps(body, separators=(",", ":")).encode()
    return Response(payload, status_code=status, media_type="application/json", headers=headers)


def shop_of(request: Request) -> ShopState:
    """The shop state the app was built with."""
    state: ShopState = request.app.state.shop
    return state


def require_token(request: Request) -> None:
    """401 unless ``Authorization: Bearer <token>`` carries the shop's token."""
    expected = shop_of(request).config.token.get_secret_value()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise unauthorized()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def read_json(request: Request) -> Any:
    """The request's JSON body; 422 when it is missing or not JSON."""
    raw = await request.body()
    if not raw.strip():
        raise validation_failed([("body", "a JSON body is required")])
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise validation_failed([("body", "is not valid JSON")]) from None


def _query(request: Request, name: str, max_len: int, errors: list[FieldError]) -> str | None:
    value = request.query_params.get(name)
    if value is not None and not 1 <= len(value) <= max_len:
        errors.append((name, f"must be 1 to {max_len} characters"))
    return value


def _limit(request: Request, errors: list[FieldError]) -> int:
    text = request.query_params.get("limit")
    if text is None:
        return 100
    if not text.isdigit() or not 1 <= int(text) <= 500:
        errors.append(("limit", "must be a whole number from 1 to 500"))
        return 100
    return int(text)


def _record_response(
    doc: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return json_response(doc, status, {"ETag": f'"{doc["version"]}"', **(headers or {})})


def _add_resource_routes(router: APIRouter, resource: str) -> None:
    filter_name, filter_len = _FILTERS[resource]

    async def list_records(request: Request) -> Response:
        shop = shop_of(request)
        errors: list[FieldError] = []
        since = _query(request, "updated_since", 64, errors)
        cursor = _query(request, "cursor", 200, errors)
        lookup = _query(request, filter_name, filter_len, errors)
        limit = _limit(request, errors)
        if errors:
            raise validation_failed(errors)
        if lookup is not None and resource == "customers":
            lookup = lookup.lower()
        page = shop.service.feed(resource, updated_since=since, cursor=cursor, limit=limit, lookup=lookup)
        return json_response(page)

    async def create_record(request: Request) -> Response:
        shop = shop_of(request)
        key = request.headers.get("idempotency-key")
        check_key(key)
        body = await read_json(request)

        def create() -> Response:
            doc = shop.service.create(resource, body)
            return _record_response(doc, 201, {"Location": f"/api/v1/{resource}/{doc['id']}"})

        with shop.service.write_lock:
            return run_idempotent(
                shop.store,
                key,
                fingerprint("POST", request.url.path, body),
                shop.clock.now_us(),
                shop.idempotency_ttl_us,
                create,
            )

    async def get_record(request: Request, id: str) -> Response:
        return _record_response(shop_of(request).service.get(resource, id))

    async def update_record(request: Request, id: str) -> Response:
        shop = shop_of(request)
        shop.service.get(resource, id)  # 404 before complaining about the body
        body = await read_json(request)
        doc = shop.service.update(resource, id, body, request.headers.get("if-match"))
        return _record_response(doc)

    async def delete_record(request: Request, id: str) -> Response:
        shop_of(request).service.delete(resource, id, request.headers.get("if-match"))
        return Response(status_code=204)

    singular = resource.rstrip("s").capitalize()
    routes: list[tuple[str, str, Callable[..., Awaitable[Response]], str]] = [
        (f"/{resource}", "GET", list_records, f"list{resource.capitalize()}"),
        (f"/{resource}", "POST", create_record, f"create{singular}"),
        (f"/{resource}/{{id}}", "GET", get_record, f"get{singular}"),
        (f"/{resource}/{{id}}", "PATCH", update_record, f"update{singular}"),
        (f"/{resource}/{{id}}", "DELETE", delete_record, f"delete{singular}"),
    ]
    for path, method, endpoint, operation_id in routes:
        router.add_api_route(path, endpoint, methods=[method], operation_id=operation_id)


def _webhook_public(row: tuple[int, str, str, list[str], int]) -> dict[str, Any]:
    wid, url, _secret, events, created_us = row
    return {"id": str(wid), "url": url, "events": events, "created_at": us_to_text(created_us)}


def _check_webhook(body: Any) -> tuple[str, str, list[str]]:
    clean, errors = check_object(body, WEBHOOK_RULES, nested=frozenset({"events"}), ignore=frozenset())
    errors += [
        (k, "is required") for k in ("url", "secret", "events") if isinstance(body, dict) and k not in clean
    ]
    events = clean.get("events")
    if "events" in clean:
        valid = (
            isinstance(events, list)
            and events
            and all(isinstance(e, str) and e in WEBHOOK_EVENTS for e in events)
        )
        if not valid:
            errors.append(("events", "must be a non-empty list of: " + ", ".join(WEBHOOK_EVENTS)))
        elif isinstance(events, list) and len(set(events)) != len(events):
            errors.append(("events", "must not repeat an event"))
    if errors:
        raise validation_failed(errors)
    return str(clean["url"]), str(clean["secret"]), list(clean["events"])


def _add_webhook_routes(router: APIRouter) -> None:
    async def list_webhooks(request: Request) -> Response:
        return json_response({"items": [_webhook_public(r) for r in shop_of(request).store.webhooks()]})

    async def create_webhook(request: Request) -> Response:
        shop = shop_of(request)
        key = request.headers.get("idempotency-key")
        check_key(key)
        body = await read_json(request)

        def create() -> Response:
            url, secret, events = _check_webhook(body)
            wid = shop.store.webhook_add(url, secret, events, shop.clock.now_us())
            row = next(r for r in shop.store.webhooks() if r[0] == wid)
            return json_response(_webhook_public(row), 201, {"Location": f"/api/v1/webhooks/{wid}"})

        with shop.service.write_lock:
            now = shop.clock.now_us()
            return run_idempotent(
                shop.store,
                key,
                fingerprint("POST", request.url.path, body),
                now,
                shop.idempotency_ttl_us,
                create,
            )

    async def get_webhook(request: Request, id: str) -> Response:
        row = next((r for r in shop_of(request).store.webhooks() if str(r[0]) == id), None)
        if row is None:
            raise not_found("webhooks", id)
        return json_response(_webhook_public(row))

    async def delete_webhook(request: Request, id: str) -> Response:
        if not (id.isdigit() and len(id) < 19 and shop_of(request).store.webhook_delete(int(id))):
            raise not_found("webhooks", id)
        return Response(status_code=204)

    router.add_api_route("/webhooks", list_webhooks, methods=["GET"], operation_id="listWebhooks")
    router.add_api_route("/webhooks", create_webhook, methods=["POST"], operation_id="createWebhook")
    router.add_api_route("/webhooks/{id}", get_webhook, methods=["GET"], operation_id="getWebhook")
    router.add_api_route("/webhooks/{id}", delete_webhook, methods=["DELETE"], operation_id="deleteWebhook")


def build_api_router() -> APIRouter:
    """All ``/api/v1`` routes, each behind the bearer token check."""
    router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_token)])

    async def get_shop(request: Request) -> Response:
        config = shop_of(request).config
        return json_response(
            {
                "name": config.shop_name,
                "currency": config.currency,
                "prices_include_vat": config.prices_include_vat,
                "timezone": "Europe/Oslo",
                "country": "NO",
            }
        )

    router.add_api_route("/shop", get_shop, methods=["GET"], operation_id="getShop")
    for resource in RESOURCES:
        _add_resource_routes(router, resource)
    _add_webhook_routes(router)
    return router
