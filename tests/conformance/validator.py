"""Check recorded httpx2 exchanges against the Tripletex spec with openapi-core.

``OpenAPIRequest``/``OpenAPIResponse`` adapt httpx2 objects to openapi-core 0.23's request and response
protocols; ``check_exchange`` runs its V30 request and response validators and turns every error into a
``Violation`` that says where (method, path, status, parameter or JSON path) and what went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import httpx2
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.validation.request.exceptions import ParameterValidationError
from werkzeug.datastructures import Headers, ImmutableMultiDict

__all__ = ["Exchange", "OpenAPIRequest", "OpenAPIResponse", "Stats", "Violation", "check_exchange"]


class OpenAPIRequest:
    """An httpx2 request as openapi-core sees one: host URL, path, method, parameters, body."""

    def __init__(self, request: httpx2.Request) -> None:
        url = request.url
        self.host_url = f"{url.scheme}://{url.netloc.decode('ascii')}"
        self.path = url.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(url.params.multi_items())),
            header=Headers(list(request.headers.multi_items())),
            cookie=ImmutableMultiDict(),
        )
        # A bodiless request has ``b""`` in httpx2; openapi-core expects None for "no body".
        self.body: bytes | None = request.content or None
        self.content_type = request.headers.get("content-type", "")


class OpenAPIResponse:
    """An httpx2 response (already read) as openapi-core sees one: status, content type, headers, data."""

    def __init__(self, response: httpx2.Response) -> None:
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(list(response.headers.multi_items()))
        self.data: bytes | None = response.content or None


@dataclass(frozen=True)
class Exchange:
    """One request and the response it got, as they crossed the wire."""

    request: httpx2.Request
    response: httpx2.Response
    deliberate: bool = False
    """The test sent a request that breaks the spec on purpose (e.g. ``GET /order`` without dates)."""

    @property
    def label(self) -> str:
        """``POST /v2/customer → 201``: how a violation names the exchange."""
        return f"{self.request.method} {self.request.url.raw_path.decode()} → {self.response.status_code}"


@dataclass(frozen=True)
class Violation:
    """One way an exchange breaks the spec."""

    side: Literal["request", "response"]
    exchange: str
    where: str
    message: str

    def __str__(self) -> str:
        where = f" at {self.where}" if self.where else ""
        return f"{self.side} of {self.exchange}{where}: {self.message}"


@dataclass
class Stats:
    """Running totals over a test session, printed by the conformance conftest's terminal summary."""

    requests_validated: int = 0
    request_violations: int = 0
    deliberately_invalid_requests: int = 0
    responses_validated: int = 0
    response_violations: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)

    def add(self, exchange: Exchange, violations: list[Violation]) -> None:
        """Count one validated exchange and its violations."""
        self.requests_validated += 1
        self.deliberately_invalid_requests += exchange.deliberate
        self.responses_validated += 1
        self.request_violations += sum(v.side == "request" for v in violations)
        self.response_violations += sum(v.side == "response" for v in violations)
        key = f"{exchange.request.method} {exchange.response.status_code}"
        self.by_operation[key] = self.by_operation.get(key, 0) + 1


def _violations(side: Literal["request", "response"], label: str, error: Exception) -> list[Violation]:
    """Flatten one openapi-core error into violations, one per failing JSON-schema keyword."""
    cause = error.__cause__
    schema_errors = getattr(cause, "schema_errors", None) or getattr(error, "schema_errors", None)
    prefix = ""
    if isinstance(error, ParameterValidationError):
        prefix = f"{error.location} parameter {error.name!r}"
    if schema_errors:
        return [Violation(side, label, f"{prefix} {e.json_path}".strip(), e.message) for e in schema_errors]
    detail = f"{error}" + (f" ({cause!r})" if cause is not None and str(cause) not in str(error) else "")
    return [Violation(side, label, prefix, f"{type(error).__name__}: {detail}")]


def check_exchange(openapi: OpenAPI, exchange: Exchange) -> list[Violation]:
    """Every way ``exchange``'s request and response break the (normalised) spec; empty if conformant.

    A ``deliberate`` exchange must have a non-conformant request (its errors are expected, not reported);
    its response is checked like any other.
    """
    request = OpenAPIRequest(exchange.request)
    response = OpenAPIResponse(exchange.response)
    label = exchange.label
    found: list[Violation] = []
    request_errors = list(openapi.request_validator.iter_errors(request))
    if exchange.deliberate and not request_errors:
        found.append(Violation("request", label, "", "sent as deliberately invalid, but it conforms"))
    for error in [] if exchange.deliberate else request_errors:
        found += _violations("request", label, error)
    if any(isinstance(error, PathError) for error in request_errors):
        return found  # no operation to check the response against; said once is enough
    for error in openapi.response_validator.iter_errors(request, response):
        found += _violations("response", label, error)
    return found
