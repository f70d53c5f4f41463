"""Retries, pacing and error translation: what is repeated, what becomes ambiguous, what surfaces."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, MutableMapping
from typing import Any

import httpx2
import pytest
import structlog

from shopsync.connectors.webshop import (
    AmbiguousWriteError,
    ApiError,
    Conflict,
    NotFound,
    PreconditionFailed,
    Product,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    ValidationFailed,
)
from shopsync.connectors.webshop._http import Safety, error_from_response, parse_retry_after, retry_decision

from .conftest import (
    TOKEN,
    WOO_KEY,
    WOO_SECRET,
    FakeShop,
    body,
    contract_config,
    error,
    product_doc,
    woo_config,
)

NEW_PRODUCT = {
    "sku": "SKU-2001",
    "name": "Kaffekopp",
    "price": "89.50",
    "currency": "NOK",
    "vat_rate": "25.00",
}


def transport_error(sent: bool) -> TransportError:
    return TransportError("boom", sent=sent)


@pytest.mark.parametrize(
    ("exc", "read", "idempotent", "unsafe"),
    [
        (transport_error(sent=False), True, True, True),
        (transport_error(sent=True), True, True, False),
        (ServerError("x", status=503), True, True, False),
        (RateLimited("x", status=429, retry_after=2.0), 2.0, 2.0, 2.0),
        (RateLimited("x", status=429, retry_after=None), True, True, True),
        (RateLimited("x", status=429, retry_after=3600.0), False, False, False),
        (ValidationFailed("x", status=422), False, False, False),
        (PreconditionFailed("x", status=412), False, False, False),
    ],
)
def test_retry_decisions(exc: Exception, read: object, idempotent: object, unsafe: object) -> None:
    """Reads and idempotent writes retry on no answer/5xx/429; unsafe writes only if nothing was processed."""
    assert retry_decision(exc, Safety.READ, 60) == read
    assert retry_decision(exc, Safety.IDEMPOTENT, 60) == idempotent
    assert retry_decision(exc, Safety.UNSAFE, 60) == unsafe


def test_retry_after_parses_seconds_and_http_dates() -> None:
    """Retry-After may be delta-seconds or an HTTP date; junk is ignored."""
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now=1445412480.0) == 5.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    assert parse_retry_after("-3") == 0.0


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, Unauthorized),
        (403, Unauthorized),
        (404, NotFound),
        (409, Conflict),
        (412, PreconditionFailed),
        (422, ValidationFailed),
        (400, ValidationFailed),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
        (418, ApiError),
    ],
)
def test_contract_errors_map_by_status(status: int, cls: type[ApiError]) -> None:
    """The contract's error body becomes the most specific error, with code and per-field messages."""
    response = httpx2.Response(
        status,
        json={
            "error": {
                "code": "c",
                "message": "m",
                "fields": [{"field": "billing_address.city", "message": "required"}],
            }
        },
        headers={"Retry-After": "3"},
    )
    exc = error_from_response(response, contract_config().errors, method="POST", path="/api/v1/customers")
    assert type(exc) is cls and exc.status == status and exc.code == "c"
    assert exc.fields[0].field == "billing_address.city"
    assert "POST /api/v1/customers" in str(exc)
    if isinstance(exc, RateLimited):
        assert exc.retry_after == 3.0


def test_woocommerce_error_codes_override_the_status() -> None:
    """WooCommerce answers 400 for an unknown id on update and for a duplicate SKU: mapped by code."""
    fmt = woo_config().errors
    unknown = httpx2.Response(
        400,
        json={
            "code": "woocommerce_rest_product_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 400},
        },
    )
    duplicate = httpx2.Response(
        400,
        json={
            "code": "product_invalid_sku",
            "message": "Invalid or duplicated SKU.",
            "data": {"status": 400, "resource_id": 12},
        },
    )
    invalid = httpx2.Response(
        400,
        json={
            "code": "rest_invalid_param",
            "message": "Invalid parameter(s): email",
            "data": {"status": 400, "params": {"email": "Invalid email"}},
        },
    )
    assert isinstance(error_from_response(unknown, fmt, method="PUT", path="/p/1"), NotFound)
    assert isinstance(error_from_response(duplicate, fmt, method="POST", path="/p"), Conflict)
    exc = error_from_response(invalid, fmt, method="POST", path="/c")
    assert isinstance(exc, ValidationFailed) and exc.fields[0] == {
        "field": "email",
        "message": "Invalid email",
    }
    not_json = httpx2.Response(502, text="<html>Bad gateway</html>")
    assert isinstance(error_from_response(not_json, fmt, method="GET", path="/p"), ServerError)


def sequence(*answers: httpx2.Response | Exception) -> FakeShop:
    """A shop answering with ``answers`` in order (exceptions are raised as transport failures)."""
    queue = list(answers)

    def handler(request: httpx2.Request) -> httpx2.Response:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return FakeShop(handler)


