"""The small HTML admin page: list and search records, edit or delete one.

Pages are Jinja2 templates from this package; htmx (vendored under ``static/``, no CDN) only makes
the search live and the forms smoother; every page also works as plain HTML forms. A saved form is
turned into a JSON merge patch and goes through :class:`ShopService` like an API write, with the
version the form was rendered from as ``If-Match``: the same validation, the same version and
``updated_at`` bump, the same webhooks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from shopsync.simulators.webshop.api import shop_of
from shopsync.simulators.webshop.errors import ApiError
from shopsync.simulators.webshop.records import ADDRESS_KEYS
from shopsync.simulators.webshop.store import RESOURCES
from shopsync.simulators.webshop.validation import LANGUAGES, STATUSES, VAT_RATES

__all__ = ["FORM_FIELDS", "build_admin_ui_router", "form_to_patch", "read_form"]

_HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(_HERE / "templates"))
PAGE_SIZE = 50

#: Editable fields per resource as (name, input kind, choices). Addresses are edited as sub-fields.
FORM_FIELDS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "customers": [
        ("type", "select", ("private", "company")),
        ("first_name", "text", ()),
        ("last_name", "text", ()),
        ("company_name", "text", ()),
        ("organization_number", "text", ()),
        ("email", "text", ()),
        ("phone", "text", ()),
        ("language", "select", LANGUAGES),
        ("active", "checkbox", ()),
        ("billing_address", "address", ()),
        ("shipping_address", "address", ()),
    ],
    "products": [
        ("sku", "text", ()),
        ("name", "text", ()),
        ("description", "textarea", ()),
        ("price", "text", ()),
        ("currency", "text", ()),
        ("vat_rate", "select", VAT_RATES),
        ("active", "checkbox", ()),
        ("stock_quantity", "number", ()),
    ],
    "orders": [
        ("number", "text", ()),
        ("customer_id", "text", ()),
        ("status", "select", STATUSES),
        ("ordered_at", "text", ()),
        ("currency", "text", ()),
        ("shipping_cost", "text", ()),
        ("shipping_vat_rate", "select", VAT_RATES),
        ("note", "textarea", ()),
        ("billing_address", "address", ()),
        ("shipping_address", "address", ()),
        ("lines", "json", ()),
    ],
}
#: Fields where an empty input means null.
_NULLABLE = frozenset({"company_name", "organization_number", "phone", "note", "line2"})
_NULLABLE_ADDRESSES = frozenset({"shipping_address"})


def form_to_patch(resource: str, form: Mapping[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A JSON merge patch from a submitted edit form, and the problems only the form can have."""
    patch: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for name, kind, _choices in FORM_FIELDS[resource]:
        if kind == "checkbox":
            patch[name] = form.get(name) is not None
        elif kind == "address":
            parts = {key: str(form.get(f"{name}.{key}", "")).strip() for key in ADDRESS_KEYS}
            if name in _NULLABLE_ADDRESSES and not any(parts.values()):
                patch[name] = None
            else:
                patch[name] = {k: (None if k in _NULLABLE and v == "" else v) for k, v in parts.items()}
        elif kind == "json":
            try:
                patch[name] = json.loads(str(form.get(name, "")))
            except ValueError:
                errors.append((name, "is not valid JSON"))
        elif kind == "number":
            text = str(form.get(name, "")).strip()
            patch[name] = int(text) if text.lstrip("-").isdigit() else text
        else:
            text = str(form.get(name, ""))
            patch[name] = None if name in _NULLABLE and text.strip() == "" else text
    return patch, errors


