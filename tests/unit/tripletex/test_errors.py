"""The error boundary: httpx2 exceptions and Tripletex error envelopes become our exception tree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from shopsync.tripletex import (
    AmbiguousWriteError,
    ApiError,
    AuthError,
    Conflict,
    Customer,
    NotFound,
    RateLimited,
    ResultSetTooLarge,
    ServerError,
    Terminal,
    Transient,
    TransportError,
    TripletexClient,
    UnexpectedResponse,
    ValidationFailed,
    VersionConflict,
)
from shopsync.tripletex._http import error_from_response, map_errors

from .conftest import FakeApi, error, value

Build = Callable[..., tuple[TripletexClient, FakeApi]]


def _all_request_errors() -> list[type[httpx2.RequestError]]:
    found: list[type[httpx2.RequestError]] = []
    pending: list[type[Any]] = [httpx2.RequestError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(set(found), key=lambda c: c.__name__)


NOT_SENT = {
    "ConnectError",
    "ConnectTimeout",
    "PoolTimeout",
    "UnsupportedProtocol",
    "ProxyError",
    "LocalProtocolError",
}


@pytest.mark.parametrize("exc_type", _all_request_errors(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("write", [False, True], ids=["read", "write"])
def test_every_httpx_request_error_is_mapped(exc_type: type[httpx2.RequestError], write: bool) -> None:
    """Each httpx2 request error becomes ours; a write that may have been sent becomes ambiguous."""
    with pytest.raises(Exception) as caught, map_errors("POST" if write else "GET", "/customer", write=write):
        raise exc_type("boom")
    exc = caught.value
    assert exc.__cause__ is not None and isinstance(exc.__cause__, exc_type)
    if exc_type.__name__ in NOT_SENT:
        assert isinstance(exc, TransportError) and not exc.sent
    elif write:
        assert isinstance(exc, AmbiguousWriteError)
    else:
        assert isinstance(exc, TransportError | UnexpectedResponse)


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, 4000, ApiError),
        (401, 3000, AuthError),
        (403, 9000, AuthError),
        (404, 6000, NotFound),
        (409, 8000, VersionConflict),
        (409, 14000, Conflict),
        (422, 18000, ValidationFailed),
        (422, 15000, ValidationFailed),
        (422, 23000, ResultSetTooLarge),
        (429, 0, RateLimited),
        (500, 1000, ServerError),
        (503, 1000, ServerError),
    ],
)
def test_status_and_code_pick_the_class(status: int, code: int, expected: type[ApiError]) -> None:
    """The envelope's status and code select the most specific exception class."""
    response = error(status, code, "nope")
    exc = error_from_response(response, method="GET", path="/customer", write=False)
    assert type(exc) is expected
    assert isinstance(exc, ApiError)
    assert (exc.status, exc.code, exc.message, exc.request_id) == (
        status,
        code,
        "nope",
        f"req-{status}-{code}",
    )


def test_server_error_on_write_is_ambiguous() -> None:
    """A 5xx answer to a POST says nothing about whether it was stored."""
    exc = error_from_response(error(500, 1000), method="POST", path="/customer", write=True)
    assert isinstance(exc, AmbiguousWriteError)
    assert exc.status == 500
    assert isinstance(exc.__cause__, ServerError)


def test_html_error_page_still_maps() -> None:
    """A 502 HTML page (no envelope) is a ServerError with the status and a snippet."""
    response = httpx2.Response(
        502, text="<html><body>Bad gateway</body></html>", headers={"x-tlx-request-id": "r1"}
    )
    exc = error_from_response(response, method="GET", path="/customer", write=False)
    assert isinstance(exc, ServerError)
    assert exc.code is None and exc.request_id == "r1"
    assert "Bad gateway" in exc.message


def test_validation_message_details_are_kept() -> None:
    """Field messages survive in ``validation_messages``, ``field_errors`` and the text."""
    response = error(
        422,
        18000,
        "Validering feilet.",
        [{"field": "name", "message": "Kan ikke være null.", "path": "null.name", "rootId": None}],
    )
    exc = error_from_response(response, method="POST", path="/customer", write=True)
    assert isinstance(exc, ValidationFailed)
    assert exc.field_errors == {"name": ["Kan ikke være null."]}
    assert "null.name: Kan ikke være null." in str(exc)
    assert "req-422-18000" in str(exc)


def test_mixins_classify_retry_safety() -> None:
    """Retry decisions rest on the Transient/Terminal mixins."""
    assert issubclass(RateLimited, Transient) and issubclass(ServerError, Transient)
    assert issubclass(TransportError, Transient)
    for cls in (
        AmbiguousWriteError,
        VersionConflict,
        ValidationFailed,
        NotFound,
        AuthError,
        ResultSetTooLarge,
    ):
        assert issubclass(cls, Terminal) and not issubclass(cls, Transient)


def test_default_message_is_the_docstring() -> None:
    """An exception raised without a message explains itself."""
    assert "outcome is unknown" in str(AmbiguousWriteError())


async def test_non_json_success_is_unexpected(make_client: Build) -> None:
    """A 200 that is not JSON raises UnexpectedResponse instead of a decoding crash."""
    client, _ = make_client(lambda r: httpx2.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(UnexpectedResponse):
        await client.customers.get(1)


async def test_answer_of_the_wrong_shape_is_unexpected(make_client: Build) -> None:
    """A success without the ``value`` envelope is reported, not half-parsed."""
    client, _ = make_client(lambda r: httpx2.Response(200, json={"values": []}))
    with pytest.raises(UnexpectedResponse):
        await client.customers.get(1)


async def test_409_from_put_is_version_conflict(make_client: Build) -> None:
    """A stale version on PUT surfaces as VersionConflict, not retried."""
    client, api = make_client(lambda r: error(409, 8000, "RevisionException"))
    with pytest.raises(VersionConflict):
        await client.customers.update(Customer(id=1, version=3, name="x"))
    assert len(api.requests) == 1


async def test_404_get_is_not_found(make_client: Build) -> None:
    """A missing object raises NotFound once, without retries."""
    client, api = make_client(lambda r: error(404, 6000, "Object not found"))
    with pytest.raises(NotFound):
        await client.customers.get(99)
    assert len(api.requests) == 1


async def test_success_passes_through(make_client: Build) -> None:
    """A plain 200 ``value`` answer parses into the model."""
    client, _ = make_client(lambda r: value({"id": 7, "version": 1, "name": "Acme"}))
    customer = await client.customers.get(7)
    assert (customer.id, customer.name) == (7, "Acme")
