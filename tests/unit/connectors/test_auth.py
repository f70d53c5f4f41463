"""Each auth style puts the credential where the shop expects it, and nowhere in logs or reprs."""

from __future__ import annotations

import base64
import logging

import httpx2
import pytest

from shopsync.connectors.webshop._auth import ConfigAuth, QueryParamRedactor

from .conftest import TOKEN, WOO_KEY, WOO_SECRET, FakeShop, contract_config


def ok(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "name": "x",
            "currency": "NOK",
            "prices_include_vat": True,
            "timezone": "Europe/Oslo",
            "country": "NO",
        },
    )


async def settings_request(**auth: object) -> httpx2.Request:
    shop = FakeShop(ok)
    async with shop.connector(contract_config(auth=auth)) as connector:
        await connector.shop_settings()
    return shop.requests[0]


async def test_bearer() -> None:
    """``Authorization: Bearer <token>`` (the contract)."""
    request = await settings_request(style="bearer", token=TOKEN)
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_basic() -> None:
    """HTTP Basic with key and secret (WooCommerce over HTTPS)."""
    request = await settings_request(style="basic", username=WOO_KEY, password=WOO_SECRET)
    expected = base64.b64encode(f"{WOO_KEY}:{WOO_SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"


async def test_header_key() -> None:
    """A named header carrying the key."""
    request = await settings_request(style="header", header_name="X-Shop-Key", token=TOKEN)
    assert request.headers["X-Shop-Key"] == TOKEN and "Authorization" not in request.headers


async def test_query_key() -> None:
    """Query parameters (WooCommerce ``consumer_key``/``consumer_secret`` for servers without Basic)."""
    request = await settings_request(
        style="query", query_params={"consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET}
    )
    assert (
        request.url.params["consumer_key"] == WOO_KEY and request.url.params["consumer_secret"] == WOO_SECRET
    )
    assert "Authorization" not in request.headers


async def test_none() -> None:
    """No credential at all."""
    request = await settings_request(style="none")
    assert "Authorization" not in request.headers


async def test_httpx_request_logs_do_not_show_query_credentials(caplog: pytest.LogCaptureFixture) -> None:
    """httpx2 logs full URLs at INFO: the configured credential parameters are masked there."""
    with caplog.at_level(logging.INFO, logger="httpx2"):
        await settings_request(
            style="query", query_params={"consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET}
        )
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "consumer_secret=" in text and WOO_SECRET not in text and WOO_KEY not in text


def test_redactor_masks_only_the_named_parameters() -> None:
    """Other parameters stay readable."""
    record = logging.LogRecord(
        "httpx2", logging.INFO, "", 0, "GET %s", ("https://x/p?page=2&key=abc&keys=1",), None
    )
    QueryParamRedactor(["key"]).filter(record)
    assert record.getMessage() == "GET https://x/p?page=2&key=**********&keys=1"


def test_auth_repr_has_no_secret() -> None:
    """The auth object names its style only."""
    auth = ConfigAuth(contract_config(auth={"style": "bearer", "token": TOKEN}).auth)
    assert repr(auth) == "ConfigAuth(style='bearer')"
