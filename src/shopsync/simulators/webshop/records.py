"""Turning request bodies into records: defaults, JSON merge patch, and whole-record rules.

``build_<resource>(body, current, ctx)`` validates ``body`` as a create (``current`` None: defaults
apply, required fields are checked) or as a merge patch onto ``current``, then checks the rules a JSON
Schema cannot express on the merged record (company customers need a MOD11-valid organisation number,
Norwegian postal codes are 4 digits, references must point at live records). It returns the record's
data fields (no id, timestamps or version) and the field errors; the caller stores nothing if there are
any.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shopsync.simulators.webshop.clock import format_ts, parse_ts
from shopsync.simulators.webshop.validation import (
    ADDRESS_RULES,
    CUSTOMER_RULES,
    LINE_RULES,
    NON_BLANK,
    ORDER_RULES,
    PRODUCT_RULES,
    FieldError,
    check_object,
    ecma_pattern,
)

__all__ = ["ADDRESS_KEYS", "BuildContext", "build_customer", "build_order", "build_product", "data_fields"]

ADDRESS_KEYS = ("line1", "line2", "postal_code", "city", "country")
_META = ("id", "created_at", "updated_at", "version")
_NO_POSTAL = re.compile(ecma_pattern(r"^[0-9]{4}$"))
_NON_BLANK = re.compile(NON_BLANK)


@dataclass(frozen=True)
class BuildContext:
    """What building a record may need from the shop: settings, live references and the clock."""

    currency: str
    live_docs: Callable[[str, list[int]], dict[int, dict[str, Any]]]
    now_text: Callable[[], str]


def data_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """A record without its id, timestamps and version (what an effective change compares)."""
    return {k: v for k, v in doc.items() if k not in _META}


def _address(
    value: Any, current: dict[str, Any] | None, field: str, *, merge: bool, nullable: bool
) -> tuple[dict[str, Any] | None, list[FieldError]]:
    if value is None:
        return None, ([] if nullable else [(field, "must not be null")])
    clean, errors = check_object(value, ADDRESS_RULES, prefix=field + ".", ignore=frozenset())
    if errors:
        return None, errors
    if merge and current is not None:
        merged = {**current, **clean}
    else:
        merged = {"line2": None, **clean}
        errors += [(f"{field}.{k}", "is required") for k in ADDRESS_KEYS if k not in merged]
    postal = merged.get("postal_code")
    if merged.get("country") == "NO" and isinstance(postal, str) and not _NO_POSTAL.search(postal):
        errors.append((f"{field}.postal_code", "must be 4 digits for country NO"))
    if errors:
        return None, errors
    return {k: merged[k] for k in ADDRESS_KEYS}, []


def _merge(
    body: Any,
    current: dict[str, Any] | None,
    defaults: dict[str, Any],
    rules: dict[str, Any],
    addresses: dict[str, bool],
    nested: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any], dict[str, Any], list[FieldError]]:
    """Check ``body``, merge it onto ``current`` (or the defaults); returns (merged, clean body, errors)."""
    clean, errors = check_object(body, rules, nested=frozenset(addresses) | nested)
    merged = dict(current) if current is not None else dict(defaults)
    for key, value in clean.items():
        if key in addresses:
            address, problems = _address(
                value, merged.get(key), key, merge=current is not None, nullable=addresses[key]
            )
            errors += problems
            merged[key] = address
        elif key not in nested:
            merged[key] = value
    return merged, clean, errors


def _required(merged: dict[str, Any], keys: tuple[str, ...], errors: list[FieldError]) -> None:
    reported = {f.split(".", 1)[0] for f, _ in errors}  # a field already reported (or its sub-fields)
    errors.extend((k, "is required") for k in keys if merged.get(k) is None and k not in reported)


def build_customer(
    body: Any, current: dict[str, Any] | None, ctx: BuildContext
) -> tuple[dict[str, Any], list[FieldError]]:
    """A customer's data fields from a create body or a merge patch."""
    defaults: dict[str, Any] = {
        "type": None,
        "first_name": "",
        "last_name": "",
        "company_name": None,
        "organization_number": None,
        "email": None,
        "phone": None,
        "language": "nb",
        "billing_address": None,
        "shipping_address": None,
        "active": True,
    }
    addresses = {"billing_address": False, "shipping_address": True}
    merged, _clean, errors = _merge(body, current, defaults, CUSTOMER_RULES, addresses)
    if current is None:
        _required(merged, ("type", "email", "billing_address"), errors)
    bad = {f for f, _ in errors}
    if merged.get("type") == "company":
        for key in ("company_name", "organization_number"):
            if merged.get(key) is None and key not in bad:
                errors.append((key, "is required for company customers"))
    elif merged.get("type") == "private":
        for key in ("first_name", "last_name"):
            value = merged.get(key)
            if key not in bad and not (isinstance(value, str) and _NON_BLANK.search(value)):
                errors.append((key, "is required for private customers"))
        for key in ("company_name", "organization_number"):
            if merged.get(key) is not None and key not in bad:
                errors.append((key, "must be null for private customers"))
    return {k: merged.get(k) for k in defaults}, errors