async def read_form(request: Request) -> dict[str, str]:
    """An url-encoded form body (what browsers and htmx send; no multipart needed for these forms)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return dict(parse_qsl(body, keep_blank_values=True))


def _summary(resource: str, doc: dict[str, Any]) -> list[str]:
    if resource == "customers":
        name = doc["company_name"] or f"{doc['first_name']} {doc['last_name']}"
        return [name, doc["type"], doc["email"], doc["billing_address"]["city"]]
    if resource == "products":
        return [doc["sku"], doc["name"], f"{doc['price']} {doc['currency']}", f"{doc['vat_rate']} %"]
    return [doc["number"], f"customer {doc['customer_id']}", doc["status"], f"{len(doc['lines'])} line(s)"]


def build_admin_ui_router() -> APIRouter:
    """The HTML admin routes (``/`` and ``/admin/...``)."""
    router = APIRouter(include_in_schema=False)

    def _rows(request: Request, resource: str, q: str) -> list[dict[str, Any]]:
        docs = shop_of(request).store.search(resource, q, PAGE_SIZE)
        return [{"doc": d, "summary": _summary(resource, d)} for d in docs]

    def _resource(value: str | None) -> str:
        return value if value in RESOURCES else "customers"

    @router.get("/")
    async def index(
        request: Request, resource: str | None = None, q: str = "", message: str = ""
    ) -> Response:
        shop = shop_of(request)
        chosen = _resource(resource)
        context = {
            "resource": chosen,
            "resources": RESOURCES,
            "counts": {r: shop.store.count(r) for r in RESOURCES},
            "q": q,
            "rows": _rows(request, chosen, q),
            "message": message,
            "shop": shop.config,
            "api_url": str(request.base_url).rstrip("/") + "/api/v1",
        }
        return TEMPLATES.TemplateResponse(request, "index.html", context)

    @router.get("/admin/table")
    async def table(request: Request, resource: str | None = None, q: str = "") -> Response:
        chosen = _resource(resource)
        context = {"resource": chosen, "rows": _rows(request, chosen, q)}
        return TEMPLATES.TemplateResponse(request, "_table.html", context)

    def _edit_page(
        request: Request,
        resource: str,
        doc: dict[str, Any],
        *,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        message: str = "",
        status: int = 200,
    ) -> Response:
        data = values if values is not None else doc
        context = {
            "resource": resource,
            "doc": doc,
            "values": data,
            "lines_json": json.dumps(data.get("lines"), ensure_ascii=False, indent=2)
            if resource == "orders"
            else "",
            "fields": FORM_FIELDS[resource],
            "address_keys": ADDRESS_KEYS,
            "errors": errors or {},
            "message": message,
        }
        return TEMPLATES.TemplateResponse(request, "edit.html", context, status_code=status)

    @router.get("/admin/{resource}/{record_id}")
    async def edit(request: Request, resource: str, record_id: str, saved: str = "") -> Response:
        if resource not in RESOURCES:
            return Response("no such resource", status_code=404)
        try:
            doc = shop_of(request).service.get(resource, record_id)
        except ApiError as exc:
            return Response(exc.message, status_code=exc.status)
        return _edit_page(request, resource, doc, message="Saved." if saved else "")

    @router.post("/admin/{resource}/{record_id}")
    async def save(request: Request, resource: str, record_id: str) -> Response:
        if resource not in RESOURCES:
            return Response("no such resource", status_code=404)
        service = shop_of(request).service
        form = await read_form(request)
        patch, errors = form_to_patch(resource, form)
        try:
            doc = service.get(resource, record_id)
        except ApiError as exc:
            return Response(exc.message, status_code=exc.status)
        values = {**doc, **patch}
        if errors:
            return _edit_page(request, resource, doc, values=values, errors=dict(errors), status=422)
        try:
            service.update(resource, record_id, patch, f'"{form.get("version", "")}"')
        except ApiError as exc:
            message = exc.message
            if exc.status == 412:
                message = "Someone else changed this record while you edited it; reload to see their version."
            return _edit_page(
                request,
                resource,
                doc,
                values=values,
                errors=dict(exc.fields),
                message=message,
                status=exc.status,
            )
        return RedirectResponse(f"/admin/{resource}/{record_id}?saved=1", status_code=303)

    @router.post("/admin/{resource}/{record_id}/delete")
    async def delete(request: Request, resource: str, record_id: str) -> Response:
        if resource not in RESOURCES:
            return Response("no such resource", status_code=404)
        form = await read_form(request)
        service = shop_of(request).service
        try:
            service.delete(resource, record_id, f'"{form.get("version", "")}"')
        except ApiError as exc:
            if exc.status == 404:
                return Response(exc.message, status_code=404)
            doc = service.get(resource, record_id)
            return _edit_page(request, resource, doc, message=exc.message, status=exc.status)
        return RedirectResponse(f"/?resource={resource}&message=Deleted+{record_id}", status_code=303)

    return router
