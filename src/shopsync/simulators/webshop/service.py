"""The shop's record operations: create, get, merge-patch, delete and the change feed.

Both the REST API and the admin page go through :class:`ShopService`, so every write is validated
the same way, bumps ``version``/``updated_at`` only on an effective change, and emits one webhook event
after it is committed. Writes are serialised by one lock so uniqueness checks, the clock and the commit
happen in one step (a later commit never gets an earlier ``updated_at``).
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from collections.abc import Callable
from typing import Any

from shopsync.simulators.webshop.clock import ShopClock, parse_ts, to_us, us_to_text
from shopsync.simulators.webshop.errors import conflict, not_found, precondition_failed, validation_failed
from shopsync.simulators.webshop.records import (
    BuildContext,
    build_customer,
    build_order,
    build_product,
    data_fields,
)
from shopsync.simulators.webshop.store import Store, StoredRow
from shopsync.simulators.webshop.validation import FieldError

__all__ = ["EventSink", "ShopService", "check_if_match", "decode_cursor", "encode_cursor"]

#: Called after a commit with (event, resource, id, occurred_at, data or None).
EventSink = Callable[[str, str, str, str, dict[str, Any] | None], None]

# the contract's If-Match pattern: "*" or a list of strong ETags (weak ones never match, RFC 9110 13.1.1)
_IF_MATCH = re.compile(r'^(\*|"[0-9]{1,18}"( *, *"[0-9]{1,18}")*)\Z')
_BUILDERS = {"customers": build_customer, "products": build_product, "orders": build_order}
_EVENT_PREFIX = {"customers": "customer", "products": "product", "orders": "order"}


def encode_cursor(updated_us: int, record_id: int) -> str:
    """Opaque cursor for the feed position just after (updated_us, id)."""
    return base64.urlsafe_b64encode(f"v1:{updated_us}:{record_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int] | None:
    """The (updated_us, id) a cursor encodes, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    parts = raw.split(":")
    if len(parts) != 3 or parts[0] != "v1" or not all(p.lstrip("-").isdigit() for p in parts[1:]):
        return None
    return int(parts[1]), int(parts[2])


def _parse_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 19 else None


def _lookup_value(resource: str, fields: dict[str, Any]) -> str:
    if resource == "products":
        return str(fields["sku"])
    if resource == "orders":
        return str(fields["number"])
    return str(fields["email"]).lower()


def check_if_match(if_match: str | None, version: int) -> None:
    """Raise 412 unless ``If-Match`` (if sent) names the current version or is ``*``; 422 if malformed."""
    if if_match is None:
        return
    if len(if_match) > 200 or not _IF_MATCH.search(if_match):
        raise validation_failed([("If-Match", 'must be "*" or strong ETags such as "3" (quotes included)')])
    tags = [t.strip() for t in if_match.split(",")]
    if "*" in tags or f'"{version}"' in tags:
        return
    raise precondition_failed(version, if_match)


