"""In-process reference webshop for unit tests (httpx2 ASGITransport, no socket, no lifespan)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

from shopsync.simulators.webshop import WebshopApp, WebshopConfig, create_app

AUTH = {"Authorization": "Bearer sim-webshop"}

CUSTOMER: dict[str, Any] = {
    "type": "private",
    "first_name": "Kari",
    "last_name": "Nordmann",
    "email": "kari@example.no",
    "billing_address": {"line1": "Storgata 1", "postal_code": "0155", "city": "Oslo", "country": "NO"},
}
PRODUCT: dict[str, Any] = {"sku": "KAFFE-500", "name": "Kaffe 500 g", "price": "129.90", "vat_rate": "15.00"}


@pytest.fixture
def shop_app() -> WebshopApp:
    """An empty reference webshop app."""
    return create_app(WebshopConfig())


@pytest.fixture
async def client(shop_app: WebshopApp) -> AsyncIterator[httpx2.AsyncClient]:
    """An authenticated in-process client of ``shop_app``."""
    transport = httpx2.ASGITransport(app=shop_app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://shop", headers=AUTH) as c:
        yield c
