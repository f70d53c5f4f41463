"""Helpers for connector unit tests: configs with fake hosts and zero backoff, connectors on MockTransport.

``FakeShop`` wraps a handler function and keeps every request it saw, so tests can assert what went
over the wire (headers, query, body) without a server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

from shopsync.connectors.webshop import WebshopAPIConfig, WebshopConnector, load_preset

BASE = "https://shop.test"
TOKEN = "contract-token-s3cret-0001"
WOO_KEY = "ck_live_key_s3cret_0002"
WOO_SECRET = "cs_live_secret_s3cret_0003"
FAST: dict[str, Any] = {
    "retry": {"attempts": 4, "wait_initial": 0.0, "wait_max": 0.0, "wait_jitter": 0.0},
    "pacing": {"requests_per_second": 10_000},
}

Handler = Callable[[httpx2.Request], httpx2.Response]


def contract_config(**overrides: Any) -> WebshopAPIConfig:
    """The contract config against ``BASE`` with no backoff waits."""
    data: dict[str, Any] = {"base_url": BASE, "auth": {"token": TOKEN}, **FAST}
    data.update(overrides)
    return WebshopAPIConfig.model_validate(data)


def woo_config(**overrides: Any) -> WebshopAPIConfig:
    """The WooCommerce preset against ``BASE`` with no backoff waits."""
    auth = overrides.pop("auth", {"username": WOO_KEY, "password": WOO_SECRET})
    return load_preset("woocommerce", base_url=BASE, auth=auth, **FAST, **overrides)


class FakeShop:
    """A MockTransport handler that records requests and delegates answers to ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.handler(request)

    def connector(self, config: WebshopAPIConfig | None = None) -> WebshopConnector:
        return WebshopConnector(config or contract_config(), transport=httpx2.MockTransport(self))

    def of(self, method: str) -> list[httpx2.Request]:
        return [r for r in self.requests if r.method == method]


def body(request: httpx2.Request) -> Any:
    """The JSON body of a recorded request."""
    return json.loads(request.content)


def error(status: int, code: str, message: str = "failed", **headers: str) -> httpx2.Response:
    """An answer in the contract's error format."""
    return httpx2.Response(
        status, json={"error": {"code": code, "message": message, "fields": []}}, headers=headers
    )


def product_doc(record_id: str = "2001", version: int = 1, **extra: Any) -> dict[str, Any]:
    """A product in contract shape, as the reference shop stores it."""
    return {
        "id": record_id,
        "sku": f"SKU-{record_id}",
        "name": "Kaffekopp",
        "description": "",
        "price": "89.50",
        "currency": "NOK",
        "vat_rate": "25.00",
        "active": True,
        "stock_quantity": 4,
        "created_at": "2026-03-01T10:00:00+00:00",
        "updated_at": "2026-03-01T10:00:00+00:00",
        "version": version,
        **extra,
    }
