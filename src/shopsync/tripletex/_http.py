"""The wire: one place that sends requests, paces them, retries them and maps every failure.

``InstrumentedTransport`` wraps whatever transport the client uses (the default HTTP one, or an
injected ``MockTransport``/``ASGITransport``): each wire request waits for the rate-limit pacer, feeds
the response headers back to it and is logged at debug (method, path template, status, duration,
request id; never a header, a query string or a body). ``Requester.request`` runs the retry policy
around one call and is the boundary where httpx2 exceptions and Tripletex error envelopes become our
exception tree (``_map_errors`` and ``error_from_response``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx2
import pydantic
import structlog

from ..logs import redact
from ._exceptions import (
    AmbiguousWriteError,
    ApiError,
    AuthError,
    Conflict,
    NotFound,
    RateLimited,
    ResultSetTooLarge,
    ServerError,
    TransportError,
    TripletexError,
    UnexpectedResponse,
    ValidationFailed,
    VersionConflict,
)
from ._models import ApiError as ErrorEnvelope
from ._payload import dumps
from ._ratelimit import RateLimitPacer
from ._retry import retrying
from ._settings import TripletexSettings

__all__ = ["InstrumentedTransport", "Requester", "error_from_response", "json_body", "map_errors"]

log = structlog.get_logger("shopsync.tripletex")

TEMPLATE = "shopsync.path_template"
REQUEST_ID = "x-tlx-request-id"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})

# httpx errors raised before a single byte left: the server cannot have acted on the request.
_NOT_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout, httpx2.UnsupportedProtocol)
_NOT_SENT_EXTRA = (httpx2.ProxyError, httpx2.LocalProtocolError)


class InstrumentedTransport(httpx2.AsyncBaseTransport):
    """Paces and logs every wire request, then hands it to the wrapped transport.

    ``limiter``, when given, is awaited after the pacer: a second gate such as a rate limit shared
    with other processes. It goes last so its grant is as close to the send as possible.
    """

    def __init__(
        self,
        inner: httpx2.AsyncBaseTransport,
        pacer: RateLimitPacer,
        limiter: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._inner = inner
        self._pacer = pacer
        self._limiter = limiter

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await self._pacer.acquire()
        if self._limiter is not None:
            try:
                await self._limiter()
            except BaseException:
                self._pacer.release(None)
                raise
        template = request.extensions.get(TEMPLATE, request.url.path)
        started = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException as exc:
            self._pacer.release(None)
            log.debug("tripletex.request", method=request.method, path=template, error=type(exc).__name__)
            raise
        self._pacer.release(response)
        log.debug(
            "tripletex.request",
            method=request.method,
            path=template,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            request_id=response.headers.get(REQUEST_ID),
        )
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@contextmanager
def map_errors(method: str, path: str, *, write: bool) -> Iterator[None]:
    """Turn httpx2 exceptions into ours: a write that may have been sent becomes ambiguous."""
    try:
        yield
    except (*_NOT_SENT, *_NOT_SENT_EXTRA) as exc:
        raise TransportError(_message(exc), method=method, path=path, sent=False) from exc
    except (httpx2.DecodingError, httpx2.TooManyRedirects) as exc:
        if write:
            raise AmbiguousWriteError(
                f"unreadable answer to a write: {exc}", method=method, path=path
            ) from exc
        raise UnexpectedResponse(_message(exc), method=method, path=path) from exc
    except httpx2.RequestError as exc:
        # Timeouts while writing or reading, dropped connections, protocol errors mid-response.
        if write:
            raise AmbiguousWriteError(
                f"no answer to a sent write ({_message(exc)}): it may have been stored",
                method=method,
                path=path,
            ) from exc
        raise TransportError(_message(exc), method=method, path=path, sent=True) from exc


def _message(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _error_class(status: int, code: int | None) -> type[ApiError]:
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFound
    if status == 409:
        return VersionConflict if code == 8000 else Conflict
    if status == 422:
        return ResultSetTooLarge if code == 23000 else ValidationFailed
    if status == 429:
        return RateLimited
    if status >= 500:
        return ServerError
    return ApiError


def error_from_response(
    response: httpx2.Response, *, method: str, path: str, write: bool, retry_after: float | None = None
) -> TripletexError:
    """The exception for a non-success answer, from Tripletex's error envelope when there is one."""
    status = response.status_code
    envelope = _envelope(response)
    message = (envelope.message if envelope else None) or _snippet(response)
    kwargs: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "code": envelope.code if envelope else None,
        "validation_messages": (envelope.validationMessages or []) if envelope else [],
        "request_id": (envelope.requestId if envelope else None) or response.headers.get(REQUEST_ID),
        "developer_message": envelope.developerMessage if envelope else None,
    }
    cls = _error_class(status, kwargs["code"])
    error: ApiError = (
        RateLimited(message, retry_after=retry_after, **kwargs)
        if cls is RateLimited
        else cls(message, **kwargs)
    )
    if isinstance(error, ServerError) and write:
        ambiguous = AmbiguousWriteError(
            f"{status} answer to a write: it may have been stored ({error})",
            method=method,
            path=path,
            status=status,
        )
        ambiguous.__cause__ = error
        return ambiguous
    return error


