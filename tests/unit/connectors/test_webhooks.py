"""Webhook verification: authentic deliveries pass; forged, tampered, stale, future, malformed ones fail."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal

import httpx2
import pytest
from pydantic import ValidationError

from shopsync.connectors.webshop import (
    ConfigError,
    Product,
    WebhookConfig,
    WebhookRejected,
    WebshopConnector,
    sign_webhook,
    verify_webhook,
)

from .conftest import FakeShop, contract_config, product_doc, woo_config

SECRET = "whsec-test-5ecret"
NOW = 1_780_000_000
BODY = json.dumps(
    {
        "event": "product.updated",
        "resource": "products",
        "id": "2001",
        "occurred_at": "2026-05-28T20:26:40+00:00",
        "data": product_doc(),
    }
).encode()


def unused(request: httpx2.Request) -> httpx2.Response:
    raise AssertionError("verification needs no request")


def headers(body: bytes = BODY, timestamp: int = NOW, secret: str = SECRET) -> dict[str, str]:
    return {
        "Webhook-Id": "5f0c6f5e-delivery",
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": sign_webhook(secret, body, timestamp),
    }


def reason(hdrs: dict[str, str], body: bytes = BODY, now: float = NOW) -> str:
    with pytest.raises(WebhookRejected) as info:
        verify_webhook(hdrs, body, SECRET, now=now)
    return info.value.reason


def test_an_authentic_delivery_is_accepted_and_parsed() -> None:
    """A correct signature within the tolerance yields the event, its delivery id and the record."""
    event = verify_webhook(headers(), BODY, SECRET, now=NOW + 10)
    assert (event.event, event.resource, event.id, event.webhook_id) == (
        "product.updated",
        "products",
        "2001",
        "5f0c6f5e-delivery",
    )
    assert isinstance(event.record(), Product)


def test_header_names_are_case_insensitive() -> None:
    """Proxies and frameworks change header case; verification does not care."""
    lowered = {k.lower(): v for k, v in headers().items()}
    assert verify_webhook(lowered, BODY.decode(), SECRET, now=NOW).id == "2001"


def test_a_forged_signature_is_rejected() -> None:
    """Signed with another secret: rejected as a bad signature."""
    assert reason(headers(secret="someone-else")) == "signature"


def test_a_tampered_body_is_rejected() -> None:
    """Any change to the body after signing breaks the signature."""
    assert reason(headers(), BODY.replace(b"2001", b"2002")) == "signature"


def test_a_moved_timestamp_is_rejected() -> None:
    """The timestamp is signed too: shifting it (to make a replay look fresh) breaks the signature."""
    forged = {**headers(timestamp=NOW - 3600), "Webhook-Timestamp": str(NOW)}
    assert reason(forged) == "signature"


def test_stale_and_future_deliveries_are_rejected_even_when_signed() -> None:
    """Older than 300 s (a replay) or more than 300 s ahead (a wrong clock): rejected; the edge passes."""
    assert reason(headers(timestamp=NOW - 301)) == "stale"
    assert reason(headers(timestamp=NOW + 301)) == "future"
    assert verify_webhook(headers(timestamp=NOW - 300), BODY, SECRET, now=NOW).id == "2001"
    with pytest.raises(WebhookRejected):
        verify_webhook(headers(timestamp=NOW - 61), BODY, SECRET, now=NOW, tolerance=60)


def test_missing_and_malformed_parts_are_rejected() -> None:
    """No headers, a non-numeric timestamp, an unknown scheme or a signed non-event body: all rejected."""
    assert reason({}) == "missing_header"
    assert reason({**headers(), "Webhook-Timestamp": "yesterday"}) == "malformed"
    assert (
        reason({**headers(), "Webhook-Signature": headers()["Webhook-Signature"].replace("v1=", "v0=")})
        == "signature"
    )
    junk = b"[1, 2]"
    assert reason(headers(body=junk), junk) == "malformed"


def test_several_signatures_allow_secret_rotation() -> None:
    """During a rotation the shop sends one signature per secret; one valid signature suffices."""
    both = {
        **headers(),
        "Webhook-Signature": f"{sign_webhook('old-secret', BODY, NOW)}, {headers()['Webhook-Signature']}",
    }
    assert verify_webhook(both, BODY, SECRET, now=NOW).id == "2001"


def test_the_connector_verifies_with_its_configured_secret() -> None:
    """``WebshopConnector.verify_webhook`` uses the configured secret and tolerance; no secret: it refuses."""
    connector = FakeShop(unused).connector(contract_config(webhooks={"secret": SECRET, "tolerance": 30}))
    assert connector.verify_webhook(headers(), BODY, now=NOW + 30).id == "2001"
    with pytest.raises(WebhookRejected):
        connector.verify_webhook(headers(), BODY, now=NOW + 31)
    bare = FakeShop(unused).connector()
    with pytest.raises(ConfigError):
        bare.verify_webhook(headers(), BODY, now=NOW)


def test_an_empty_secret_never_verifies_anything() -> None:
    """A misconfigured empty secret must not turn verification off."""
    with pytest.raises(WebhookRejected):
        verify_webhook(headers(secret=""), BODY, "", now=NOW)  # pragma: no branch


WOO_SECRET_HOOK = "woo-webhook-secret-42"


def woo_headers(body: bytes, topic: str, secret: str = WOO_SECRET_HOOK) -> dict[str, str]:
    """Headers as WooCommerce sends them: base64 HMAC of the raw body, no timestamp."""
    mac = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Signature": mac,
        "X-WC-Webhook-Delivery-ID": "4b1d3c2e",
        "X-WC-Webhook-Source": "https://shop.example/",
    }


def woo_connector() -> WebshopConnector:
    return FakeShop(unused).connector(woo_config(webhooks={"secret": WOO_SECRET_HOOK}))


WOO_PRODUCT = json.dumps(
    {
        "id": 42,
        "sku": "KOPP-01",
        "name": "Kaffekopp",
        "regular_price": "80",
        "price": "80",
        "tax_class": "reduced-rate",
        "status": "publish",
        "stock_quantity": 3,
        "description": "",
        "date_created_gmt": "2026-03-01T10:00:00",
        "date_modified_gmt": "2026-03-02T09:00:00",
    }
).encode()


def test_woocommerce_deliveries_verify_and_become_contract_events() -> None:
    """A WooCommerce webhook (the record as body) arrives as a contract event with a contract record."""
    event = woo_connector().verify_webhook(woo_headers(WOO_PRODUCT, "product.updated"), WOO_PRODUCT)
    assert (event.event, event.resource, event.id, event.webhook_id) == (
        "product.updated",
        "products",
        "42",
        "4b1d3c2e",
    )
    record = event.record()
    assert isinstance(record, Product) and record.price == Decimal("80") and record.vat_rate == Decimal("15")
    assert event.occurred_at == dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def test_woocommerce_deletes_forgeries_pings_and_unknown_topics() -> None:
    """Deletes carry no record; a wrong secret, the creation ping and odd topics are rejected with reasons."""
    connector = woo_connector()
    gone = b'{"id": 42}'
    assert connector.verify_webhook(woo_headers(gone, "product.deleted"), gone).data is None
    with pytest.raises(WebhookRejected) as forged:
        connector.verify_webhook(woo_headers(WOO_PRODUCT, "product.updated", secret="other"), WOO_PRODUCT)
    assert forged.value.reason == "signature"
    with pytest.raises(WebhookRejected) as ping:
        connector.verify_webhook({"Content-Type": "application/x-www-form-urlencoded"}, b"webhook_id=7")
    assert ping.value.reason == "ping"
    with pytest.raises(WebhookRejected) as odd:
        connector.verify_webhook(woo_headers(WOO_PRODUCT, "coupon.created"), WOO_PRODUCT)
    assert odd.value.reason == "malformed"


def test_a_record_payload_needs_a_topic_header() -> None:
    """Without a topic the event cannot be named: the config is refused."""
    with pytest.raises(ValidationError):
        WebhookConfig(payload="record")