async def test_reads_survive_5xx_429_and_dropped_connections() -> None:
    """A GET is repeated through server errors, a rate limit and a lost answer."""
    shop = sequence(
        error(503, "internal"),
        error(429, "rate_limited", **{"Retry-After": "0"}),
        httpx2.RemoteProtocolError("Server disconnected without sending a response."),
        httpx2.Response(200, json=product_doc()),
    )
    async with shop.connector() as connector:
        product = await connector.get("products", "2001")
    assert isinstance(product, Product) and product.sku == "SKU-2001" and len(shop.requests) == 4


async def test_reads_give_up_after_the_configured_attempts() -> None:
    """After the last attempt the original failure surfaces (no ambiguity: reads change nothing)."""
    shop = sequence(*[error(503, "internal")] * 4)
    async with shop.connector() as connector:
        with pytest.raises(ServerError):
            await connector.get("products", "2001")
    assert len(shop.requests) == 4


async def test_a_long_retry_after_is_not_waited_out() -> None:
    """A Retry-After beyond ``max_retry_after`` goes to the caller with its delay."""
    shop = sequence(error(429, "rate_limited", **{"Retry-After": "3600"}))
    async with shop.connector() as connector:
        with pytest.raises(RateLimited) as info:
            await connector.get("products", "2001")
    assert info.value.retry_after == 3600.0 and len(shop.requests) == 1


async def test_a_rate_limit_pauses_every_following_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a 429 with Retry-After the connector waits that long before its next request, from anyone."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    shop = sequence(
        error(429, "rate_limited", **{"Retry-After": "30"}), httpx2.Response(200, json=product_doc())
    )
    config = contract_config(retry={"attempts": 1, "max_retry_after": 5})
    async with shop.connector(config) as connector:
        with pytest.raises(RateLimited):
            await connector.get("products", "2001")
        await connector.get("products", "2001")
    assert len(waits) == 1 and 29 < waits[0] <= 30


async def test_pacing_limits_the_request_rate() -> None:
    """The aiolimiter bucket holds ``requests_per_second``: after that many requests it has no capacity."""
    shop = FakeShop(lambda r: httpx2.Response(200, json=product_doc()))
    async with shop.connector(contract_config(pacing={"requests_per_second": 2})) as connector:
        limiter = connector._http._limiter
        assert limiter.has_capacity()
        await connector.get("products", "2001")
        await connector.get("products", "2001")
        assert not limiter.has_capacity()


async def test_a_create_is_retried_with_the_same_idempotency_key() -> None:
    """A create whose answer was lost is sent again with the same key, so the shop can replay it."""
    shop = sequence(httpx2.ReadError("connection reset"), httpx2.Response(201, json=product_doc()))
    async with shop.connector() as connector:
        product = await connector.create("products", NEW_PRODUCT)
    keys = [r.headers["Idempotency-Key"] for r in shop.requests]
    assert product.id == "2001" and len(keys) == 2 and keys[0] == keys[1]
    assert body(shop.requests[0]) == body(shop.requests[1])


async def test_a_given_idempotency_key_is_used_and_reported_when_the_outcome_stays_unknown() -> None:
    """When every attempt is lost the create is ambiguous; the error names the key to retry with."""
    shop = sequence(*[httpx2.ReadTimeout("timed out")] * 4)
    async with shop.connector() as connector:
        with pytest.raises(AmbiguousWriteError) as info:
            await connector.create("products", NEW_PRODUCT, idempotency_key="journal-key-1")
    assert info.value.idempotency_key == "journal-key-1"
    assert {r.headers["Idempotency-Key"] for r in shop.requests} == {"journal-key-1"}


async def test_a_refused_connection_is_a_transport_error_not_an_ambiguity() -> None:
    """Nothing reached the shop: the caller may simply try later."""
    shop = sequence(*[httpx2.ConnectError("refused")] * 4)
    async with shop.connector() as connector:
        with pytest.raises(TransportError) as info:
            await connector.create("products", NEW_PRODUCT)
    assert not info.value.sent


async def test_a_412_after_a_lost_attempt_is_flagged_for_a_re_read() -> None:
    """If-Match writes are retried; a 412 then may be our own first attempt: ``after_retry`` says so."""
    shop = sequence(httpx2.ReadError("reset"), error(412, "precondition_failed"))
    async with shop.connector() as connector:
        with pytest.raises(PreconditionFailed) as info:
            await connector.update("products", "2001", {"price": "99.00"}, if_match=3)
    assert info.value.after_retry
    assert [r.headers["If-Match"] for r in shop.requests] == ['"3"', '"3"']
    assert body(shop.requests[0]) == {"price": "99.00"}


async def test_a_plain_412_is_not_flagged() -> None:
    """A stale version on the first attempt is an ordinary precondition failure."""
    shop = sequence(error(412, "precondition_failed"))
    async with shop.connector() as connector:
        with pytest.raises(PreconditionFailed) as info:
            await connector.update("products", "2001", {"price": "99.00"}, if_match=3)
    assert not info.value.after_retry


