"""Verify the shop's webhook deliveries: an HMAC-SHA256 signature and, where signed, a fresh timestamp.

The contract's headers: ``Webhook-Id`` (same on retries), ``Webhook-Timestamp`` (Unix seconds) and
``Webhook-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>``. Several space- or
comma-separated signatures are accepted, so a shop can sign with an old and a new secret while
rotating. The signature is checked first, in constant time, then the timestamp: a delivery more than
``tolerance`` seconds old (a replay) or ahead (a wrong clock) is rejected even when correctly signed.

Other shops are described by ``WebhookConfig``: WooCommerce signs the raw body alone
(``X-WC-Webhook-Signature: base64(HMAC-SHA256)``, no timestamp), names the event in
``X-WC-Webhook-Topic`` and sends the record itself as the body; its unsigned, form-encoded creation
ping (``webhook_id=N``) is rejected with reason ``ping`` so a receiver can answer it with 200.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping

from pydantic import SecretStr, ValidationError

from ._config import WebhookConfig
from ._exceptions import WebhookRejected
from .models import WebhookEvent

__all__ = ["sign_webhook", "verify_signature", "verify_webhook"]

_PING = re.compile(rb"^webhook_id=\d+$")


def _secret_bytes(secret: SecretStr | str) -> bytes:
    raw = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if not raw:
        raise WebhookRejected("no webhook secret configured", reason="signature")
    return raw.encode()


def _digest(secret: SecretStr | str, payload: bytes, encoding: str) -> str:
    mac = hmac.new(_secret_bytes(secret), payload, hashlib.sha256).digest()
    return base64.b64encode(mac).decode() if encoding == "base64" else mac.hex()


def sign_webhook(
    secret: SecretStr | str, body: bytes | str, timestamp: int | None, *, config: WebhookConfig | None = None
) -> str:
    """The signature header value for ``body`` (sent at ``timestamp``, if the scheme signs one)."""
    cfg = config or WebhookConfig()
    payload = body.encode() if isinstance(body, str) else body
    if cfg.timestamp_header is not None:
        payload = f"{timestamp}.".encode() + payload
    return cfg.signature_prefix + _digest(secret, payload, cfg.signature_encoding)


def _now_seconds(now: float | dt.datetime | None) -> float:
    if now is None:
        return time.time()
    return now.timestamp() if isinstance(now, dt.datetime) else float(now)


def verify_signature(
    headers: Mapping[str, str],
    body: bytes,
    secret: SecretStr | str,
    config: WebhookConfig,
    now: float | dt.datetime | None = None,
) -> dict[str, str]:
    """Check signature and freshness; the headers with lower-case names, or ``WebhookRejected``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    signatures = lowered.get(config.signature_header.lower())
    timestamp = lowered.get(config.timestamp_header.lower()) if config.timestamp_header else None
    if not signatures and _PING.match(body.strip()):
        raise WebhookRejected("the shop's unsigned creation ping", reason="ping")
    if not signatures or (config.timestamp_header and not timestamp):
        raise WebhookRejected("missing timestamp or signature header", reason="missing_header")
    if timestamp is not None and not timestamp.strip().isdigit():
        raise WebhookRejected("timestamp is not Unix seconds", reason="malformed")

    payload = body if timestamp is None else timestamp.strip().encode() + b"." + body
    expected = _digest(secret, payload, config.signature_encoding).encode()
    offered = signatures.replace(",", " ").split() if config.signature_prefix else [signatures.strip()]
    valid = False
    for item in offered:
        value = (
            item.removeprefix(config.signature_prefix) if item.startswith(config.signature_prefix) else None
        )
        candidate = (value.lower() if config.signature_encoding == "hex" else value) if value else ""
        # Compare every candidate (no early exit) so timing says nothing about which one matched.
        valid |= bool(candidate) and hmac.compare_digest(candidate.encode(), expected)
    if not valid:
        raise WebhookRejected("signature does not match", reason="signature")

    if timestamp is not None:
        age = _now_seconds(now) - int(timestamp)
        if age > config.tolerance:
            raise WebhookRejected(
                f"delivery is {age:.0f} s old (limit {config.tolerance:.0f} s)", reason="stale"
            )
        if age < -config.tolerance:
            raise WebhookRejected(f"timestamp is {-age:.0f} s in the future", reason="future")
    return lowered


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes | str,
    secret: SecretStr | str,
    now: float | dt.datetime | None = None,
    tolerance: float = 300.0,
    *,
    config: WebhookConfig | None = None,
) -> WebhookEvent:
    """A contract delivery as a ``WebhookEvent``, or ``WebhookRejected`` (``reason`` says why)."""
    cfg = (config or WebhookConfig()).model_copy(update={"tolerance": tolerance})
    payload = body.encode() if isinstance(body, str) else body
    lowered = verify_signature(headers, payload, secret, cfg, now)
    try:
        data = json.loads(payload)
        return WebhookEvent.model_validate({**data, "webhook_id": lowered.get(cfg.id_header.lower())})
    except (ValueError, TypeError, ValidationError) as exc:
        raise WebhookRejected(f"malformed body: {exc}", reason="malformed") from exc
