"""The ``/v2`` API, one module per resource; ``api_router()`` mounts them all."""

from __future__ import annotations

from fastapi import APIRouter

from shopsync.simulators.tripletex.routes import customers, events, orders, products, reference, session

__all__ = ["api_router"]


def api_router() -> APIRouter:
    """Every ``/v2`` route."""
    router = APIRouter(prefix="/v2")
    for module in (session, customers, products, orders, reference, events):
        router.include_router(module.router)
    return router
