"""The fake WooCommerce's data and rules, in memory: records shaped like real v3 responses.

What it reproduces because a connector must cope with it: store-local ``date_*`` next to UTC
``date_*_gmt`` (both without offset, one-second precision, ``date_modified_gmt`` null for customers
never saved through WooCommerce); prices as strings exactly as entered; line ``subtotal``/``total``
excluding tax and a numeric line ``price``; ``tax_class`` ``""`` for the standard class; products and
orders sharing one id sequence (both are WordPress posts); ``line_items`` sent without an id being
appended and ``quantity: 0`` removing a line; unique customer e-mails and product SKUs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["WooClock", "WooError", "WooStore"]

_CENT = Decimal("0.01")
_ADDRESS_KEYS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
)


def _money(value: Decimal) -> str:
    return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):f}"


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


class WooError(Exception):
    """An error answer in WooCommerce's shape: ``{"code", "message", "data": {"status", ...}}``."""

    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"code": code, "message": message, "data": {"status": status, **data}}


class WooClock:
    """UTC wall clock at one-second precision (as WordPress stores it); can be frozen by tests."""

    def __init__(self) -> None:
        self._frozen: dt.datetime | None = None

    def freeze(self, moment: dt.datetime | None) -> None:
        self._frozen = None if moment is None else moment.astimezone(dt.UTC).replace(microsecond=0)

    def now(self) -> dt.datetime:
        return self._frozen or dt.datetime.now(dt.UTC).replace(microsecond=0)


