"""Read-only reference data: ``/ledger/vatType``, ``/currency``, ``/country``, ``/department``,
``/employee``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.api import (
    auth,
    list_response,
    params,
    renderer,
    runtime,
    tree,
    value_response,
)
from shopsync.simulators.tripletex.queries import Params, page_list

router = APIRouter()

Doc = dict[str, Any]
Filter = Callable[[Params], Callable[[Doc], bool]]

_VAT_KINDS = frozenset({"OUTGOING", "INCOMING", "INCOMING_INVOICE", "PROJECT", "LEDGER"})


def _in(values: list[Any] | None, key: str) -> Callable[[Doc], bool]:
    return (lambda d: True) if values is None else (lambda d: d.get(key) in values)


def _eq(value: Any, key: str, *, fold: bool = False) -> Callable[[Doc], bool]:
    if value is None:
        return lambda d: True
    if fold:
        return lambda d: str(d.get(key) or "").lower() == str(value).lower()
    return lambda d: d.get(key) == value


def _has(value: str | None, key: str) -> Callable[[Doc], bool]:
    if value is None:
        return lambda d: True
    return lambda d: value.lower() in str(d.get(key) or "").lower()


def _all(*tests: Callable[[Doc], bool]) -> Callable[[Doc], bool]:
    return lambda d: all(t(d) for t in tests)


def _vat_filter(p: Params) -> Callable[[Doc], bool]:
    kind = p.text("typeOfVat")
    if kind is not None and kind not in _VAT_KINDS:
        raise errors.param_error("typeOfVat", kind)
    p.day("vatDate")  # accepted and checked; the simulator's rates do not change over time
    return _all(_in(p.ids("id"), "id"), _in(p.strings("number"), "number"), _eq(kind, "_typeOfVat"))


def _currency_filter(p: Params) -> Callable[[Doc], bool]:
    return _all(_in(p.ids("id"), "id"), _eq(p.text("code"), "code", fold=True))


def _country_filter(p: Params) -> Callable[[Doc], bool]:
    code = p.text("code")
    by_code = (
        (lambda d: True)
        if code is None
        else (lambda d: code.upper() in (d["isoAlpha2Code"], d["isoAlpha3Code"], d["isoNumericCode"]))
    )
    disabled = p.flag("isDisabled")
    p.flag("supportedInZtl")
    return _all(_in(p.ids("id"), "id"), by_code, (lambda d: True) if not disabled else (lambda d: False))


def _department_filter(p: Params) -> Callable[[Doc], bool]:
    inactive = p.flag("isInactive")
    return _all(
        _in(p.ids("id"), "id"),
        _has(p.text("name"), "name"),
        _eq(p.text("departmentNumber"), "departmentNumber"),
        _in(p.ids("departmentManagerId"), "departmentManager"),
        _eq(inactive, "isInactive"),
    )


def _employee_filter(p: Params) -> Callable[[Doc], bool]:
    return _all(
        _in(p.ids("id"), "id"),
        _has(p.text("firstName"), "firstName"),
        _has(p.text("lastName"), "lastName"),
        _eq(p.text("employeeNumber"), "employeeNumber"),
        _has(p.text("email"), "email"),
        _in(p.ids("departmentId"), "department"),
    )


def _add(path: str, schema: str, filt: Filter) -> None:
    async def search(request: Request) -> Response:
        auth(request)
        selection = tree(request, schema)
        p = params(request)
        keep = filt(p)
        items = [d for d in runtime(request).sim.refdata.lists[schema] if keep(d)]
        r = renderer(request)
        listing = page_list(
            items,
            p,
            lambda d: r.render(schema, d, selection),
            schema=schema,
            if_none_match=request.headers.get("if-none-match"),
        )
        return list_response(listing)

    async def get(request: Request) -> Response:
        auth(request)
        selection = tree(request, schema)
        doc = runtime(request).sim.refdata.get(schema, request.path_params["id"])
        if doc is None:
            raise errors.not_found(f"{schema} {request.path_params['id']} not found")
        return value_response(request, schema, doc, selection=selection)

    search.__doc__ = f"``GET /{path}``."
    get.__doc__ = f"``GET /{path}/{{id}}``."
    router.add_api_route(f"/{path}", search, methods=["GET"], name=f"{schema}.search")
    router.add_api_route(f"/{path}/{{id:int}}", get, methods=["GET"], name=f"{schema}.get")


_add("ledger/vatType", "VatType", _vat_filter)
_add("currency", "Currency", _currency_filter)
_add("country", "Country", _country_filter)
_add("department", "Department", _department_filter)
_add("employee", "Employee", _employee_filter)
