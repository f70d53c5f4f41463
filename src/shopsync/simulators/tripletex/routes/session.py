"""``/token/session``: create (PUT with query parameters, POST with a JSON body), whoAmI, delete."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.api import auth, body, empty, host, json_response, runtime, tree
from shopsync.simulators.tripletex.refdata import SESSION_EMPLOYEE_ID
from shopsync.simulators.tripletex.serialize import Renderer

router = APIRouter()

_POST_KEYS = frozenset({"employeeToken", "consumerToken", "expirationDate"})


def _created(
    request: Request, consumer: str | None, employee: str | None, expiration: str | None, status: int
) -> Response:
    session = runtime(request).sessions.create(consumer, employee, expiration)
    value = Renderer(runtime(request).sim, host(request)).render("SessionToken", session.doc())
    return json_response({"value": value}, status)


@router.put("/token/session/:create")
async def create_put(request: Request) -> Response:
    """Legacy create: tokens in the query string; 200."""
    q = request.query_params
    return _created(request, q.get("consumerToken"), q.get("employeeToken"), q.get("expirationDate"), 200)


@router.post("/token/session/:create")
async def create_post(request: Request) -> Response:
    """Preferred create: tokens in a ``PostSessionTokenBody``; 201."""
    data = await body(request)
    if not isinstance(data, dict):
        raise errors.mapping_failed("Cannot deserialize value of type `PostSessionTokenBodyDTO`")
    for key in data:
        if key not in _POST_KEYS:
            raise errors.mapping_failed(f'Unrecognized field "{key}" (class PostSessionTokenBodyDTO)', key)
    values = {k: (None if data.get(k) is None else str(data.get(k))) for k in _POST_KEYS}
    return _created(request, values["consumerToken"], values["employeeToken"], values["expirationDate"], 201)


@router.get("/token/session/>whoAmI")
async def who_am_i(request: Request) -> Response:
    """The logged-in employee and company."""
    session = auth(request)
    selection = tree(request, "LoggedInUserInfo")
    rt = runtime(request)
    doc = {
        "employeeId": session.employee_id,
        "actualEmployeeId": session.employee_id,
        "employee": session.employee_id,
        "companyId": rt.config.company_id,
        "company": rt.config.company_id,
        "language": "NO",
        "loggedInWithConnect": False,
        "employeeIsProxy": session.employee_id != SESSION_EMPLOYEE_ID,
    }
    value = Renderer(rt.sim, host(request)).render("LoggedInUserInfo", doc, selection)
    return json_response({"value": value})


@router.delete("/token/session/{token}")
async def delete_session(request: Request) -> Response:
    """End a session."""
    auth(request)
    runtime(request).sessions.delete(request.path_params["token"])
    return empty()
