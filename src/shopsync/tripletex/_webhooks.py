"""Webhook subscriptions (``/event/subscription``) and verification of incoming callbacks.

Tripletex POSTs ``{subscriptionId, event, id, value}`` to the subscription's ``targetUrl`` (``value``
is null for ``*.delete``). A callback is trusted only if it carries the subscription's auth header
(``authHeaderName: authHeaderValue``) and, when an HMAC secret was set, the signature
``x-request-signature = base64(HmacSHA512(secret, idempotency-key + "&" + body))``. Both are compared
in constant time. Secrets are write-only: they are sent when subscribing and never kept on the
returned ``Subscription`` (nor in its repr).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from ._exceptions import UnexpectedResponse, WebhookVerificationError
from ._fields import FieldSpec, build_fields, check_fields
from ._http import Requester, json_body
from ._models import Customer, Order, Product, Subscription, TripletexModel

__all__ = [
    "IDEMPOTENCY_HEADER",
    "SIGNATURE_HEADER",
    "WEBHOOK_EVENTS",
    "WebhookEvent",
    "Webhooks",
    "sign_callback",
    "verify_callback",
]

#: The events shopsync subscribes to (Tripletex has no wildcard; one subscription per event).
WEBHOOK_EVENTS = tuple(
    f"{subject}.{verb}"
    for subject in ("customer", "product", "order")
    for verb in ("create", "update", "delete")
)
SIGNATURE_HEADER = "x-request-signature"
IDEMPOTENCY_HEADER = "idempotency-key"
_PATH = "/event/subscription"
_SCHEMAS: dict[str, type[TripletexModel]] = {"customer": Customer, "product": Product, "order": Order}
_WRITE_ONLY = ("authHeaderValue", "hmacSharedSecret")


def _reveal(secret: str | SecretStr | None) -> str | None:
    return secret.get_secret_value() if isinstance(secret, SecretStr) else secret


class WebhookEvent(BaseModel):
    """A verified callback: which object changed and how (``value`` is None on delete)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    subscription_id: int | None = Field(default=None, alias="subscriptionId")
    event: str
    id: int
    value: dict[str, Any] | None = None
    idempotency_key: str | None = None
    """The callback's ``idempotency-key`` header: the same on redelivery, so use it to de-duplicate."""

    @property
    def subject(self) -> str:
        """``customer``, ``product`` or ``order`` (the part before the dot)."""
        return self.event.partition(".")[0]

    @property
    def action(self) -> str:
        """``create``, ``update`` or ``delete``."""
        return self.event.partition(".")[2]

    def object(self) -> TripletexModel | None:
        """``value`` as its model (Customer, Product, Order), or None (deletes, other events)."""
        model = _SCHEMAS.get(self.subject)
        if self.value is None or model is None:
            return None
        return model.model_validate(self.value)


def sign_callback(body: bytes, idempotency_key: str, hmac_secret: str | SecretStr) -> str:
    """Tripletex's signature of a callback body (what ``x-request-signature`` must equal)."""
    secret = _reveal(hmac_secret) or ""
    digest = hmac.new(secret.encode(), idempotency_key.encode() + b"&" + body, hashlib.sha512).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_callback(
    headers: Mapping[str, str],
    body: bytes,
    auth_header_value: str | SecretStr | None = None,
    hmac_secret: str | SecretStr | None = None,
    *,
    auth_header_name: str = "Authorization",
) -> WebhookEvent:
    """Check a callback's auth header and HMAC signature, then parse it; else ``WebhookVerificationError``."""
    if auth_header_value is None and hmac_secret is None:
        raise ValueError("verify_callback needs an auth header value, an HMAC secret, or both")
    lower = {k.lower(): v for k, v in headers.items()}
    if auth_header_value is not None:
        got = lower.get(auth_header_name.lower(), "")
        if not hmac.compare_digest(got.encode(), (_reveal(auth_header_value) or "").encode()):
            raise WebhookVerificationError(f"callback has a missing or wrong {auth_header_name} header")
    key = lower.get(IDEMPOTENCY_HEADER)
    if hmac_secret is not None:
        signature = lower.get(SIGNATURE_HEADER)
        if key is None or signature is None:
            raise WebhookVerificationError(f"callback lacks {IDEMPOTENCY_HEADER} or {SIGNATURE_HEADER}")
        expected = sign_callback(body, key, hmac_secret)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            raise WebhookVerificationError("callback signature does not match the body")
    try:
        data = json.loads(body)
        return WebhookEvent.model_validate({**data, "idempotency_key": key})
    except (ValueError, TypeError, pydantic.ValidationError) as exc:
        raise WebhookVerificationError(f"callback body is not a webhook envelope: {exc}") from exc


