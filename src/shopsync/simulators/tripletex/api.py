"""Helpers every ``/v2`` route uses: auth, body, ``fields``, and the three response envelopes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from shopsync.simulators.tripletex.bodies import parse_json
from shopsync.simulators.tripletex.fields import FieldTree, parse_fields, validate_fields
from shopsync.simulators.tripletex.queries import Listing, Params
from shopsync.simulators.tripletex.runtime import Runtime
from shopsync.simulators.tripletex.serialize import Renderer, dumps
from shopsync.simulators.tripletex.sessions import Session

__all__ = [
    "JSON",
    "auth",
    "batch_response",
    "body",
    "empty",
    "host",
    "json_response",
    "list_response",
    "params",
    "renderer",
    "runtime",
    "tree",
    "value_response",
]

JSON = "application/json; charset=utf-8"


def runtime(request: Request) -> Runtime:
    """The simulator behind this app."""
    rt: Runtime = request.app.state.runtime
    return rt


def host(request: Request) -> str:
    """Host for ``url`` fields: configured, else the Host the client used (no scheme, as Tripletex)."""
    rt = runtime(request)
    return rt.config.public_host or request.headers.get("host") or "localhost"


def auth(request: Request) -> Session:
    """The caller's session, or 401 code 3000."""
    return runtime(request).sessions.authenticate(request.headers.get("authorization"))


async def body(request: Request) -> Any:
    """The JSON body (Decimals kept exact)."""
    return parse_json(await request.body())


def params(request: Request) -> Params:
    """Typed query parameters."""
    return Params(request.query_params)


def tree(request: Request, schema: str) -> FieldTree | None:
    """The checked ``fields`` selection (400 code 11000 for unknown names)."""
    selection = parse_fields(request.query_params.get("fields"))
    validate_fields(selection, schema)
    return selection


def renderer(request: Request, *, echo: bool = False) -> Renderer:
    """A renderer for this request (``echo`` for write responses)."""
    return Renderer(runtime(request).sim, host(request), echo=echo)


def json_response(payload: Any, status: int = 200) -> Response:
    """Compact JSON."""
    return Response(dumps(payload), status_code=status, media_type=JSON)


def value_response(
    request: Request,
    schema: str,
    doc: dict[str, Any],
    *,
    status: int = 200,
    selection: FieldTree | None = None,
    echo: bool = False,
) -> Response:
    """``{"value": …}``."""
    value = renderer(request, echo=echo).render(schema, doc, selection)
    return json_response({"value": value}, status)


def batch_response(request: Request, schema: str, docs: list[dict[str, Any]], status: int) -> Response:
    """The list envelope of a batch write: fullResultSize 0 and versionDigest null, as observed."""
    values = renderer(request, echo=True).render_many(schema, docs)
    return json_response(
        {"fullResultSize": 0, "from": 0, "count": len(values), "versionDigest": None, "values": values},
        status,
    )


def list_response(listing: Listing) -> Response:
    """A list envelope, or 304 when ``If-None-Match`` matched."""
    if listing.not_modified:
        return Response(status_code=304)
    return json_response(listing.envelope())


def empty() -> Response:
    """204 with no body (DELETE)."""
    return Response(status_code=204)
