"""Webhook subscriptions (``/event/subscription``): validation, create, update, delete.

A subscription names one event (``customer.create`` … ``order.delete``), an absolute http(s)
``targetUrl`` (plain http is allowed so tests can use loopback receivers), an optional ``fields``
selection for the payload, an optional auth header and an optional HMAC secret (10-100 characters).
``authHeaderValue`` and ``hmacSharedSecret`` are write-only. New subscriptions start ACTIVE at version 0.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.bodies import Mapped
from shopsync.simulators.tripletex.errors import ValidationCollector
from shopsync.simulators.tripletex.fields import parse_fields, validate_fields
from shopsync.simulators.tripletex.state import Simulator
from shopsync.simulators.tripletex.writes import apply, check_create_keys, check_version

__all__ = ["EVENTS", "create_subscriptions", "delete_subscription", "update_subscription"]

SCHEMA = "Subscription"

#: Events the simulator fires: name -> (payload model, description as in ``GET /event``).
EVENTS: dict[str, tuple[str, str]] = {
    "customer.create": ("Customer", "A customer has been created"),
    "customer.update": ("Customer", "A customer has been updated"),
    "customer.delete": ("Customer", "A customer has been deleted"),
    "product.create": ("Product", "A product has been created"),
    "product.update": ("Product", "A product has been updated"),
    "product.delete": ("Product", "A product has been deleted"),
    "order.create": ("Order", "An order has been created"),
    "order.update": ("Order", "An order has been updated"),
    "order.delete": ("Order", "An order has been deleted"),
}


def _validate(doc: dict[str, Any], vc: ValidationCollector) -> None:
    event = doc.get("event")
    if not event:
        vc.missing("event")
    elif event not in EVENTS:
        vc.field("event", f"Ukjent hendelse: {event}")
    target = doc.get("targetUrl")
    if not target:
        vc.missing("targetUrl")
    else:
        parts = urlsplit(str(target))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            vc.field("targetUrl", "Må være en absolutt URL.")
    if doc.get("fields") and event in EVENTS:
        try:
            validate_fields(parse_fields(doc["fields"]), EVENTS[event][0])
        except errors.ApiError as exc:
            vc.field("fields", exc.message)
    secret = doc.get("hmacSharedSecret")
    if secret is not None and not 10 <= len(secret) <= 100:
        vc.field("hmacSharedSecret", "Må være mellom 10 og 100 tegn.")


def create_subscriptions(
    sim: Simulator, host: str, items: list[Mapped], *, batch: bool
) -> list[dict[str, Any]]:
    """POST /event/subscription (and /list)."""
    docs = []
    messages: list[errors.Message] = []
    for i, mapped in enumerate(items):
        vc = ValidationCollector(f"[{i}]", i) if batch else ValidationCollector()
        check_create_keys(mapped, vc)
        doc: dict[str, Any] = {"id": 0, "version": 0, "status": "ACTIVE", "fields": ""}
        apply(SCHEMA, doc, mapped)
        doc["status"] = doc.get("status") or "ACTIVE"
        _validate(doc, vc)
        messages.extend(vc.messages)
        docs.append(doc)
    if messages:
        raise errors.validation_failed(messages)
    with sim.write(host) as w:
        for doc in docs:
            doc["id"] = sim.store.next_id(SCHEMA)
            sim.insert(w, SCHEMA, doc)
    return docs


def update_subscription(sim: Simulator, host: str, obj_id: int, mapped: Mapped) -> dict[str, Any]:
    """PUT /event/subscription/{id}: partial update; setting status ACTIVE re-enables delivery."""
    old = sim.store.get(SCHEMA, obj_id)
    if old is None:
        raise errors.not_found(f"Subscription {obj_id} not found")
    check_version(mapped, old)
    doc = dict(old)
    apply(SCHEMA, doc, mapped)
    vc = ValidationCollector()
    _validate(doc, vc)
    vc.raise_if_any()
    with sim.write(host) as w:
        sim.save(w, SCHEMA, old, doc, None)
    return doc


def delete_subscription(sim: Simulator, host: str, obj_id: int) -> None:
    """DELETE /event/subscription/{id}."""
    if not sim.store.exists(SCHEMA, obj_id):
        raise errors.not_found(f"Subscription {obj_id} not found")
    with sim.write(host) as w:
        sim.remove(w, SCHEMA, obj_id, None)