class WooStore:
    """Customers, products and orders with WooCommerce's write rules (thread-safe)."""

    def __init__(
        self,
        clock: WooClock,
        *,
        timezone: str = "Europe/Oslo",
        currency: str = "NOK",
        prices_include_tax: bool = True,
        tax_rates: dict[str, Decimal] | None = None,
    ) -> None:
        self.clock = clock
        self.zone = ZoneInfo(timezone)
        self.currency = currency
        self.prices_include_tax = prices_include_tax
        self.tax_rates = tax_rates or {
            "": Decimal("25"),
            "reduced-rate": Decimal("15"),
            "zero-rate": Decimal("0"),
        }
        self.lock = threading.RLock()
        self.records: dict[str, dict[int, dict[str, Any]]] = {"customers": {}, "products": {}, "orders": {}}
        self._user_ids = itertools.count(2)  # user 1 is the shop admin
        self._post_ids = itertools.count(10)  # products and orders share WordPress's post ids
        self._line_ids = itertools.count(1)

    # ---------------------------------------------------------------- helpers

    def _stamp(self, record: dict[str, Any], *, created: bool) -> None:
        now = self.clock.now()
        local = now.astimezone(self.zone).replace(tzinfo=None).isoformat()
        gmt = now.replace(tzinfo=None).isoformat()
        if created:
            record["date_created"], record["date_created_gmt"] = local, gmt
        record["date_modified"], record["date_modified_gmt"] = local, gmt

    def _rate(self, tax_class: str) -> Decimal:
        if tax_class not in self.tax_rates:
            raise WooError(
                400, "rest_invalid_param", "Invalid parameter(s): tax_class", params={"tax_class": "unknown"}
            )
        return self.tax_rates[tax_class] / 100

    def get(self, resource: str, record_id: int) -> dict[str, Any]:
        record = self.records[resource].get(record_id)
        if record is None:
            raise WooError(404, _invalid_id_code(resource), "Invalid ID.")
        return record

    # ---------------------------------------------------------------- customers

    def save_customer(
        self, body: dict[str, Any], record_id: int | None = None, *, touch: bool = True
    ) -> dict[str, Any]:
        with self.lock:
            if record_id is None:
                email = str(body.get("email") or "").strip().lower()
                if not email or "@" not in email:
                    raise WooError(
                        400,
                        "rest_invalid_param",
                        "Invalid parameter(s): email",
                        params={"email": "Invalid email"},
                    )
                record: dict[str, Any] = {
                    "id": next(self._user_ids),
                    "email": email,
                    "first_name": "",
                    "last_name": "",
                    "role": "customer",
                    "username": email.split("@")[0],
                    "billing": dict.fromkeys((*_ADDRESS_KEYS, "email", "phone"), ""),
                    "shipping": dict.fromkeys((*_ADDRESS_KEYS, "phone"), ""),
                    "is_paying_customer": False,
                    "meta_data": [],
                }
            else:
                record = self.get("customers", record_id)
            if "email" in body:
                email = str(body["email"]).strip().lower()
                if any(
                    c["email"] == email and c["id"] != record["id"]
                    for c in self.records["customers"].values()
                ):
                    raise WooError(
                        400,
                        "registration-error-email-exists",
                        "An account is already registered with your email address.",
                    )
                record["email"] = email
            for key in ("first_name", "last_name"):
                if key in body:
                    record[key] = str(body[key] or "")
            for block in ("billing", "shipping"):
                for key, value in (body.get(block) or {}).items():
                    if key in record[block]:
                        record[block][key] = "" if value is None else str(value)
            _merge_meta(record["meta_data"], body.get("meta_data"))
            if record_id is None:
                self._stamp(record, created=True)
                if not touch:
                    # Customers imported outside WooCommerce's data store have never been "modified".
                    record["date_modified"] = record["date_modified_gmt"] = None
                self.records["customers"][record["id"]] = record
            else:
                self._stamp(record, created=False)
            return record

    # ---------------------------------------------------------------- products

    def save_product(self, body: dict[str, Any], record_id: int | None = None) -> dict[str, Any]:
        with self.lock:
            if record_id is None:
                record: dict[str, Any] = {
                    "id": next(self._post_ids),
                    "name": "",
                    "slug": "",
                    "type": "simple",
                    "status": "publish",
                    "description": "",
                    "short_description": "",
                    "sku": "",
                    "price": "",
                    "regular_price": "",
                    "sale_price": "",
                    "on_sale": False,
                    "tax_status": "taxable",
                    "tax_class": "",
                    "manage_stock": False,
                    "stock_quantity": None,
                    "stock_status": "instock",
                    "meta_data": [],
                }
            else:
                record = self.get("products", record_id)
            sku = body.get("sku")
            if sku:
                owner = next(
                    (
                        p["id"]
                        for p in self.records["products"].values()
                        if p["sku"] == sku and p["id"] != record["id"]
                    ),
                    None,
                )
                if owner is not None:
                    raise WooError(
                        400,
                        "product_invalid_sku",
                        "Invalid or duplicated SKU.",
                        resource_id=owner,
                        unique_sku=sku,
                    )
            for key in (
                "name",
                "type",
                "status",
                "description",
                "short_description",
                "sku",
                "regular_price",
                "sale_price",
            ):
                if key in body:
                    record[key] = "" if body[key] is None else str(body[key])
            if "tax_class" in body:
                self._rate(str(body["tax_class"]))
                record["tax_class"] = str(body["tax_class"])
            if "manage_stock" in body:
                record["manage_stock"] = bool(body["manage_stock"])
            if "stock_quantity" in body and record["manage_stock"]:
                record["stock_quantity"] = (
                    None if body["stock_quantity"] is None else int(body["stock_quantity"])
                )
            record["slug"] = record["slug"] or record["name"].lower().replace(" ", "-")
            record["on_sale"] = bool(record["sale_price"])
            record["price"] = record["sale_price"] or record["regular_price"]
            _merge_meta(record["meta_data"], body.get("meta_data"))
            self._stamp(record, created=record_id is None)
            self.records["products"][record["id"]] = record
            return record

    # ---------------------------------------------------------------- orders

    def save_order(self, body: dict[str, Any], record_id: int | None = None) -> dict[str, Any]:
        with self.lock:
            if record_id is None:
                new_id = next(self._post_ids)
                record: dict[str, Any] = {
                    "id": new_id,
                    "parent_id": 0,
                    "number": str(new_id),
                    "order_key": f"wc_order_{uuid.uuid4().hex[:13]}",
                    "status": "pending",
                    "currency": self.currency,
                    "version": "8.9.1",
                    "prices_include_tax": self.prices_include_tax,
                    "customer_id": 0,
                    "billing": dict.fromkeys((*_ADDRESS_KEYS, "email", "phone"), ""),
                    "shipping": dict.fromkeys((*_ADDRESS_KEYS, "phone"), ""),
                    "payment_method": "",
                    "customer_note": "",
                    "line_items": [],
                    "shipping_lines": [],
                    "meta_data": [],
                }
            else:
                record = self.get("orders", record_id)
            for key in ("status", "currency", "customer_note", "payment_method"):
                if key in body:
                    record[key] = str(body[key] or "")
            if "customer_id" in body:
                customer_id = int(body["customer_id"] or 0)
                if customer_id and customer_id not in self.records["customers"]:
                    raise WooError(400, "woocommerce_rest_invalid_customer_id", "Customer ID is invalid.")
                record["customer_id"] = customer_id
            for block in ("billing", "shipping"):
                for key, value in (body.get(block) or {}).items():
                    if key in record[block]:
                        record[block][key] = "" if value is None else str(value)
            for item in body.get("line_items") or []:
                self._apply_line(record, item)
            for item in body.get("shipping_lines") or []:
                # Like line items: sent without an id, a shipping line is added.
                record["shipping_lines"].append(
                    {
                        "id": next(self._line_ids),
                        "method_id": str(item.get("method_id", "")),
                        "method_title": str(item.get("method_title", "")),
                        "total": _money(_dec(item.get("total"))),
                    }
                )
            _merge_meta(record["meta_data"], body.get("meta_data"))
            self._totals(record)
            self._stamp(record, created=record_id is None)
            self.records["orders"][record["id"]] = record
            return record

    def _apply_line(self, order: dict[str, Any], item: dict[str, Any]) -> None:
        lines: list[dict[str, Any]] = order["line_items"]
        if item.get("id"):
            line = next((li for li in lines if li["id"] == int(item["id"])), None)
            if line is None:
                raise WooError(
                    400,
                    "woocommerce_rest_invalid_item_id",
                    "Order item ID provided is not associated with order.",
                )
            if int(item.get("quantity", line["quantity"]) or 0) == 0 or (
                "product_id" in item and item["product_id"] is None
            ):
                lines.remove(line)
                return
        else:
            line = {
                "id": next(self._line_ids),
                "name": "",
                "product_id": 0,
                "variation_id": 0,
                "quantity": 1,
                "tax_class": "",
                "subtotal": "",
                "total": "",
                "sku": "",
                "meta_data": [],
            }
            lines.append(line)
        if "product_id" in item:
            product = self.records["products"].get(int(item["product_id"] or 0))
            line["product_id"] = product["id"] if product else 0
            if product:
                line.update(
                    name=line["name"] or product["name"], sku=product["sku"], tax_class=product["tax_class"]
                )
        for key in ("name", "tax_class"):
            if key in item:
                line[key] = str(item[key] or "")
        if "quantity" in item:
            line["quantity"] = int(item["quantity"])
        if "subtotal" in item or "total" in item:
            line["subtotal"] = _money(_dec(item.get("subtotal", item.get("total"))))
            line["total"] = _money(_dec(item.get("total", line["subtotal"])))
        elif "quantity" in item or "product_id" in item or not line["subtotal"]:
            # Priced from the product; an entered price that includes tax is split net + tax.
            product = self.records["products"].get(line["product_id"])
            unit = _dec(product["price"]) if product else Decimal(0)
            gross = unit * line["quantity"]
            net = gross / (1 + self._rate(line["tax_class"])) if self.prices_include_tax else gross
            line["subtotal"] = line["total"] = _money(net)

    def _totals(self, order: dict[str, Any]) -> None:
        line_tax = Decimal(0)
        for line in order["line_items"]:
            rate = self._rate(line["tax_class"])
            line["subtotal_tax"] = _money(_dec(line["subtotal"]) * rate)
            line["total_tax"] = _money(_dec(line["total"]) * rate)
            line["taxes"] = [
                {
                    "id": 1,
                    "total": f"{(_dec(line['total']) * rate):.4f}",
                    "subtotal": f"{(_dec(line['subtotal']) * rate):.4f}",
                }
            ]
            # A JSON number: the line total after discounts, excluding tax, per item.
            line["price"] = float(_dec(line["total"]) / line["quantity"]) if line["quantity"] else 0
            line_tax += _dec(line["total_tax"])
        shipping = sum((_dec(s["total"]) for s in order["shipping_lines"]), Decimal(0))
        for s in order["shipping_lines"]:
            s["total_tax"] = _money(_dec(s["total"]) * self._rate(""))
        shipping_tax = sum((_dec(s["total_tax"]) for s in order["shipping_lines"]), Decimal(0))
        items = sum((_dec(li["total"]) for li in order["line_items"]), Decimal(0))
        discount = sum((_dec(li["subtotal"]) - _dec(li["total"]) for li in order["line_items"]), Decimal(0))
        order.update(
            discount_total=_money(discount),
            shipping_total=_money(shipping),
            shipping_tax=_money(shipping_tax),
            cart_tax=_money(line_tax),
            total_tax=_money(line_tax + shipping_tax),
            total=_money(items + line_tax + shipping + shipping_tax),
        )

    # ---------------------------------------------------------------- deletes

    def delete(self, resource: str, record_id: int, *, force: bool) -> dict[str, Any]:
        with self.lock:
            record = self.get(resource, record_id)
            if not force:
                if resource == "customers":
                    raise WooError(
                        501, "woocommerce_rest_trash_not_supported", "Customers do not support trashing."
                    )
                record["status"] = "trash"
                self._stamp(record, created=False)
                return record
            del self.records[resource][record_id]
            return record


def _merge_meta(meta: list[dict[str, Any]], updates: Any) -> None:
    """WordPress meta: an entry with a known key (or id) is updated, otherwise added."""
    for entry in updates or []:
        if not isinstance(entry, dict) or "key" not in entry:
            continue
        found = next((m for m in meta if m["key"] == entry["key"]), None)
        if found is None:
            meta.append({"id": len(meta) + 1, "key": str(entry["key"]), "value": entry.get("value")})
        else:
            found["value"] = entry.get("value")


def _invalid_id_code(resource: str) -> str:
    return {
        "customers": "woocommerce_rest_invalid_id",
        "products": "woocommerce_rest_product_invalid_id",
        "orders": "woocommerce_rest_shop_order_invalid_id",
    }[resource]
