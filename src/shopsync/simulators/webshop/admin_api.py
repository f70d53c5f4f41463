"""The simulator's own admin API under ``/_sim`` (no token: it is a local test tool).

The payloads mirror the Tripletex simulator's admin API.

- ``GET /_sim/stats``: API requests per method + route template, per status, writes, 429s, injected
  faults, webhook attempts, the active faults and record counts.
- ``GET|POST|DELETE /_sim/faults``: read, change or clear the fault knobs (``fail_next``,
  ``fail_status``, ``drop_after_commit``, ``rate_limit_for``, ``latency_ms``, ``fail_rate``).
- ``POST /_sim/reset``: empty the shop and seed it again as at start-up.
- ``POST /_sim/clock``: ``{"freeze": "<RFC 3339>"}`` stops the clock (many writes then share one
  ``updated_at``), ``{"freeze": null}`` lets it run.
- ``GET /_sim/webhooks``: the webhook delivery log.
- ``POST /_sim/raw/{resource}``: a test tool for hostile input. Stores a JSON object (or a list of
  them) as records exactly as given, *without validation* and without webhook events, so a client's
  handling of malformed records can be tested over the real feed. The shop assigns ``id`` and
  ``version`` (always) and ``created_at``/``updated_at`` where the object lacks them; whatever else
  the object holds is served verbatim by the feed and by ``GET``. Such records are meant to be read,
  not written: writes to them and the admin page may fail. Answers ``{"ids": [...]}``.
"""

from __future__ import annotations

import math
import time
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import Response

from shopsync.simulators.webshop.api import json_response, read_json, shop_of
from shopsync.simulators.webshop.clock import parse_ts, to_us, us_to_text
from shopsync.simulators.webshop.errors import validation_failed
from shopsync.simulators.webshop.faults import FaultState
from shopsync.simulators.webshop.state import ShopState
from shopsync.simulators.webshop.store import RESOURCES

__all__ = ["FaultsUpdate", "build_admin_router"]


class FaultsUpdate(BaseModel):
    """Body of ``POST /_sim/faults`` (the Tripletex simulator's keys): only the knobs sent change."""

    model_config = ConfigDict(extra="forbid")

    fail_next: int | None = Field(default=None, ge=0)
    fail_status: int | None = Field(default=None, ge=500, le=599)
    drop_after_commit: int | None = Field(default=None, ge=0)
    rate_limit_for: float | None = Field(default=None, ge=0)
    """Answer every API request with 429 (and a counting-down Retry-After) for this many seconds."""
    latency_ms: int | None = Field(default=None, ge=0)
    fail_rate: float | None = Field(default=None, ge=0.0, le=1.0)


def _validation_fields(exc: ValidationError) -> list[tuple[str, str]]:
    return [(".".join(str(p) for p in err["loc"]) or "body", err["msg"]) for err in exc.errors()]


def build_admin_router() -> APIRouter:
    """The ``/_sim`` routes."""
    router = APIRouter(prefix="/_sim", include_in_schema=False)

    @router.get("/stats")
    async def stats(request: Request) -> Response:
        shop = shop_of(request)
        deliveries = shop.dispatcher.deliveries()
        body: dict[str, Any] = shop.stats.snapshot()
        body["faults_active"] = shop.faults.public()
        body["webhooksPending"] = sum(1 for d in deliveries if d["state"] == "pending")
        body["records"] = {
            r: {"live": shop.store.count(r), "deleted": shop.store.count(r, live=False)} for r in RESOURCES
        }
        return json_response(body)

    @router.get("/faults")
    async def get_faults(request: Request) -> Response:
        return json_response(shop_of(request).faults.public())

    @router.post("/faults")
    async def set_faults(request: Request) -> Response:
        shop = shop_of(request)
        try:
            update = FaultsUpdate.model_validate(await read_json(request))
        except ValidationError as exc:
            raise validation_failed(_validation_fields(exc)) from None
        faults = shop.faults
        for name in ("fail_next", "fail_status", "drop_after_commit", "latency_ms", "fail_rate"):
            value = getattr(update, name)
            if value is not None:
                setattr(faults, name, value)
        if update.rate_limit_for is not None:
            faults.rate_limited_until = time.monotonic() + math.ceil(update.rate_limit_for)
        return json_response(faults.public())

    @router.delete("/faults")
    async def clear_faults(request: Request) -> Response:
        """Back to the configured behaviour (a forced 429 window ends too)."""
        shop = shop_of(request)
        fresh = FaultState(fail_rate=shop.config.fail_rate)
        for name in (
            "fail_next",
            "fail_status",
            "drop_after_commit",
            "rate_limited_until",
            "latency_ms",
            "fail_rate",
        ):
            setattr(shop.faults, name, getattr(fresh, name))
        return json_response(shop.faults.public())

    @router.post("/reset")
    async def reset(request: Request) -> Response:
        shop = shop_of(request)
        shop.reset()
        return json_response({"reset": True, "records": {r: shop.store.count(r) for r in RESOURCES}})

    @router.post("/clock")
    async def clock(request: Request) -> Response:
        shop = shop_of(request)
        body = await read_json(request)
        if not isinstance(body, dict) or set(body) != {"freeze"}:
            raise validation_failed(
                [("freeze", 'send {"freeze": "<RFC 3339 date-time>"} or {"freeze": null}')]
            )
        value = body["freeze"]
        if value is None:
            shop.clock.freeze(None)
        else:
            moment = parse_ts(value) if isinstance(value, str) else None
            if moment is None:
                raise validation_failed([("freeze", "must be an RFC 3339 date-time with offset, or null")])
            shop.clock.freeze(to_us(moment))
        return json_response({"frozen": shop.clock.frozen, "now": us_to_text(shop.clock.now_us())})

    @router.post("/raw/{resource}")
    async def raw_insert(request: Request, resource: str) -> Response:
        if resource not in RESOURCES:
            raise validation_failed([("resource", f"must be one of {', '.join(RESOURCES)}")])
        body = await read_json(request)
        docs = body if isinstance(body, list) else [body]
        if not docs or not all(isinstance(d, dict) for d in docs):
            raise validation_failed([("body", "send a JSON object or a non-empty list of objects")])
        return json_response({"ids": _insert_raw(shop_of(request), resource, docs)})

    @router.get("/webhooks")
    async def webhooks(request: Request) -> Response:
        deliveries = shop_of(request).dispatcher.deliveries()
        pending = sum(1 for d in deliveries if d["state"] == "pending")
        return json_response({"pending": pending, "deliveries": deliveries})

    return router


def _insert_raw(shop: ShopState, resource: str, docs: list[dict[str, Any]]) -> list[str]:
    """Store ``docs`` unvalidated (see ``POST /_sim/raw``); their new ids."""
    ids: list[str] = []
    with shop.service.write_lock, shop.store.transaction():
        first = shop.store.next_ids(resource, len(docs))
        for offset, given in enumerate(docs):
            now = shop.clock.now_us()
            stamps = {"created_at": us_to_text(now), "updated_at": us_to_text(now)}
            doc = {**stamps, **given, "id": str(first + offset), "version": 1}
            # No lookup value: a raw record never blocks a valid one's SKU or order number.
            shop.store.upsert(resource, doc, now, None)
            ids.append(doc["id"])
    return ids
