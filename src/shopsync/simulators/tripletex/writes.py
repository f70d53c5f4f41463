"""Rules every write shares: storage form of mapped bodies, reference checks, lengths, e-mail, version.

Messages are Norwegian like a default Tripletex user's; clients must never parse them.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.bodies import Mapped
from shopsync.simulators.tripletex.errors import ValidationCollector
from shopsync.simulators.tripletex.model import MODELS, REF, REFS
from shopsync.simulators.tripletex.refdata import OUTGOING_VAT_IDS
from shopsync.simulators.tripletex.state import Simulator

__all__ = [
    "apply",
    "check_create_keys",
    "check_emails",
    "check_lengths",
    "check_refs",
    "check_version",
    "money",
    "ref_id",
]

_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,.]+$")

#: maxLength of the official 2.71.19 Swagger for the properties clients write most.
MAX_LENGTHS: dict[str, dict[str, int]] = {
    "Customer": {
        "name": 255,
        "organizationNumber": 100,
        "email": 254,
        "invoiceEmail": 254,
        "overdueNoticeEmail": 254,
        "phoneNumber": 100,
        "phoneNumberMobile": 100,
        "website": 255,
        "invoiceSMSNotificationNumber": 100,
    },
    "Product": {"name": 255, "number": 100, "orderLineDescription": 255, "ean": 14, "hsnCode": 20},
    "Order": {"receiverEmail": 254, "overdueNoticeEmail": 254, "number": 100, "reference": 255},
    "Address": {"addressLine1": 255, "addressLine2": 255, "postalCode": 100, "city": 100},
    "DeliveryAddress": {
        "addressLine1": 255,
        "addressLine2": 255,
        "postalCode": 100,
        "city": 100,
        "name": 100,
    },
    "Subscription": {"hmacSharedSecret": 100},
}


def ref_id(value: Any) -> int | None:
    """The id of a mapped reference (``{"id": 3}``), or None."""
    if isinstance(value, dict):
        rid = value.get("id")
        return rid if isinstance(rid, int) else None
    return None


def apply(schema: str, doc: dict[str, Any], mapped: Mapped, skip: frozenset[str] = frozenset()) -> None:
    """Copy mapped properties into a stored doc: references become ids, lists of references id lists."""
    props = MODELS[schema].props
    for key, value in mapped.items():
        if key in skip or key in ("id", "version"):
            continue
        kind = props[key].kind
        if kind is REF:
            doc[key] = ref_id(value)
        elif kind is REFS:
            doc[key] = [rid for rid in (ref_id(v) for v in value or ()) if rid is not None]
        else:
            doc[key] = value


def check_create_keys(mapped: Mapped, vc: ValidationCollector) -> None:
    """``id`` and ``version`` may not be set when creating."""
    if mapped.get("id") is not None:
        vc.field("id", "ID kan ikke settes når man oppretter et objekt.")
    if mapped.get("version") is not None:
        vc.field("version", "Versjon kan ikke settes når man oppretter et objekt.")


def check_version(mapped: Mapped, current: dict[str, Any]) -> None:
    """409 code 8000 when a ``version`` was sent and it is not the stored one (no version: no check)."""
    sent = mapped.get("version")
    if sent is not None and sent != current.get("version"):
        raise errors.revision_conflict()


def check_refs(
    sim: Simulator,
    schema: str,
    mapped: Mapped,
    vc: ValidationCollector,
    skip: frozenset[str] = frozenset(),
    prefix: str = "",
) -> None:
    """Every reference sent must point at an existing object; VAT types must be outgoing ones."""
    props = MODELS[schema].props
    for key, value in mapped.items():
        prop = props.get(key)
        if prop is None or key in skip or value is None or prop.kind not in (REF, REFS):
            continue
        values = value if prop.kind is REFS else [value]
        for item in values:
            rid = ref_id(item)
            name = f"{prefix}{key}"
            if rid is None:
                vc.field(f"{name}.id", "Kan ikke være null.")
            elif prop.target == "VatType":
                if rid not in OUTGOING_VAT_IDS:
                    vc.field(name, "Ugyldig mva-kode.")
            elif not sim.exists(prop.target or "", rid):
                vc.field(f"{name}.id", f"Fant ikke objekt med id {rid}.")


def check_lengths(schema: str, doc: dict[str, Any], vc: ValidationCollector, prefix: str = "") -> None:
    """Text longer than Tripletex's maxLength."""
    for key, limit in MAX_LENGTHS.get(schema, {}).items():
        value = doc.get(key)
        if isinstance(value, str) and len(value) > limit:
            vc.field(f"{prefix}{key}", f"Verdien er for lang. Maks antall tegn er {limit}.")


def check_emails(doc: dict[str, Any], keys: tuple[str, ...], vc: ValidationCollector) -> None:
    """E-mail fields must hold addresses (invoice e-mail may hold several separated by ';')."""
    for key in keys:
        value = doc.get(key)
        if not value:
            continue
        parts = [p.strip() for p in str(value).split(";")] if key == "invoiceEmail" else [str(value)]
        if not all(_EMAIL.match(p) for p in parts if p) or not any(parts):
            vc.field(key, "Ugyldig e-postadresse.")


def money(value: Decimal, places: int = 2) -> str:
    """A computed amount rounded half-up, in storage form (normalised, no exponent)."""
    q = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(q.normalize(), "f")
    return "0" if text in ("-0", "") else text
