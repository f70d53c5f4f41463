"""The admin API outside ``/v2`` (``/_sim``): stats, fault injection, reset, webhook log."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.api import body, json_response, runtime

__all__ = ["admin_router"]

#: Accepted ``POST /_sim/faults`` keys and their types.
_FAULT_KEYS: dict[str, type] = {
    "fail_next": int,
    "fail_status": int,
    "fail_html": bool,
    "drop_after_commit": int,
    "latency_ms": int,
    "fail_rate": float,
    "rate_limit_for": float,
    "expire_sessions": bool,
}


def admin_router() -> APIRouter:
    """Routes under ``/_sim``."""
    router = APIRouter(prefix="/_sim")

    @router.get("/stats")
    async def stats(request: Request) -> Response:
        """Request counters, webhook counters and current faults."""
        rt = runtime(request)
        data = rt.stats.snapshot()
        data["faults_active"] = rt.faults.snapshot()
        data["sessions"] = len(rt.sessions)
        data["webhooksPending"] = rt.dispatcher.pending()
        return json_response(data)

    @router.get("/faults")
    async def get_faults(request: Request) -> Response:
        """Current fault settings."""
        return json_response(runtime(request).faults.snapshot())

    @router.post("/faults")
    async def set_faults(request: Request) -> Response:
        """Inject faults; see ``faults.py`` for the keys."""
        rt = runtime(request)
        settings = _checked(await body(request))
        rt.faults.update(settings)
        if settings.get("rate_limit_for"):
            rt.limiter.force(float(settings["rate_limit_for"]))
        expired = rt.sessions.expire_all() if settings.get("expire_sessions") else 0
        return json_response({**rt.faults.snapshot(), "expired_sessions": expired})

    @router.delete("/faults")
    async def clear_faults(request: Request) -> Response:
        """Back to the configured behaviour (forced 429 windows end too)."""
        rt = runtime(request)
        rt.faults.clear()
        rt.limiter.force(0)
        return json_response(rt.faults.snapshot())

    @router.post("/reset")
    async def reset(request: Request) -> Response:
        """Clear data and counters; seed again when the simulator was started with a seed."""
        runtime(request).reset()
        return json_response({"reset": True})

    @router.get("/webhooks")
    async def webhooks(request: Request) -> Response:
        """The last deliveries (outcome, attempts, idempotency key) and how many are pending."""
        d = runtime(request).dispatcher
        return json_response({"pending": d.pending(), "deliveries": list(d.log)})

    return router


def _checked(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise errors.mapping_failed("POST /_sim/faults takes a JSON object")
    out: dict[str, Any] = {}
    for key, value in data.items():
        kind = _FAULT_KEYS.get(key)
        if kind is None:
            raise errors.mapping_failed(f'Unknown fault "{key}"; known: {sorted(_FAULT_KEYS)}', key)
        if kind is float and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = float(value)
        elif (
            kind is int and not isinstance(value, bool) and hasattr(value, "__int__") and int(value) == value
        ):
            value = int(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise errors.mapping_failed(f"{key} must be {kind.__name__}", key)
        out[key] = value
    return out