async def test_a_delete_whose_first_answer_was_lost_and_then_404s_succeeded() -> None:
    """A 404 after a lost delete attempt means our delete went through."""
    shop = sequence(httpx2.ReadError("reset"), error(404, "not_found"))
    async with shop.connector() as connector:
        await connector.delete("products", "2001", if_match=2)
    shop_missing = sequence(error(404, "not_found"))
    async with shop_missing.connector() as connector:
        with pytest.raises(NotFound):
            await connector.delete("products", "2001")


def woo_product_json(**extra: Any) -> dict[str, Any]:
    return {
        "id": 12,
        "sku": "SKU-2001",
        "name": "Kaffekopp",
        "regular_price": "89.50",
        "price": "89.50",
        "tax_class": "",
        "status": "publish",
        "stock_quantity": None,
        "description": "",
        "date_created_gmt": "2026-03-01T10:00:00",
        "date_modified_gmt": "2026-03-01T10:00:00",
        **extra,
    }


async def test_without_idempotency_keys_a_lost_create_is_settled_by_its_natural_key() -> None:
    """WooCommerce has no idempotency: after a 502 the SKU is looked up instead of creating a duplicate."""
    shop = sequence(httpx2.Response(502, text="Bad gateway"), httpx2.Response(200, json=[woo_product_json()]))
    async with shop.connector(woo_config()) as connector:
        product = await connector.create("products", NEW_PRODUCT)
    assert product.id == "12"
    assert [(r.method, r.url.params.get("sku")) for r in shop.requests] == [
        ("POST", None),
        ("GET", "SKU-2001"),
    ]
    assert "Idempotency-Key" not in shop.requests[0].headers


async def test_without_idempotency_keys_or_natural_key_a_lost_create_is_ambiguous() -> None:
    """An order has no natural key in WooCommerce: a lost create is never re-sent blindly."""
    order = {
        "status": "pending",
        "ordered_at": "2026-03-01T10:00:00+00:00",
        "currency": "NOK",
        "billing_address": {"line1": "a", "postal_code": "0155", "city": "Oslo", "country": "NO"},
        "lines": [],
    }
    shop = sequence(httpx2.ReadTimeout("timed out"))
    async with shop.connector(woo_config()) as connector:
        with pytest.raises(AmbiguousWriteError) as info:
            await connector.create("orders", order)
    assert info.value.idempotency_key is None and len(shop.requests) == 1


async def test_emulated_if_match_reads_then_refuses_a_stale_version() -> None:
    """For shops without If-Match the connector compares the version it just read."""
    shop = sequence(httpx2.Response(200, json=woo_product_json()))
    async with shop.connector(woo_config()) as connector:
        with pytest.raises(PreconditionFailed):
            await connector.update("products", "12", {"price": "95.00"}, if_match=1)
    assert [r.method for r in shop.requests] == ["GET"]


@pytest.fixture
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    with structlog.testing.capture_logs() as captured:
        yield captured


async def test_secrets_never_reach_logs_reprs_or_errors(logs: list[MutableMapping[str, Any]]) -> None:
    """Requests, retries and failures are logged without tokens; reprs and messages hold none either."""
    shop = sequence(
        error(503, "internal"), httpx2.ReadError("reset"), error(401, "unauthorized", "bad token")
    )
    config = contract_config(webhooks={"secret": "whsec-s3cret-777"})
    async with shop.connector(config) as connector:
        with pytest.raises(Unauthorized) as info:
            await connector.get("products", "2001")
        texts = [repr(connector), repr(connector._http), repr(config), str(info.value), repr(info.value)]
    woo_shop = sequence(error(503, "internal"), httpx2.Response(200, json=woo_product_json()))
    query_auth = {"style": "query", "query_params": {"consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET}}
    async with woo_shop.connector(woo_config(auth=query_auth)) as woo:
        await woo.get("products", "12")
    assert any(e["event"] == "webshop.request" for e in logs)
    everything = "\n".join(texts + [repr(e) for e in logs])
    for secret in (TOKEN, WOO_KEY, WOO_SECRET, "whsec-s3cret-777"):
        assert secret not in everything
    assert WOO_SECRET in str(woo_shop.requests[-1].url)  # it was sent, just never shown


async def test_an_update_that_changes_nothing_stored_sends_no_write() -> None:
    """Re-sending current values to a mapped shop is a no-op: no PUT that would bump its timestamps."""
    shop = sequence(httpx2.Response(200, json=woo_product_json()))
    async with shop.connector(woo_config()) as connector:
        current = await connector.update("products", "12", {"name": "Kaffekopp"})
    assert isinstance(current, Product) and current.name == "Kaffekopp"
    assert [r.method for r in shop.requests] == ["GET"]