def build_product(
    body: Any, current: dict[str, Any] | None, ctx: BuildContext
) -> tuple[dict[str, Any], list[FieldError]]:
    """A product's data fields from a create body or a merge patch."""
    defaults: dict[str, Any] = {
        "sku": None,
        "name": None,
        "description": "",
        "price": None,
        "currency": ctx.currency,
        "vat_rate": None,
        "active": True,
        "stock_quantity": 0,
    }
    merged, _clean, errors = _merge(body, current, defaults, PRODUCT_RULES, {})
    if current is None:
        _required(merged, ("sku", "name", "price", "vat_rate"), errors)
    if isinstance(merged.get("stock_quantity"), float):
        merged["stock_quantity"] = int(merged["stock_quantity"])
    return {k: merged.get(k) for k in defaults}, errors


def _lines(value: Any, ctx: BuildContext) -> tuple[list[dict[str, Any]], list[FieldError]]:
    if not isinstance(value, list):
        return [], [("lines", "must be an array")]
    if not 1 <= len(value) <= 500:
        return [], [("lines", "must hold 1 to 500 lines")]
    lines: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for index, raw in enumerate(value):
        prefix = f"lines.{index}."
        clean, problems = check_object(raw, LINE_RULES, prefix=prefix, ignore=frozenset({"id"}))
        line = {"product_id": None, "sku": None, "discount_percent": "0.00", **clean}
        problems += [
            (prefix + k, "is required")
            for k in ("name", "quantity", "unit_price", "vat_rate")
            if k not in line
        ]
        errors += problems
        lines.append(line)
    wanted = {
        int(line["product_id"])
        for line in lines
        if isinstance(line.get("product_id"), str)
        and line["product_id"].isdigit()
        and len(line["product_id"]) < 19
    }
    products = ctx.live_docs("products", sorted(wanted)) if wanted else {}
    for index, line in enumerate(lines):
        product_id = line.get("product_id")
        if not isinstance(product_id, str):
            continue
        product = products.get(int(product_id)) if product_id.isdigit() and len(product_id) < 19 else None
        if product is None:
            errors.append((f"lines.{index}.product_id", "no product with this id"))
        elif "sku" not in value[index]:
            line["sku"] = product["sku"]  # a catalogue line carries its SKU even when the client left it out
    keys = ("product_id", "sku", "name", "quantity", "unit_price", "vat_rate", "discount_percent")
    return [{k: line.get(k) for k in keys} for line in lines], errors


def build_order(
    body: Any, current: dict[str, Any] | None, ctx: BuildContext
) -> tuple[dict[str, Any], list[FieldError]]:
    """An order's data fields (lines without ids) from a create body or a merge patch.

    ``number`` is left None on a create without one; the caller assigns the next free number.
    """
    defaults: dict[str, Any] = {
        "number": None,
        "customer_id": None,
        "status": "pending",
        "ordered_at": None,
        "currency": ctx.currency,
        "billing_address": None,
        "shipping_address": None,
        "lines": None,
        "shipping_cost": "0.00",
        "shipping_vat_rate": "25.00",
        "note": None,
    }
    addresses = {"billing_address": False, "shipping_address": True}
    merged, clean, errors = _merge(body, current, defaults, ORDER_RULES, addresses, frozenset({"lines"}))
    if "lines" in clean:
        merged["lines"], problems = _lines(clean["lines"], ctx)
        errors += problems
    if isinstance(clean.get("ordered_at"), str) and not any(f == "ordered_at" for f, _ in errors):
        parsed = parse_ts(clean["ordered_at"])
        merged["ordered_at"] = format_ts(parsed) if parsed else None
    if current is None:
        _required(merged, ("customer_id", "lines"), errors)
        merged["ordered_at"] = merged["ordered_at"] or ctx.now_text()
    customer_id = clean.get("customer_id")
    if isinstance(customer_id, str) and not any(f == "customer_id" for f, _ in errors):
        known = customer_id.isdigit() and len(customer_id) < 19
        customer = ctx.live_docs("customers", [int(customer_id)]).get(int(customer_id)) if known else None
        if customer is None:
            errors.append(("customer_id", "no customer with this id"))
        elif current is None:
            # a new order ships to the customer's addresses unless it names its own
            if "billing_address" not in clean:
                merged["billing_address"] = customer["billing_address"]
            if "shipping_address" not in clean:
                merged["shipping_address"] = customer["shipping_address"]
    return {k: merged.get(k) for k in defaults}, errors
