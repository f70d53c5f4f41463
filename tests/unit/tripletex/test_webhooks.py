"""Webhook subscriptions and verification of callbacks (auth header + HMAC-SHA512 signature)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable

import pytest
from pydantic import SecretStr

from shopsync.tripletex import (
    WEBHOOK_EVENTS,
    Customer,
    TripletexClient,
    WebhookVerificationError,
    sign_callback,
    verify_callback,
)

from .conftest import FakeApi, body, value, values

Build = Callable[..., tuple[TripletexClient, FakeApi]]
SECRET = "hmac-shared-secret-0123456789"
AUTH = "Bearer callback-auth-s3cret"
PAYLOAD = json.dumps(
    {"subscriptionId": 5, "event": "customer.update", "id": 42, "value": {"id": 42, "name": "A"}}
).encode()


def signed_headers(payload: bytes = PAYLOAD, key: str = "idem-1") -> dict[str, str]:
    """Headers Tripletex would send, signed as its docs describe."""
    digest = hmac.new(SECRET.encode(), key.encode() + b"&" + payload, hashlib.sha512).digest()
    return {
        "Authorization": AUTH,
        "idempotency-key": key,
        "X-Request-Signature": base64.b64encode(digest).decode(),
    }


def test_good_callback_verifies_and_parses() -> None:
    """A correctly signed callback yields the event, with its idempotency key."""
    event = verify_callback(signed_headers(), PAYLOAD, AUTH, SecretStr(SECRET))
    assert (event.subscription_id, event.event, event.id, event.idempotency_key) == (
        5,
        "customer.update",
        42,
        "idem-1",
    )
    assert (event.subject, event.action) == ("customer", "update")
    obj = event.object()
    assert isinstance(obj, Customer) and obj.name == "A"


def test_sign_callback_matches_the_documented_formula() -> None:
    """``sign_callback`` is base64(HmacSHA512(key + '&' + body))."""
    assert sign_callback(PAYLOAD, "idem-1", SECRET) == signed_headers()["X-Request-Signature"]


def test_forged_body_is_rejected() -> None:
    """Changing one byte of the body breaks the signature."""
    forged = PAYLOAD.replace(b'"A"', b'"B"')
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify_callback(signed_headers(), forged, AUTH, SECRET)


def test_replayed_signature_with_other_key_is_rejected() -> None:
    """The idempotency key is part of the signed text."""
    headers = {**signed_headers(), "idempotency-key": "idem-2"}
    with pytest.raises(WebhookVerificationError):
        verify_callback(headers, PAYLOAD, AUTH, SECRET)


def test_wrong_or_missing_auth_header_is_rejected() -> None:
    """The subscription's auth header must match exactly."""
    with pytest.raises(WebhookVerificationError, match="Authorization"):
        verify_callback({**signed_headers(), "Authorization": "Bearer nope"}, PAYLOAD, AUTH, SECRET)
    headers = signed_headers()
    del headers["Authorization"]
    with pytest.raises(WebhookVerificationError):
        verify_callback(headers, PAYLOAD, AUTH, SECRET)


def test_custom_auth_header_name() -> None:
    """The header name is the subscription's ``authHeaderName``, matched case-insensitively."""
    headers = {"X-Shopsync-Token": "tok-123456"}
    event = verify_callback(headers, PAYLOAD, "tok-123456", auth_header_name="x-shopsync-token")
    assert event.id == 42


def test_missing_signature_headers_are_rejected() -> None:
    """With an HMAC secret configured, an unsigned callback is refused."""
    with pytest.raises(WebhookVerificationError):
        verify_callback({"Authorization": AUTH}, PAYLOAD, AUTH, SECRET)


def test_delete_event_has_no_value() -> None:
    """``*.delete`` callbacks carry ``value: null``."""
    payload = json.dumps({"subscriptionId": 5, "event": "product.delete", "id": 7, "value": None}).encode()
    event = verify_callback(signed_headers(payload), payload, AUTH, SECRET)
    assert event.value is None and event.object() is None


def test_garbage_body_is_a_verification_error() -> None:
    """A signed body that is not a webhook envelope is still refused."""
    payload = b"[1, 2]"
    with pytest.raises(WebhookVerificationError, match="envelope"):
        verify_callback(signed_headers(payload), payload, AUTH, SECRET)


def test_verifying_nothing_is_refused() -> None:
    """Calling verify_callback without any secret is a programming error."""
    with pytest.raises(ValueError):
        verify_callback({}, PAYLOAD)


async def test_create_sends_secrets_but_never_keeps_them(make_client: Build) -> None:
    """The POST carries auth header value and HMAC secret; the returned model holds neither."""

    def handler(request):  # type: ignore[no-untyped-def]
        sent = body(request)
        return value(
            {**sent, "id": 3, "version": 0, "status": "ACTIVE"}, status=201
        )  # a server echoing secrets

    client, api = make_client(handler)
    sub = await client.webhooks.create(
        "customer.update",
        "https://shop.example/hooks/tripletex",
        fields="id,version,name",
        auth_header_name="Authorization",
        auth_header_value=SecretStr(AUTH),
        hmac_secret=SecretStr(SECRET),
    )
    sent = body(api.requests[0])
    assert sent["authHeaderValue"] == AUTH and sent["hmacSharedSecret"] == SECRET
    assert sub.id == 3 and sub.authHeaderValue is None and sub.hmacSharedSecret is None
    assert SECRET not in repr(sub) and AUTH not in repr(sub)


async def test_create_many_uses_the_list_endpoint(make_client: Build) -> None:
    """Subscribing to the nine events is one POST /event/subscription/list."""

    def handler(request):  # type: ignore[no-untyped-def]
        rows = [{**item, "id": n} for n, item in enumerate(body(request), 1)]
        return values(rows, status=201)

    client, api = make_client(handler)
    subs = await client.webhooks.create_many("https://shop.example/hook", hmac_secret=SECRET)
    assert api.paths() == ["POST /event/subscription/list"]
    assert [s.event for s in subs] == list(WEBHOOK_EVENTS)
    assert len(WEBHOOK_EVENTS) == 9


async def test_list_get_delete(make_client: Build) -> None:
    """Listing, reading and deleting subscriptions hit the documented paths."""

    def handler(request):  # type: ignore[no-untyped-def]
        if request.method == "DELETE":
            return value({}, status=204)
        if request.url.path.endswith("/subscription"):
            return values([{"id": 1, "event": "order.create"}])
        return value({"id": 1, "event": "order.create"})

    client, api = make_client(handler)
    assert [s.id for s in await client.webhooks.list()] == [1]
    assert (await client.webhooks.get(1)).event == "order.create"
    await client.webhooks.delete(1)
    assert api.paths() == [
        "GET /event/subscription",
        "GET /event/subscription/1",
        "DELETE /event/subscription/1",
    ]


async def test_subscription_fields_are_checked(make_client: Build) -> None:
    """A typo in a subscription's ``fields`` fails before subscribing."""
    client, api = make_client(lambda r: value({}))
    with pytest.raises(ValueError):
        await client.webhooks.create("product.create", "https://x.example/h", fields="id,nmae")
    assert api.requests == []
