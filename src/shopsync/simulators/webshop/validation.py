"""Field rules of the contract's request schemas, with the per-field messages a 422 carries.

Each rule mirrors one schema in ``docs/webshop-api.yaml`` (patterns are matched with ``re.search``, as
JSON Schema validators do), so anything the contract calls valid is accepted and anything it calls
invalid is rejected. Rules that JSON Schema cannot state (MOD11 check digits, Norwegian postal codes,
company customers needing an organisation number) live in :mod:`.records`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from shopsync.orgnr import is_valid_orgnr
from shopsync.simulators.webshop.clock import parse_ts

__all__ = [
    "ADDRESS_RULES",
    "CUSTOMER_RULES",
    "LINE_RULES",
    "NON_BLANK",
    "ORDER_RULES",
    "PRODUCT_RULES",
    "READ_ONLY",
    "VAT_RATES",
    "WEBHOOK_EVENTS",
    "WEBHOOK_RULES",
    "FieldError",
    "Rule",
    "check_object",
    "ecma_pattern",
    "mod11_valid",
]

#: (dotted field path, message)
FieldError = tuple[str, str]
#: A rule returns None for a valid value, else the message.
Rule = Callable[[Any], str | None]

#: Fields every record has that a client may echo back; ignored on input.
READ_ONLY = frozenset({"id", "created_at", "updated_at", "version"})
VAT_RATES = ("25.00", "15.00", "12.00", "0.00")
LANGUAGES = ("nb", "nn", "en", "sv", "da", "de")
STATUSES = ("pending", "processing", "completed", "cancelled", "refunded")
WEBHOOK_EVENTS = (
    "*",
    *(
        f"{kind}.{what}"
        for kind in ("customer", "product", "order")
        for what in ("created", "updated", "deleted", "*")
    ),
)


def ecma_pattern(pattern: str) -> str:
    """A JSON Schema (ECMA 262) pattern for Python's ``re.search``: a final ``$`` becomes ``\\Z``.

    In Python ``$`` also matches before a trailing newline, in ECMA 262 only at the very end.
    """
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern


def _is_int(value: Any) -> bool:
    # JSON Schema counts 3.0 as an integer; bool is not a number in JSON
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def string(
    *,
    min_len: int = 0,
    max_len: int | None = None,
    pattern: str | None = None,
    hint: str | None = None,
    nullable: bool = False,
    enum: tuple[str, ...] | None = None,
) -> Rule:
    """A string rule; ``hint`` replaces the generic pattern message."""
    regex = re.compile(ecma_pattern(pattern)) if pattern else None

    def rule(value: Any) -> str | None:
        if value is None:
            return None if nullable else "must not be null"
        if not isinstance(value, str):
            return "must be a string" + (" or null" if nullable else "")
        if enum is not None and value not in enum:
            return "must be one of " + ", ".join(enum)
        if len(value) < min_len:
            return "must not be empty" if min_len == 1 else f"must be at least {min_len} characters"
        if max_len is not None and len(value) > max_len:
            return f"must be at most {max_len} characters"
        if regex is not None and regex.search(value) is None:
            return hint or f"must match {regex.pattern}"
        return None

    return rule


def boolean() -> Rule:
    """``true`` or ``false``."""
    return lambda value: None if isinstance(value, bool) else "must be true or false"


def integer(minimum: int, maximum: int) -> Rule:
    """A whole number in [minimum, maximum]."""

    def rule(value: Any) -> str | None:
        if not _is_int(value):
            return "must be a whole number"
        if not minimum <= value <= maximum:
            return f"must be between {minimum} and {maximum}"
        return None

    return rule


def timestamp() -> Rule:
    """RFC 3339 date-time with offset."""

    def rule(value: Any) -> str | None:
        if not isinstance(value, str):
            return "must be a string"
        return (
            None
            if parse_ts(value)
            else "must be an RFC 3339 date-time with offset, e.g. 2026-11-28T21:40:00+01:00"
        )

    return rule


def mod11_valid(number: str) -> bool:
    """Whether a 9-digit Norwegian organisation number has a correct MOD11 check digit."""
    return number.isascii() and is_valid_orgnr(number)


def organization_number(*, nullable: bool) -> Rule:
    """Nine digits with a valid MOD11 check digit."""
    base = string(pattern=r"^[0-9]{9}$", hint="must be 9 digits", nullable=nullable)

    def rule(value: Any) -> str | None:
        problem = base(value)
        if problem or value is None:
            return problem
        return (
            None if mod11_valid(value) else "is not a valid Norwegian organisation number (MOD11 check digit)"
        )

    return rule


#: Explicit classes, not \s: Python and ECMA 262 (JSON Schema) disagree on what \s matches.
NON_BLANK = r"[^ \t\r\n]"
MONEY = string(
    pattern=r"^(0|[1-9][0-9]{0,11})\.[0-9]{2}$",
    hint='must be a decimal string with 2 decimals, e.g. "199.00"',
)
QUANTITY = string(
    pattern=r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,3})?$", hint='must be a decimal string, e.g. "2" or "1.5"'
)
VAT = string(enum=VAT_RATES)
CURRENCY = string(pattern=r"^[A-Z]{3}$", hint="must be an ISO 4217 code such as NOK")
COUNTRY = string(pattern=r"^[A-Z]{2}$", hint="must be an ISO 3166-1 alpha-2 code such as NO")
RECORD_ID = string(min_len=1, max_len=64)
SKU = string(
    min_len=1,
    max_len=64,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
    hint="may hold letters, digits and . _ / -",
)
EMAIL = string(
    min_len=3,
    max_len=254,
    pattern=r"^[^@ \t\r\n]+@[^@ \t\r\n]+\.[^@ \t\r\n]+$",
    hint="must be an e-mail address",
)
PHONE = string(
    min_len=4, max_len=30, pattern=r"^\+?[0-9][0-9 ()-]*$", hint="must be a phone number", nullable=True
)

ADDRESS_RULES: dict[str, Rule] = {
    "line1": string(min_len=1, max_len=200, pattern=NON_BLANK, hint="must not be blank"),
    "line2": string(max_len=200, nullable=True),
    "postal_code": string(
        min_len=2, max_len=10, pattern=r"^[0-9A-Za-z][0-9A-Za-z -]*$", hint="must be a postal code"
    ),
    "city": string(min_len=1, max_len=100, pattern=NON_BLANK, hint="must not be blank"),
    "country": COUNTRY,
}

CUSTOMER_RULES: dict[str, Rule] = {
    "type": string(enum=("private", "company")),
    "first_name": string(max_len=100),
    "last_name": string(max_len=100),
    "company_name": string(
        min_len=1, max_len=200, pattern=NON_BLANK, hint="must not be blank", nullable=True
    ),
    "organization_number": organization_number(nullable=True),
    "email": EMAIL,
    "phone": PHONE,
    "language": string(enum=LANGUAGES),
    "active": boolean(),
}

PRODUCT_RULES: dict[str, Rule] = {
    "sku": SKU,
    "name": string(min_len=1, max_len=255, pattern=NON_BLANK, hint="must not be blank"),
    "description": string(max_len=10000),
    "price": MONEY,
    "currency": CURRENCY,
    "vat_rate": VAT,
    "active": boolean(),
    "stock_quantity": integer(-1_000_000_000, 1_000_000_000),
}

LINE_RULES: dict[str, Rule] = {
    "product_id": string(min_len=1, max_len=64, nullable=True),
    "sku": string(
        min_len=1,
        max_len=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
        hint="may hold letters, digits and . _ / -",
        nullable=True,
    ),
    "name": string(min_len=1, max_len=255, pattern=NON_BLANK, hint="must not be blank"),
    "quantity": QUANTITY,
    "unit_price": MONEY,
    "vat_rate": VAT,
    "discount_percent": string(pattern=r"^(100\.00|[0-9]{1,2}\.[0-9]{2})$", hint="must be 0.00 to 100.00"),
}

ORDER_RULES: dict[str, Rule] = {
    "number": string(
        min_len=1, max_len=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$", hint="may hold letters, digits and -"
    ),
    "customer_id": RECORD_ID,
    "status": string(enum=STATUSES),
    "ordered_at": timestamp(),
    "currency": CURRENCY,
    "shipping_cost": MONEY,
    "shipping_vat_rate": VAT,
    "note": string(max_len=2000, nullable=True),
}

WEBHOOK_RULES: dict[str, Rule] = {
    "url": string(
        max_len=2000,
        pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!-~]*)?$",
        hint="must be an http(s) URL",
    ),
    "secret": string(min_len=16, max_len=256, pattern=r"^[!-~]+$", hint="must be visible ASCII characters"),
}


def check_object(
    body: Any,
    rules: Mapping[str, Rule],
    *,
    prefix: str = "",
    nested: frozenset[str] = frozenset(),
    ignore: frozenset[str] = READ_ONLY,
) -> tuple[dict[str, Any], list[FieldError]]:
    """Check the fields present in ``body`` against ``rules``.

    Returns the body without ignored (read-only) fields, and the problems found. Fields in ``nested``
    are allowed but left to the caller (addresses, lines); any other unknown field is an error.
    """
    where = prefix.rstrip(".") or "body"
    if not isinstance(body, dict):
        return {}, [(where, "must be a JSON object")]
    clean: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key, value in body.items():
        if key in ignore:
            continue
        clean[key] = value
        if key in nested:
            continue
        rule = rules.get(key)
        if rule is None:
            errors.append((prefix + key, "is not a known field"))
            continue
        problem = rule(value)
        if problem:
            errors.append((prefix + key, problem))
    return clean, errors