class ShopService:
    """Validated, versioned writes and reads of customers, products and orders."""

    def __init__(self, store: Store, clock: ShopClock, currency: str, events: EventSink) -> None:
        self.store = store
        self.clock = clock
        self.currency = currency
        self._events = events
        self.write_lock = threading.RLock()

    def _ctx(self) -> BuildContext:
        return BuildContext(
            currency=self.currency,
            live_docs=self.store.live_docs,
            now_text=lambda: us_to_text(self.clock.now_us()),
        )

    def _live(self, resource: str, record_id: str) -> StoredRow:
        key = _parse_id(record_id)
        row = self.store.get(resource, key) if key is not None else None
        if row is None or row.deleted or row.doc is None:
            raise not_found(resource, record_id)
        return row

    def get(self, resource: str, record_id: str) -> dict[str, Any]:
        """One live record; 404 for unknown and deleted ones."""
        doc = self._live(resource, record_id).doc
        assert doc is not None
        return doc

    def _check_unique(self, resource: str, fields: dict[str, Any], own_id: int | None) -> None:
        if resource not in ("products", "orders"):
            return
        field = "sku" if resource == "products" else "number"
        taken = [i for i in self.store.find_lookup(resource, _lookup_value(resource, fields)) if i != own_id]
        if taken:
            what = "product" if resource == "products" else "order"
            raise conflict(
                f"{field} is already used by {what} {taken[0]}",
                [(field, f"already used by {what} {taken[0]}")],
            )

    def _assign(self, resource: str, fields: dict[str, Any], old: dict[str, Any] | None) -> None:
        """Give an order its number and its lines ids (kept when the lines did not change)."""
        if resource != "orders":
            return
        while fields["number"] is None:
            candidate = str(self.store.next_ids("order_number"))
            # skip numbers a client already chose by hand
            if not self.store.find_lookup("orders", candidate):
                fields["number"] = candidate
        old_lines = old["lines"] if old else None
        bare_old = [{k: v for k, v in line.items() if k != "id"} for line in old_lines] if old_lines else None
        if bare_old == fields["lines"] and old_lines is not None:
            fields["lines"] = old_lines
            return
        first = self.store.next_ids("order_lines", len(fields["lines"]))
        fields["lines"] = [{"id": str(first + i), **line} for i, line in enumerate(fields["lines"])]

    def _build(self, resource: str, body: Any, current: dict[str, Any] | None) -> dict[str, Any]:
        fields, errors = _BUILDERS[resource](body, current, self._ctx())
        if errors:
            raise validation_failed(errors)
        return fields

    def create(self, resource: str, body: Any) -> dict[str, Any]:
        """Validate and store a new record; emits ``<kind>.created``."""
        with self.write_lock:
            fields = self._build(resource, body, None)
            if resource == "orders" and fields["number"] is not None:
                self._check_unique(resource, fields, None)
            with self.store.transaction():
                self._assign(resource, fields, None)
                self._check_unique(resource, fields, None)
                now = self.clock.now_us()
                record_id = self.store.next_ids(resource)
                doc = {
                    "id": str(record_id),
                    **fields,
                    "created_at": us_to_text(now),
                    "updated_at": us_to_text(now),
                    "version": 1,
                }
                self.store.upsert(resource, doc, now, _lookup_value(resource, fields), _ref(resource, fields))
        self._events(f"{_EVENT_PREFIX[resource]}.created", resource, doc["id"], doc["updated_at"], doc)
        return doc

    def update(self, resource: str, record_id: str, body: Any, if_match: str | None) -> dict[str, Any]:
        """Apply a JSON merge patch; a patch that changes nothing keeps version and updated_at."""
        with self.write_lock:
            row = self._live(resource, record_id)
            assert row.doc is not None
            current = data_fields(row.doc)
            if resource == "orders":
                current["lines"] = [{k: v for k, v in line.items() if k != "id"} for line in current["lines"]]
            # invalid input is reported before a stale If-Match: fixing the body is the client's first job
            fields = self._build(resource, body, current)
            check_if_match(if_match, row.version)
            if fields == current:
                return row.doc
            with self.store.transaction():
                self._check_unique(resource, fields, row.id)
                self._assign(resource, fields, row.doc)
                now = self.clock.now_us()
                doc = {
                    "id": row.doc["id"],
                    **fields,
                    "created_at": row.doc["created_at"],
                    "updated_at": us_to_text(now),
                    "version": row.version + 1,
                }
                self.store.upsert(resource, doc, now, _lookup_value(resource, fields), _ref(resource, fields))
        self._events(f"{_EVENT_PREFIX[resource]}.updated", resource, doc["id"], doc["updated_at"], doc)
        return doc

    def delete(self, resource: str, record_id: str, if_match: str | None) -> None:
        """Delete a record, leaving a tombstone; a customer with live orders cannot be deleted (409)."""
        with self.write_lock:
            row = self._live(resource, record_id)
            check_if_match(if_match, row.version)
            if resource == "customers":
                orders = self.store.count_refs("orders", row.id)
                if orders:
                    raise conflict(
                        f"customer {record_id} has {orders} order(s); set active=false instead of deleting it"
                    )
            with self.store.transaction():
                now = self.clock.now_us()
                self.store.tombstone(resource, row.id, now)
        self._events(f"{_EVENT_PREFIX[resource]}.deleted", resource, str(row.id), us_to_text(now), None)

    def feed(
        self,
        resource: str,
        *,
        updated_since: str | None,
        cursor: str | None,
        limit: int,
        lookup: str | None = None,
    ) -> dict[str, Any]:
        """One page of the change feed: ``{"items": [...], "next_cursor": str | None}``."""
        errors: list[FieldError] = []
        position = (-(2**62), -1)
        if cursor is not None:
            decoded = decode_cursor(cursor)
            if decoded is None:
                errors.append(("cursor", "is not a cursor this shop issued"))
            else:
                position = decoded
        since = parse_ts(updated_since) if updated_since is not None else None
        if updated_since is not None and since is None:
            errors.append(("updated_since", "must be an RFC 3339 date-time with offset"))
        elif since is not None and cursor is None:
            position = (to_us(since), -1)  # inclusive: every id at that instant is after id -1
        if errors:
            raise validation_failed(errors)
        rows = self.store.feed(resource, position, limit + 1, lookup)
        more = len(rows) > limit
        rows = rows[:limit]
        items: list[dict[str, Any]] = [
            row.doc
            if row.doc is not None
            else {"id": str(row.id), "deleted": True, "updated_at": us_to_text(row.updated_us)}
            for row in rows
        ]
        next_cursor = encode_cursor(rows[-1].updated_us, rows[-1].id) if more else None
        return {"items": items, "next_cursor": next_cursor}


def _ref(resource: str, fields: dict[str, Any]) -> int | None:
    return int(fields["customer_id"]) if resource == "orders" else None
