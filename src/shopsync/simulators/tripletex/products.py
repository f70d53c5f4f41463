"""Products: unique name and number, VAT and price rules, delete, and the ``GET /product`` filters.

A product starts at version 0. Without ``vatType`` it gets the company default (25 % outgoing, id 3);
a VAT type that is not an outgoing one is "Ugyldig mva-kode.". When only one of the prices excluding /
including VAT is sent the other is computed from the VAT rate; a duplicate number is 422 code 18000
"Produktnummeret N er i bruk." and so is a duplicate name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.bodies import Mapped
from shopsync.simulators.tripletex.errors import ValidationCollector
from shopsync.simulators.tripletex.queries import Params, Query
from shopsync.simulators.tripletex.refdata import DEFAULT_VAT_TYPE_ID, NOK_ID
from shopsync.simulators.tripletex.state import Simulator
from shopsync.simulators.tripletex.writes import (
    apply,
    check_create_keys,
    check_lengths,
    check_refs,
    check_version,
    money,
)

__all__ = ["create_products", "delete_product", "product_query", "update_products", "vat_rate"]

SCHEMA = "Product"
_DERIVED = frozenset({"displayNumber", "displayName", "isDeletable", "isRoundPriceIncVat"})

DEFAULTS: dict[str, Any] = {
    "isInactive": False,
    "isStockItem": False,
    "isDeletable": False,
    "hasSupplierProductConnected": False,
    "isRoundPriceIncVat": False,
    "vatType": DEFAULT_VAT_TYPE_ID,
    "currency": NOK_ID,
    "costExcludingVatCurrency": "0",
    "priceExcludingVatCurrency": "0",
    "priceIncludingVatCurrency": "0",
}


def vat_rate(sim: Simulator, vat_id: int | None) -> Decimal:
    """The VAT percentage of a VAT type as a fraction (0.25 for 25 %)."""
    vat = sim.refdata.get("VatType", vat_id or DEFAULT_VAT_TYPE_ID)
    return Decimal(vat["percentage"]) / 100 if vat else Decimal(0)


def _prices(sim: Simulator, doc: dict[str, Any], mapped: Mapped, old: dict[str, Any] | None) -> None:
    rate = 1 + vat_rate(sim, doc.get("vatType"))
    excl_sent = mapped.get("priceExcludingVatCurrency") is not None
    incl_sent = mapped.get("priceIncludingVatCurrency") is not None
    vat_changed = old is not None and old.get("vatType") != doc.get("vatType")
    if (excl_sent and not incl_sent) or (vat_changed and not incl_sent):
        doc["priceIncludingVatCurrency"] = money(Decimal(doc.get("priceExcludingVatCurrency") or 0) * rate)
    elif incl_sent and not excl_sent:
        doc["priceExcludingVatCurrency"] = money(Decimal(doc.get("priceIncludingVatCurrency") or 0) / rate)
    cost = Decimal(doc.get("costExcludingVatCurrency") or 0)
    price = Decimal(doc.get("priceExcludingVatCurrency") or 0)
    doc["costPrice"] = doc.get("costExcludingVatCurrency") or "0"
    doc["profit"] = money(price - cost)
    doc["profitInPercent"] = money((price - cost) / price * 100) if price else "0"


def _finish(doc: dict[str, Any]) -> None:
    number = doc.get("number") or ""
    doc["displayNumber"] = number
    doc["displayName"] = f"{number} {doc.get('name') or ''}".strip()


def _taken(sim: Simulator, prop: str, value: str, own_id: int | None, seen: set[str]) -> bool:
    if value in seen:
        return True
    found = sim.store.scalar(
        f"SELECT id FROM product WHERE json_extract(doc, '$.{prop}') = ? LIMIT 1", (value,)
    )
    return found is not None and found != own_id


def _validate(
    sim: Simulator,
    doc: dict[str, Any],
    mapped: Mapped,
    vc: ValidationCollector,
    own_id: int | None,
    names: set[str],
    numbers: set[str],
) -> None:
    name = doc.get("name")
    if not name:
        vc.missing("name")
    elif (own_id is None or "name" in mapped) and _taken(sim, "name", name, own_id, names):
        vc.field("name", f'Produktnavnet "{name}" er allerede registrert.')
    number = doc.get("number")
    if number and (own_id is None or "number" in mapped) and _taken(sim, "number", number, own_id, numbers):
        vc.field("number", f"Produktnummeret {number} er i bruk.")
    if "vatType" in mapped and mapped["vatType"] is None:
        vc.field("vatType", "Ugyldig mva-kode.")
    check_refs(sim, SCHEMA, mapped, vc)
    check_lengths(SCHEMA, doc, vc)
    if name:
        names.add(name)
    if number:
        numbers.add(number)


def create_products(sim: Simulator, host: str, items: list[Mapped], *, batch: bool) -> list[dict[str, Any]]:
    """POST /product and POST /product/list: all items are valid, or nothing is stored."""
    docs: list[dict[str, Any]] = []
    messages: list[errors.Message] = []
    names: set[str] = set()
    numbers: set[str] = set()
    for i, mapped in enumerate(items):
        vc = ValidationCollector(f"[{i}]", i) if batch else ValidationCollector()
        check_create_keys(mapped, vc)
        doc: dict[str, Any] = {"id": 0, "version": 0, **DEFAULTS}
        apply(SCHEMA, doc, mapped, skip=_DERIVED)
        if doc.get("vatType") is None:
            doc["vatType"] = DEFAULT_VAT_TYPE_ID
        _validate(sim, doc, mapped, vc, None, names, numbers)
        _prices(sim, doc, mapped, None)
        _finish(doc)
        messages.extend(vc.messages)
        docs.append(doc)
    if messages:
        raise errors.validation_failed(messages)
    with sim.write(host) as w:
        for doc in docs:
            doc["id"] = sim.store.next_id(SCHEMA)
            sim.insert(w, SCHEMA, doc, "product.create")
    return docs


def update_products(
    sim: Simulator, host: str, items: list[tuple[int, Mapped]], *, batch: bool
) -> list[dict[str, Any]]:
    """PUT /product/{id} and PUT /product/list: partial updates, version-checked when sent."""
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    messages: list[errors.Message] = []
    names: set[str] = set()
    numbers: set[str] = set()
    for i, (obj_id, mapped) in enumerate(items):
        vc = ValidationCollector(f"[{i}]", i) if batch else ValidationCollector()
        old = sim.store.get(SCHEMA, obj_id)
        if old is None:
            raise errors.not_found(f"Product {obj_id} not found")
        check_version(mapped, old)
        doc = dict(old)
        apply(SCHEMA, doc, mapped, skip=_DERIVED)
        _validate(sim, doc, mapped, vc, obj_id, names, numbers)
        _prices(sim, doc, mapped, old)
        _finish(doc)
        messages.extend(vc.messages)
        pairs.append((old, doc))
    if messages:
        raise errors.validation_failed(messages)
    with sim.write(host) as w:
        for old, doc in pairs:
            sim.save(w, SCHEMA, old, doc, "product.update")
    return [doc for _, doc in pairs]


def delete_product(sim: Simulator, host: str, obj_id: int) -> None:
    """DELETE /product/{id}: an unused product goes (204); one on order lines is refused (422)."""
    if not sim.store.exists(SCHEMA, obj_id):
        raise errors.not_found(f"Product {obj_id} not found")
    if sim.store.count("OrderLine", "json_extract(doc, '$.product') = ?", (obj_id,)):
        vc = ValidationCollector()
        vc.rule(None, "Produktet kan ikke slettes fordi det er brukt på ordrelinjer.")
        vc.raise_if_any()
    with sim.write(host) as w:
        sim.remove(w, SCHEMA, obj_id, "product.delete")


def product_query(params: Params) -> Query:
    """The filters of ``GET /product`` (no default for ``isInactive``)."""
    q = Query()
    q.one_of("number", [str(n) for n in params.ids("number") or []] if params.text("number") else None)
    q.one_of("id", params.ids("ids"))
    q.one_of("number", params.strings("productNumber"))
    q.contains("name", params.text("name"))
    q.equals("ean", params.text("ean"))
    inactive = params.flag("isInactive")
    if inactive is not None:
        q.equals("isInactive", 1 if inactive else 0)
    stock = params.flag("isStockItem")
    if stock is not None:
        q.equals("isStockItem", 1 if stock else 0)
    if params.flag("isSupplierProduct"):
        q.add("json_extract(doc, '$.supplier') IS NOT NULL")
    q.one_of("supplier", params.ids("supplierId"))
    q.one_of("currency", params.ids("currencyId"))
    q.one_of("vatType", params.ids("vatTypeId"))
    q.one_of("productUnit", params.ids("productUnitId"))
    q.one_of("department", params.ids("departmentId"))
    q.one_of("account", params.ids("accountId"))
    for prop in ("costExcludingVatCurrency", "priceExcludingVatCurrency", "priceIncludingVatCurrency"):
        q.number_range(prop, params.decimal(prop + "From"), params.decimal(prop + "To"))
    return q