class Webhooks:
    """Create, list, get and delete this employee token's event subscriptions."""

    def __init__(self, requester: Requester) -> None:
        self._requester = requester

    def __repr__(self) -> str:
        return f"Webhooks({_PATH})"

    @staticmethod
    def _body(
        event: str,
        target_url: str,
        fields: FieldSpec | None,
        auth_header_name: str | None,
        auth_header_value: str | SecretStr | None,
        hmac_secret: str | SecretStr | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"event": event, "targetUrl": target_url}
        if fields is not None:
            selection = build_fields(fields)
            model = _SCHEMAS.get(event.partition(".")[0])
            body["fields"] = check_fields(selection, model.__name__) if model else selection
        if auth_header_value is not None:
            body["authHeaderName"] = auth_header_name or "Authorization"
            body["authHeaderValue"] = _reveal(auth_header_value)
        if hmac_secret is not None:
            body["hmacSharedSecret"] = _reveal(hmac_secret)
        return body

    @staticmethod
    def _parse(data: Any, method: str) -> Subscription:
        if not isinstance(data, dict):
            raise UnexpectedResponse("subscription answer is not an object", method=method, path=_PATH)
        # Never keep write-only secrets, even if a server echoes them.
        return Subscription.model_validate({k: v for k, v in data.items() if k not in _WRITE_ONLY})

    async def create(
        self,
        event: str,
        target_url: str,
        *,
        fields: FieldSpec | None = None,
        auth_header_name: str | None = None,
        auth_header_value: str | SecretStr | None = None,
        hmac_secret: str | SecretStr | None = None,
    ) -> Subscription:
        """Subscribe ``target_url`` to one event (e.g. ``customer.update``)."""
        body = self._body(event, target_url, fields, auth_header_name, auth_header_value, hmac_secret)
        response = await self._requester.request("POST", _PATH, json=body)
        value = json_body(response, method="POST", path=_PATH)
        return self._parse(value.get("value") if isinstance(value, dict) else None, "POST")

    async def create_many(
        self,
        target_url: str,
        events: Iterable[str] = WEBHOOK_EVENTS,
        *,
        fields: FieldSpec | None = None,
        auth_header_name: str | None = None,
        auth_header_value: str | SecretStr | None = None,
        hmac_secret: str | SecretStr | None = None,
    ) -> list[Subscription]:
        """Subscribe ``target_url`` to several events in one ``POST /event/subscription/list``."""
        bodies = [
            self._body(e, target_url, fields, auth_header_name, auth_header_value, hmac_secret)
            for e in events
        ]
        path = f"{_PATH}/list"
        response = await self._requester.request("POST", path, json=bodies)
        return [self._parse(v, "POST") for v in _values(json_body(response, method="POST", path=path), path)]

    async def list(self) -> list[Subscription]:
        """All subscriptions of this employee token."""
        found: list[Subscription] = []
        while True:
            params = {"from": str(len(found)), "count": "1000"}
            response = await self._requester.request("GET", _PATH, params=params)
            page = _values(json_body(response, method="GET", path=_PATH), _PATH)
            found.extend(self._parse(v, "GET") for v in page)
            if len(page) < 1000:
                return found

    async def get(self, id: int) -> Subscription:
        """One subscription (``NotFound`` if it does not exist)."""
        path = f"{_PATH}/{{id}}"
        response = await self._requester.request("GET", path, path_params={"id": id})
        value = json_body(response, method="GET", path=path)
        return self._parse(value.get("value") if isinstance(value, dict) else None, "GET")

    async def delete(self, id: int) -> None:
        """Remove a subscription."""
        await self._requester.request("DELETE", f"{_PATH}/{{id}}", path_params={"id": id})


def _values(body: Any, path: str) -> list[Any]:
    values = body.get("values") if isinstance(body, dict) else None
    if not isinstance(values, list):
        raise UnexpectedResponse("answer has no 'values' list", path=path)
    return values
