"""Orders and their lines: create (with embedded lines), update, delete and the ``GET /order`` filters.

An order needs a customer, ``orderDate`` and ``deliveryDate``; it starts at version 0 and gets the
next order number. ``POST /order`` creates embedded ``orderLines``; ``PUT /order/{id}`` replaces the
line set only with ``updateLinesAndGroups=true`` (lines with an id are updated, new ones created,
missing ones deleted) and otherwise ignores ``orderLines``. Any change to an order's lines, through
the order or through ``/order/orderline``, is a change of the order: its version goes up and
``order.update`` fires. ``GET /order`` requires ``orderDateFrom`` (inclusive) and ``orderDateTo``
(exclusive) and rejects an empty window.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.addresses import AddressPlan, plan_address, save_address
from shopsync.simulators.tripletex.bodies import Mapped
from shopsync.simulators.tripletex.errors import ValidationCollector
from shopsync.simulators.tripletex.orderlines import plan_line
from shopsync.simulators.tripletex.queries import Params, Query
from shopsync.simulators.tripletex.refdata import NOK_ID
from shopsync.simulators.tripletex.state import Simulator, Write
from shopsync.simulators.tripletex.writes import (
    apply,
    check_create_keys,
    check_lengths,
    check_refs,
    check_version,
    ref_id,
)

__all__ = [
    "MAX_ORDER_BATCH",
    "create_lines",
    "create_orders",
    "delete_line",
    "delete_order",
    "order_query",
    "update_line",
    "update_order",
]

SCHEMA = "Order"
MAX_ORDER_BATCH = 100
_NESTED = frozenset({"orderLines", "deliveryAddress", "orderGroups"})
_DERIVED = frozenset({"displayName", "customerName"})

DEFAULTS: dict[str, Any] = {
    "isShowOpenPostsOnInvoices": False,
    "isClosed": False,
    "isPrioritizeAmountsIncludingVat": False,
    "orderLineSorting": "PRODUCT",
    "isSubscription": False,
    "subscriptionDuration": 0,
    "subscriptionDurationType": "MONTHS",
    "subscriptionPeriodsOnInvoice": 0,
    "subscriptionPeriodsOnInvoiceType": "MONTHS",
    "subscriptionInvoicingTimeInAdvanceOrArrears": "ADVANCE",
    "subscriptionInvoicingTime": 0,
    "subscriptionInvoicingTimeType": "MONTHS",
    "isSubscriptionAutoInvoicing": False,
    "invoiceOnAccountVatHigh": False,
    "markUpOrderLines": "0",
    "discountPercentage": "0",
}


class _Plan:
    """One order write worked out before anything is stored."""

    def __init__(self, doc: dict[str, Any], old: dict[str, Any] | None) -> None:
        self.doc = doc
        self.old = old
        self.address: AddressPlan | None = None
        self.new_lines: list[dict[str, Any]] = []
        self.changed_lines: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.deleted_lines: list[int] = []


def _check_date(doc: dict[str, Any], key: str, vc: ValidationCollector) -> None:
    value = doc.get(key)
    if not value:
        vc.missing(key)
        return
    try:
        date.fromisoformat(str(value))
    except ValueError:
        vc.field(key, f"Ugyldig dato: {value}")


def _header(
    sim: Simulator, doc: dict[str, Any], mapped: Mapped, vc: ValidationCollector
) -> dict[str, Any] | None:
    customer = sim.store.get("Customer", doc["customer"]) if doc.get("customer") else None
    if doc.get("customer") is None:
        vc.missing("customer")
    check_refs(sim, SCHEMA, mapped, vc, skip=_NESTED)
    _check_date(doc, "orderDate", vc)
    _check_date(doc, "deliveryDate", vc)
    check_lengths(SCHEMA, doc, vc)
    if customer:
        doc["customerName"] = customer.get("name") or ""
    number = doc.get("number") or ""
    doc["displayName"] = f"{number} Ordre".strip()
    return customer


def _sent_lines(mapped: Mapped) -> list[Mapped] | None:
    lines = mapped.get("orderLines")
    return None if lines is None else list(lines)


def create_orders(sim: Simulator, host: str, items: list[Mapped], *, batch: bool) -> list[dict[str, Any]]:
    """POST /order and POST /order/list (max 100): orders with embedded lines, all or nothing."""
    if batch and len(items) > MAX_ORDER_BATCH:
        vc = ValidationCollector()
        vc.rule(None, f"Maks {MAX_ORDER_BATCH} ordre kan opprettes om gangen.")
        vc.raise_if_any()
    plans: list[_Plan] = []
    messages: list[errors.Message] = []
    for i, mapped in enumerate(items):
        vc = ValidationCollector(f"[{i}]", i) if batch else ValidationCollector()
        check_create_keys(mapped, vc)
        doc: dict[str, Any] = {"id": sim.store.next_id(SCHEMA), "version": 0, **DEFAULTS, "orderLines": []}
        apply(SCHEMA, doc, mapped, skip=_NESTED | _DERIVED)
        if not doc.get("number"):
            doc["number"] = str(sim.next_order_number())
        customer = _header(sim, doc, mapped, vc)
        if customer:
            if doc.get("currency") is None:
                doc["currency"] = customer.get("currency") or NOK_ID
            if "invoicesDueIn" not in mapped:
                doc["invoicesDueIn"] = customer.get("invoicesDueIn", 14)
                doc["invoicesDueInType"] = customer.get("invoicesDueInType", "DAYS")
            doc["sendMethodDescription"] = _send_method(customer)
        if doc.get("currency") is None:
            doc["currency"] = NOK_ID
        plan = _Plan(doc, None)
        if mapped.get("deliveryAddress") is not None:
            plan.address = plan_address(
                sim, "DeliveryAddress", "deliveryAddress", mapped["deliveryAddress"], None, vc, may_link=True
            )
            doc["deliveryAddress"] = plan.address.id
        for j, line in enumerate(_sent_lines(mapped) or []):
            line_vc = ValidationCollector(vc.prefix, vc.root_id)
            check_create_keys(line, line_vc)
            new = plan_line(sim, doc, line, None, line_vc, prefix=f"orderLines[{j}].")
            vc.messages.extend(line_vc.messages)
            plan.new_lines.append(new)
        messages.extend(vc.messages)
        plans.append(plan)
    if messages:
        raise errors.validation_failed(messages)
    with sim.write(host) as w:
        for plan in plans:
            if plan.address:
                save_address(sim, w, plan.address)
            for line in plan.new_lines:
                line["id"] = sim.store.next_id("OrderLine")
                plan.doc["orderLines"].append(line["id"])
            sim.insert(w, SCHEMA, plan.doc, "order.create")
            for line in plan.new_lines:
                sim.insert(w, "OrderLine", line)
    return [p.doc for p in plans]


def _send_method(customer: dict[str, Any]) -> str:
    email = customer.get("invoiceEmail") or customer.get("email")
    if customer.get("invoiceSendMethod", "EMAIL") == "EMAIL" and email:
        return f"Sendes som e-post til {email}."
    return "Faktura må sendes manuelt."


def update_order(
    sim: Simulator, host: str, obj_id: int, mapped: Mapped, *, replace_lines: bool
) -> dict[str, Any]:
    """PUT /order/{id}: partial update; ``replace_lines`` is ``updateLinesAndGroups``."""
    old = sim.store.get(SCHEMA, obj_id)
    if old is None:
        raise errors.not_found(f"Order {obj_id} not found")
    check_version(mapped, old)
    vc = ValidationCollector()
    doc = dict(old)
    doc["orderLines"] = list(old.get("orderLines") or [])
    apply(SCHEMA, doc, mapped, skip=_NESTED | _DERIVED)
    _header(sim, doc, mapped, vc)
    plan = _Plan(doc, old)
    if "deliveryAddress" in mapped:
        sent = mapped["deliveryAddress"]
        if sent is None:
            doc["deliveryAddress"] = None
        else:
            plan.address = plan_address(
                sim, "DeliveryAddress", "deliveryAddress", sent, doc.get("deliveryAddress"), vc, may_link=True
            )
            doc["deliveryAddress"] = plan.address.id
    lines = _sent_lines(mapped)
    if replace_lines and lines is not None:
        existing = sim.store.get_many("OrderLine", doc["orderLines"])
        keep: list[int] = []
        for j, line in enumerate(lines):
            lid = line.get("id")
            prefix = f"orderLines[{j}]."
            if lid is not None:
                current = existing.get(lid)
                if current is None:
                    vc.field(f"{prefix}id", f"Ordrelinjen {lid} tilhører ikke ordren.")
                    continue
                check_version(line, current)
                new = plan_line(sim, doc, line, current, vc, prefix=prefix)
                plan.changed_lines.append((current, new))
                keep.append(lid)
            else:
                plan.new_lines.append(plan_line(sim, doc, line, None, vc, prefix=prefix))
        plan.deleted_lines = [lid for lid in doc["orderLines"] if lid not in keep]
        doc["orderLines"] = keep
    vc.raise_if_any()
    with sim.write(host) as w:
        lines_changed = bool(plan.new_lines or plan.deleted_lines)
        if plan.address:
            save_address(sim, w, plan.address)
        for current, new in plan.changed_lines:
            lines_changed |= sim.save(w, "OrderLine", current, new, None)
        for lid in plan.deleted_lines:
            sim.remove(w, "OrderLine", lid, None)
        for line in plan.new_lines:
            line["id"] = sim.store.next_id("OrderLine")
            doc["orderLines"].append(line["id"])
            sim.insert(w, "OrderLine", line)
        sim.save(w, SCHEMA, old, doc, "order.update", force=lines_changed)
    return doc


def delete_order(sim: Simulator, host: str, obj_id: int) -> None:
    """DELETE /order/{id}: the order and its lines."""
    doc = sim.store.get(SCHEMA, obj_id)
    if doc is None:
        raise errors.not_found(f"Order {obj_id} not found")
    with sim.write(host) as w:
        for lid in doc.get("orderLines") or []:
            sim.remove(w, "OrderLine", lid, None)
        sim.remove(w, SCHEMA, obj_id, "order.delete")


# --- /order/orderline ---------------------------------------------------------------------------


def create_lines(sim: Simulator, host: str, items: list[Mapped], *, batch: bool) -> list[dict[str, Any]]:
    """POST /order/orderline and /order/orderline/list: every line names its order."""
    planned: list[tuple[dict[str, Any], dict[str, Any]]] = []
    messages: list[errors.Message] = []
    orders: dict[int, dict[str, Any]] = {}
    for i, mapped in enumerate(items):
        vc = ValidationCollector(f"[{i}]", i) if batch else ValidationCollector()
        check_create_keys(mapped, vc)
        order_id = ref_id(mapped.get("order"))
        order = None if order_id is None else orders.get(order_id) or sim.store.get(SCHEMA, order_id)
        if order_id is None:
            vc.missing("order")
        elif order is None:
            vc.field("order.id", f"Fant ikke objekt med id {order_id}.")
        if order is None:
            messages.extend(vc.messages)
            continue
        orders[order["id"]] = order
        line = plan_line(sim, order, mapped, None, vc)
        messages.extend(vc.messages)
        planned.append((order, line))
    if messages:
        raise errors.validation_failed(messages)
    with sim.write(host) as w:
        touched: dict[int, dict[str, Any]] = {}
        for order, line in planned:
            line["id"] = sim.store.next_id("OrderLine")
            sim.insert(w, "OrderLine", line)
            new = touched.setdefault(
                order["id"], {**order, "orderLines": list(order.get("orderLines") or [])}
            )
            new["orderLines"].append(line["id"])
        for order_id, new in touched.items():
            sim.save(w, SCHEMA, orders[order_id], new, "order.update")
    return [line for _, line in planned]


def update_line(sim: Simulator, host: str, line_id: int, mapped: Mapped) -> dict[str, Any]:
    """PUT /order/orderline/{id}: partial update; moving a line to another order is not possible."""
    old = sim.store.get("OrderLine", line_id)
    if old is None:
        raise errors.not_found(f"OrderLine {line_id} not found")
    check_version(mapped, old)
    order = sim.store.get(SCHEMA, old["order"])
    if order is None:  # pragma: no cover - lines never outlive their order
        raise errors.not_found(f"Order {old['order']} not found")
    vc = ValidationCollector()
    new = plan_line(sim, order, mapped, old, vc)
    vc.raise_if_any()
    with sim.write(host) as w:
        if sim.save(w, "OrderLine", old, new, None):
            _touch_order(sim, w, order)
    return new


def delete_line(sim: Simulator, host: str, line_id: int) -> None:
    """DELETE /order/orderline/{id}."""
    line = sim.store.get("OrderLine", line_id)
    if line is None:
        raise errors.not_found(f"OrderLine {line_id} not found")
    order = sim.store.get(SCHEMA, line["order"])
    with sim.write(host) as w:
        sim.remove(w, "OrderLine", line_id, None)
        if order is not None:
            new = {**order, "orderLines": [lid for lid in order.get("orderLines") or [] if lid != line_id]}
            sim.save(w, SCHEMA, order, new, "order.update")


def _touch_order(sim: Simulator, w: Write, order: dict[str, Any]) -> None:
    sim.save(w, SCHEMA, order, dict(order), "order.update", force=True)


def order_query(params: Params) -> Query:
    """The filters of ``GET /order``; both dates are required and the window may not be empty."""
    missing = [
        errors.message(name, "Kan ikke være null.", name)
        for name in ("orderDateFrom", "orderDateTo")
        if params.text(name) is None
    ]
    if missing:
        raise errors.value_validation(missing)
    start, end = params.day("orderDateFrom"), params.day("orderDateTo")
    assert start is not None and end is not None
    if end <= start:
        raise errors.value_validation(
            [errors.message("orderDateTo", "Til-dato må være etter fra-dato.", "orderDateTo")]
        )
    q = Query()
    q.add("json_extract(doc, '$.orderDate') >= ?", start.isoformat())
    q.add("json_extract(doc, '$.orderDate') < ?", end.isoformat())
    q.one_of("id", params.ids("id"))
    q.equals("number", params.text("number"))
    q.one_of("customer", params.ids("customerId"))
    q.contains("deliveryComment", params.text("deliveryComment"))
    closed = params.flag("isClosed")
    if closed is not None:
        q.equals("isClosed", 1 if closed else 0)
    sub = params.flag("isSubscription")
    if sub is not None:
        q.equals("isSubscription", 1 if sub else 0)
    return q
