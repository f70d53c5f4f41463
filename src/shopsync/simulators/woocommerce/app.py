"""The fake WooCommerce's HTTP side: ``/wp-json/wc/v3/{customers,products,orders}`` as WooCommerce answers.

Auth is the consumer key/secret as HTTP Basic or as ``consumer_key``/``consumer_secret`` query
parameters (401 ``woocommerce_rest_cannot_view`` otherwise). Lists page with ``page``/``per_page``
(1-100, default 10) and answer ``X-WP-Total``, ``X-WP-TotalPages`` and a ``Link`` header built from the
request's own query (so credentials passed in the query are echoed in it, as WordPress does). Supported
filters: ``modified_after`` (+ ``dates_are_gmt``; silently ignored on customers, as in WooCommerce),
``orderby``/``order``, ``sku``, ``email``, ``search``, ``status`` and ``_fields``. Unknown ids answer
404 on reads but 400 on updates. ``DELETE`` needs ``force=true`` to delete (products and orders go to
the trash otherwise; customers answer 501).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import json
import math
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from starlette.responses import Response

from .store import WooClock, WooError, WooStore

__all__ = ["create_app"]

_PREFIX = "/wp-json/wc/v3"
_ORDERBY = {
    "customers": {"id": "id", "name": "last_name", "registered_date": "date_created_gmt", "include": "id"},
    "products": {
        "id": "id",
        "date": "date_created_gmt",
        "modified": "date_modified_gmt",
        "title": "name",
        "include": "id",
    },
    "orders": {"id": "id", "date": "date_created_gmt", "modified": "date_modified_gmt", "include": "id"},
}
_DEFAULT_ORDER = {"customers": ("name", "asc"), "products": ("date", "desc"), "orders": ("date", "desc")}


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    payload = json.dumps(body, ensure_ascii=False, default=str).encode()
    return Response(payload, status_code=status, media_type="application/json", headers=headers)


def _error(exc: WooError) -> Response:
    return _json(exc.body, exc.status)


def _invalid(param: str, message: str) -> WooError:
    return WooError(400, "rest_invalid_param", f"Invalid parameter(s): {param}", params={param: message})


def _fields(record: dict[str, Any], request: Request) -> dict[str, Any]:
    wanted = request.query_params.get("_fields")
    if not wanted:
        return record
    keys = {k.strip() for k in wanted.split(",")}
    return {k: v for k, v in record.items() if k in keys}


def _sortable(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int) else (1, str(value or "").lower())


def _parse_after(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise _invalid("modified_after", "Invalid date.") from None


class _WooApp:
    def __init__(self, store: WooStore, consumer_key: str, consumer_secret: str) -> None:
        self.store = store
        self._key = consumer_key
        self._secret = consumer_secret

    def authorise(self, request: Request) -> None:
        key = request.query_params.get("consumer_key")
        secret = request.query_params.get("consumer_secret")
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                key, _, secret = base64.b64decode(encoded).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                key = secret = None
        ok = (
            key is not None
            and secret is not None
            and hmac.compare_digest(key.encode(), self._key.encode())
            and hmac.compare_digest(secret.encode(), self._secret.encode())
        )
        if not ok:
            raise WooError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")

    def list(self, resource: str, request: Request) -> Response:
        q = request.query_params
        try:
            page = int(q.get("page", "1"))
            per_page = int(q.get("per_page", "10"))
        except ValueError:
            raise _invalid("page", "page and per_page must be integers") from None
        if not 1 <= per_page <= 100:
            raise _invalid("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)")
        if page < 1:
            raise _invalid("page", "page must be greater than or equal to 1")
        with self.store.lock:
            records = [dict(r) for r in self.store.records[resource].values()]
        records = [r for r in records if self._matches(resource, r, request)]
        orderby, order = (
            q.get("orderby", _DEFAULT_ORDER[resource][0]),
            q.get("order", _DEFAULT_ORDER[resource][1]),
        )
        if orderby not in _ORDERBY[resource] or order not in ("asc", "desc"):
            raise _invalid("orderby", f"orderby must be one of {', '.join(_ORDERBY[resource])}")
        key = _ORDERBY[resource][orderby]
        # WordPress appends the id as a tiebreak in the same direction.
        records.sort(key=lambda r: (_sortable(r.get(key)), r["id"]), reverse=order == "desc")
        total = len(records)
        pages = math.ceil(total / per_page)
        chunk = records[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = []
        base = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        params = dict(q)
        if page > 1:
            links.append(f'<{base}?{urlencode({**params, "page": page - 1})}>; rel="prev"')
        if page < pages:
            links.append(f'<{base}?{urlencode({**params, "page": page + 1})}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return _json([_fields(r, request) for r in chunk], headers=headers)

    def _matches(self, resource: str, record: dict[str, Any], request: Request) -> bool:
        q = request.query_params
        status = q.get("status", "any")
        if resource != "customers" and (record.get("status") == "trash") != (status == "trash"):
            return False
        if (
            resource != "customers"
            and status not in ("any", "trash")
            and record.get("status") not in status.split(",")
        ):
            return False
        if resource == "customers" and q.get("email") and record["email"] != q["email"].lower():
            return False
        if resource == "products" and q.get("sku") and record["sku"] not in q["sku"].split(","):
            return False
        if q.get("search") and not self._search(record, q["search"].lower()):
            return False
        after = q.get("modified_after")
        if after and resource != "customers":  # ignored on customers, as in WooCommerce (#31482)
            gmt = q.get("dates_are_gmt") in ("true", "1")
            field = "date_modified_gmt" if gmt else "date_modified"
            value = record.get(field)
            if value is None or dt.datetime.fromisoformat(value) <= _parse_after(after):
                return False
        return True

    @staticmethod
    def _search(record: dict[str, Any], text: str) -> bool:
        haystack = [
            str(record.get(k, ""))
            for k in ("id", "number", "name", "sku", "email", "first_name", "last_name")
        ]
        haystack += [str(v) for v in (record.get("billing") or {}).values()]
        return any(text in h.lower() for h in haystack)

    def save(self, resource: str, body: Any, record_id: int | None) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise WooError(400, "rest_invalid_json", "Invalid JSON body passed.")
        if record_id is not None and record_id not in self.store.records[resource]:
            # An unknown id answers 400 on update (404 on read).
            raise WooError(400, _invalid_code(resource), "Invalid ID.")
        if resource == "customers":
            return self.store.save_customer(body, record_id)
        if resource == "products":
            return self.store.save_product(body, record_id)
        return self.store.save_order(body, record_id)


def _invalid_code(resource: str) -> str:
    return {
        "customers": "woocommerce_rest_invalid_id",
        "products": "woocommerce_rest_product_invalid_id",
        "orders": "woocommerce_rest_shop_order_invalid_id",
    }[resource]


def _record_id(text: str, resource: str) -> int:
    if not text.isdigit():
        raise WooError(404, "rest_no_route", "No route was found matching the URL and request method.")
    return int(text)


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw, parse_float=Decimal) if raw.strip() else {}
    except ValueError:
        raise WooError(400, "rest_invalid_json", "Invalid JSON body passed.") from None


def create_app(
    store: WooStore | None = None,
    *,
    consumer_key: str = "ck_test",
    consumer_secret: str = "cs_test",
) -> FastAPI:
    """The fake WooCommerce around ``store`` (default: a new empty one), kept in ``app.state.woo``."""
    woo = _WooApp(store or WooStore(WooClock()), consumer_key, consumer_secret)
    app = FastAPI(title="Fake WooCommerce REST API v3", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.woo = woo.store

    async def handle(request: Request) -> Response:
        resource = request.path_params["resource"]
        raw_id = request.path_params.get("id")
        try:
            if resource not in ("customers", "products", "orders"):
                raise WooError(
                    404, "rest_no_route", "No route was found matching the URL and request method."
                )
            woo.authorise(request)
            record_id = _record_id(raw_id, resource) if raw_id is not None else None
            method = request.method
            if record_id is None and method == "GET":
                return woo.list(resource, request)
            if record_id is None and method == "POST":
                return _json(woo.save(resource, await _body(request), None), 201)
            if record_id is not None and method == "GET":
                return _json(_fields(woo.store.get(resource, record_id), request))
            if record_id is not None and method in ("PUT", "PATCH", "POST"):
                return _json(woo.save(resource, await _body(request), record_id))
            if record_id is not None and method == "DELETE":
                force = request.query_params.get("force") in ("true", "1")
                return _json(woo.store.delete(resource, record_id, force=force))
            raise WooError(404, "rest_no_route", "No route was found matching the URL and request method.")
        except WooError as exc:
            return _error(exc)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app.add_api_route(_PREFIX + "/{resource}", handle, methods=methods, include_in_schema=False)
    app.add_api_route(_PREFIX + "/{resource}/{id}", handle, methods=methods, include_in_schema=False)
    return app
