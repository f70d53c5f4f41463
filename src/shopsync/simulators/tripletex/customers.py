"""Customers: creation defaults, validation, partial update, delete and the ``GET /customer`` filters.

A new customer always gets a postal and a physical address (Norway when no country), the next free
customer number from 10001, ``displayName`` "<name> (<number>)", NOK, language NO and 14 days' terms;
it starts at version 1. An address changed through the customer bumps the customer's version too.

``GET /customer`` without ``isInactive`` applies the spec default ``isInactive=false``: inactive
customers are only listed when asked for with ``isInactive=true`` (so a client that works here also
works against a server that ignores the default).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.addresses import AddressPlan, plan_address, save_address
from shopsync.simulators.tripletex.bodies import Mapped
from shopsync.simulators.tripletex.errors import ValidationCollector
from shopsync.simulators.tripletex.queries import Params, Query
from shopsync.simulators.tripletex.refdata import NOK_ID
from shopsync.simulators.tripletex.state import OSLO, Simulator, stamp_at
from shopsync.simulators.tripletex.writes import (
    apply,
    check_create_keys,
    check_emails,
    check_lengths,
    check_refs,
    check_version,
)

__all__ = ["create_customers", "customer_query", "delete_customer", "update_customers"]

SCHEMA = "Customer"
FIRST_NUMBER = 10001
_ADDRESSES = frozenset({"postalAddress", "physicalAddress", "deliveryAddress"})
_EMAILS = ("email", "invoiceEmail", "overdueNoticeEmail")
#: Derived by the server whatever the client sends.
_DERIVED = frozenset({"displayName", "isCustomer"})

DEFAULTS: dict[str, Any] = {
    "isSupplier": False,
    "isCustomer": True,
    "isInactive": False,
    "language": "NO",
    "isPrivateIndividual": False,
    "singleCustomerInvoice": False,
    "invoiceSendMethod": "EMAIL",
    "emailAttachmentType": "ATTACHMENT",
    "invoicesDueIn": 14,
    "invoicesDueInType": "DAYS",
    "currency": NOK_ID,
    "discountPercentage": "0",
}


class _Plan:
    """One customer write worked out before anything is stored."""

    def __init__(self, doc: dict[str, Any], old: dict[str, Any] | None, addresses: list[AddressPlan]):
        self.doc = doc
        self.old = old
        self.addresses = addresses


def _validate(sim: Simulator, doc: dict[str, Any], mapped: Mapped, vc: ValidationCollector) -> None:
    if not doc.get("name"):
        vc.missing("name")
    check_refs(sim, SCHEMA, mapped, vc, skip=_ADDRESSES)
    check_lengths(SCHEMA, doc, vc)
    check_emails(doc, _EMAILS, vc)
    due = doc.get("invoicesDueIn")
    if isinstance(due, int) and not 0 <= due <= 10000:
        vc.field("invoicesDueIn", "Må være mellom 0 og 10000.")


def _addresses(
    sim: Simulator, doc: dict[str, Any], mapped: Mapped, vc: ValidationCollector
) -> list[AddressPlan]:
    plans = []
    for field in ("physicalAddress", "postalAddress"):
        plan = plan_address(sim, "Address", field, mapped.get(field), doc.get(field), vc, create_empty=True)
        doc[field] = plan.id
        plans.append(plan)
    if "deliveryAddress" in mapped:
        sent = mapped["deliveryAddress"]
        if sent is None:
            doc["deliveryAddress"] = None
        else:
            plan = plan_address(
                sim, "DeliveryAddress", "deliveryAddress", sent, doc.get("deliveryAddress"), vc, may_link=True
            )
            doc["deliveryAddress"] = plan.id
            plans.append(plan)
    return plans


def _number_taken(sim: Simulator, number: int, own_id: int | None, batch: set[int]) -> bool:
    if number in batch:
        return True
    found = sim.store.scalar(
        "SELECT id FROM customer WHERE json_extract(doc, '$.customerNumber') = ? LIMIT 1", (number,)
    )
    return found is not None and found != own_id


def create_customers(sim: Simulator, host: str, items: list[Mapped], *, batch: bool) -> list[dict[str, Any]]:
    """POST /customer and POST /customer/list: all items are valid, or nothing is stored."""
    plans: list[_Plan] = []
    messages: list[errors.Message] = []
    numbers: set[int] = set()
    top = sim.store.max_value(SCHEMA, "customerNumber") or FIRST_NUMBER - 1
    next_number = max(int(top) + 1, FIRST_NUMBER)
    for i, mapped in enumerate(items):
        vc = ValidationCollector(f"[{i}]", i) if batch else ValidationCollector()
        check_create_keys(mapped, vc)
        doc: dict[str, Any] = {"id": 0, "version": 1, **DEFAULTS}
        apply(SCHEMA, doc, mapped, skip=_ADDRESSES | _DERIVED)
        number = doc.get("customerNumber")
        if number is None or number == 0:
            while next_number in numbers or _number_taken(sim, next_number, None, numbers):
                next_number += 1
            doc["customerNumber"] = next_number
        elif _number_taken(sim, number, None, numbers):
            vc.field("customerNumber", f"Kundenummeret {number} er i bruk.")
        numbers.add(doc["customerNumber"])
        _validate(sim, doc, mapped, vc)
        addresses = _addresses(sim, doc, mapped, vc)
        messages.extend(vc.messages)
        plans.append(_Plan(doc, None, addresses))
    if messages:
        raise errors.validation_failed(messages)
    with sim.write(host) as w:
        for plan in plans:
            plan.doc["id"] = sim.store.next_id(SCHEMA)
            _finish(plan.doc)
            for address in plan.addresses:
                save_address(sim, w, address)
            sim.insert(w, SCHEMA, plan.doc, "customer.create")
    return [p.doc for p in plans]


def update_customers(
    sim: Simulator, host: str, items: list[tuple[int, Mapped]], *, batch: bool
) -> list[dict[str, Any]]:
    """PUT /customer/{id} and PUT /customer/list: partial updates, version-checked when sent."""
    plans: list[_Plan] = []
    messages: list[errors.Message] = []
    for i, (obj_id, mapped) in enumerate(items):
        vc = ValidationCollector(f"[{i}]", i) if batch else ValidationCollector()
        old = sim.store.get(SCHEMA, obj_id)
        if old is None:
            raise errors.not_found(f"Customer {obj_id} not found")
        check_version(mapped, old)
        doc = dict(old)
        apply(SCHEMA, doc, mapped, skip=_ADDRESSES | _DERIVED | {"customerNumber"})
        number = mapped.get("customerNumber")
        if number is not None and number != old.get("customerNumber"):
            if _number_taken(sim, number, obj_id, set()):
                vc.field("customerNumber", f"Kundenummeret {number} er i bruk.")
            doc["customerNumber"] = number
        _validate(sim, doc, mapped, vc)
        addresses = _addresses(sim, doc, mapped, vc)
        _finish(doc)
        messages.extend(vc.messages)
        plans.append(_Plan(doc, old, addresses))
    if messages:
        raise errors.validation_failed(messages)
    with sim.write(host) as w:
        for plan in plans:
            touched = [save_address(sim, w, a) for a in plan.addresses]
            assert plan.old is not None
            # The customer as a whole changed even if only one of its addresses did: bump it too.
            changed = sim.save(w, SCHEMA, plan.old, plan.doc, "customer.update", force=any(touched))
            if changed and plan.doc.get("name") != plan.old.get("name"):
                _rename_in_orders(sim, plan.doc["id"], plan.doc.get("name") or "")
    return [p.doc for p in plans]


def _finish(doc: dict[str, Any]) -> None:
    doc["displayName"] = f"{doc.get('name') or ''} ({doc.get('customerNumber')})"
    doc["isCustomer"] = True


def _rename_in_orders(sim: Simulator, customer_id: int, name: str) -> None:
    # Order.customerName is derived; keep it current without touching the orders' versions.
    sim.store.execute(
        "UPDATE orders SET doc = json_set(doc, '$.customerName', ?)"
        " WHERE json_extract(doc, '$.customer') = ?",
        (name, customer_id),
    )


def delete_customer(sim: Simulator, host: str, obj_id: int) -> None:
    """DELETE /customer/{id}: refused with 422 while orders point at the customer."""
    doc = sim.store.get(SCHEMA, obj_id)
    if doc is None:
        raise errors.not_found(f"Customer {obj_id} not found")
    used = sim.store.count("Order", "json_extract(doc, '$.customer') = ?", (obj_id,))
    if used:
        vc = ValidationCollector()
        vc.rule(None, "Kunden kan ikke slettes fordi den er i bruk (har ordre).")
        vc.raise_if_any()
    with sim.write(host) as w:
        for field in ("postalAddress", "physicalAddress"):
            if doc.get(field):
                sim.store.delete("Address", doc[field])
        sim.remove(w, SCHEMA, obj_id, "customer.delete")


def customer_query(sim: Simulator, params: Params) -> Query:
    """The filters of ``GET /customer``."""
    q = Query()
    ids = params.ids("id")
    q.one_of("id", ids)
    if ids is not None:
        # By id, SQLite's planner looks each row up by its key and parses its document for isInactive;
        # the isInactive index holds both (value, id): twice as fast for fields=id,version.
        q.index = "ix_customer_isInactive"
    q.one_of("customerNumber", params.ids("customerAccountNumber"))
    q.equals("organizationNumber", params.text("organizationNumber"))
    q.equals("email", params.text("email"))
    q.equals("invoiceEmail", params.text("invoiceEmail"))
    q.contains("name", params.text("customerName"))
    q.equals("phoneNumberMobile", params.text("phoneNumberMobile"))
    q.equals("isInactive", 1 if params.flag("isInactive") else 0)
    q.one_of("accountManager", params.ids("accountManagerId"))
    since = params.text("changedSince")
    if since is not None:
        q.add("changed_at >= ?", _since(since))
    return q


def _since(text: str) -> str:
    """``changedSince`` as a stored UTC timestamp; a date or a local time is read as Oslo time."""
    value = text.strip().replace(" ", "T")
    try:
        if len(value) == 10:
            moment = datetime.fromisoformat(value + "T00:00:00")
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise errors.value_validation(
            [errors.message("changedSince", f"Ugyldig tidspunkt: {text}", "changedSince")]
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=OSLO)
    return stamp_at(moment).sortable