def _envelope(response: httpx2.Response) -> ErrorEnvelope | None:
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or ("status" not in data and "code" not in data):
        return None
    try:
        return ErrorEnvelope.model_validate(data)
    except pydantic.ValidationError:
        return None


def _snippet(response: httpx2.Response) -> str:
    text = " ".join(response.text.split())[:200]
    return f"HTTP {response.status_code}" + (f": {redact(text)}" if text else "")


def json_body(response: httpx2.Response, *, method: str, path: str) -> Any:
    """The decoded JSON of a successful answer, or ``UnexpectedResponse``."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnexpectedResponse(
            f"answer is not JSON: {_snippet(response)}", method=method, path=path, status=response.status_code
        ) from exc


class Requester:
    """Sends one API call with the retry policy; returns the response of a 2xx/304 answer."""

    def __init__(self, http: httpx2.AsyncClient, settings: TripletexSettings, pacer: RateLimitPacer) -> None:
        self.http = http
        self.settings = settings
        self.pacer = pacer
        self.auth: httpx2.Auth | None = None

    async def request(
        self,
        method: str,
        template: str,
        *,
        path_params: Mapping[str, int | str] | None = None,
        params: Mapping[str, str | list[str]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        idempotent: bool = False,
    ) -> httpx2.Response:
        """Call ``method template``; ``idempotent`` marks a write that is safe to repeat (sessions)."""
        write = method in WRITE_METHODS and not idempotent
        url = template.format(**path_params) if path_params else template
        content = None if json is None else dumps(json)
        all_headers = {"Accept": "application/json", **(headers or {})}
        if content is not None:
            all_headers["Content-Type"] = "application/json; charset=utf-8"
        maybe_done = False  # an earlier attempt of a DELETE may have taken effect
        response: httpx2.Response | None = None
        async for attempt in retrying(self.settings):
            with attempt:
                request = self.http.build_request(
                    method,
                    url,
                    params=params,
                    content=content,
                    headers=all_headers,
                    extensions={TEMPLATE: template},
                )
                try:
                    with map_errors(method, template, write=write):
                        response = await self.http.send(request, auth=self.auth if authenticated else None)
                except TransportError as exc:
                    maybe_done = maybe_done or exc.sent
                    raise
                if response.status_code == 404 and method == "DELETE" and maybe_done:
                    break  # the earlier attempt deleted it
                if response.is_success or response.status_code == 304:
                    break
                error = error_from_response(
                    response, method=method, path=template, write=write, retry_after=self.pacer.retry_after()
                )
                maybe_done = maybe_done or isinstance(error, ServerError)
                raise error
        assert response is not None
        return response
