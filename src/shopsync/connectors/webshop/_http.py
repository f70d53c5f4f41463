"""One HTTP exchange with the shop: pacing, safe retries and the translation of failures into our errors.

Every request names how safe it is to repeat (``Safety``):

- ``READ`` (GET) and ``IDEMPOTENT`` (a create with an Idempotency-Key, a PATCH/DELETE with If-Match or
  a merge patch): retried on no answer, 5xx and 429. A write that never got a definite answer ends as
  ``AmbiguousWriteError``; an error answer that follows such a lost attempt is flagged ``after_retry``
  (a 412 then may mean our own earlier attempt bumped the version: re-read).
- ``UNSAFE`` (a create without idempotency key, an update that appends list elements): retried only
  when the shop certainly did not process it (connection refused, 429); otherwise
  ``AmbiguousWriteError`` at once.

429 waits for Retry-After (up to ``RetryConfig.max_retry_after``) and pauses every request of this
connector until then, so concurrent callers do not hammer the shop. A 429 means nothing was processed:
it does not use up one of ``RetryConfig.attempts`` (those count failures); the call's ``timeout``
bounds how long a storm of them is waited out. All requests pass an aiolimiter rate limit. Errors and
logs carry the method and path only (never query strings, headers or bodies).
"""

from __future__ import annotations

import asyncio
import email.utils
import enum
import json
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx2
import stamina
import structlog
from aiolimiter import AsyncLimiter

from ._auth import ConfigAuth
from ._config import ErrorFormat, WebshopAPIConfig
from ._exceptions import (
    AmbiguousWriteError,
    ApiError,
    Conflict,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    ValidationFailed,
    WebshopError,
)
from ._paths import get_path

__all__ = ["HttpClient", "Safety", "error_from_response", "parse_retry_after", "retry_decision"]

log = structlog.get_logger("shopsync.connectors.webshop")

# Failures where the request never reached the shop: safe to repeat even for a non-idempotent write.
_NOT_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout, httpx2.UnsupportedProtocol)


class Safety(enum.Enum):
    """How safe it is to send a request again."""

    READ = "read"
    IDEMPOTENT = "idempotent"
    UNSAFE = "unsafe"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def retry_decision(exc: Exception, safety: Safety, max_retry_after: float) -> bool | float:
    """Stamina backoff hook: False (give up), True (default backoff) or the seconds to wait."""
    if isinstance(exc, RateLimited):
        if exc.retry_after is None:
            return True
        return exc.retry_after if exc.retry_after <= max_retry_after else False
    if isinstance(exc, TransportError):
        return safety is not Safety.UNSAFE or not exc.sent
    if isinstance(exc, ServerError):
        return safety is not Safety.UNSAFE
    return False


class _Budget:
    """Stamina's ``on=`` hook for one call: ``retry_decision``, with ``attempts`` counting failures only
    (a 429 storm must not exhaust them: the shop processed nothing)."""

    def __init__(self, safety: Safety, attempts: int, max_retry_after: float) -> None:
        self.safety = safety
        self.attempts = attempts
        self.max_retry_after = max_retry_after
        self.failures = 0

    def __call__(self, exc: Exception) -> bool | float:
        decision = retry_decision(exc, self.safety, self.max_retry_after)
        if decision is False or isinstance(exc, RateLimited):
            return decision
        self.failures += 1
        return self.failures < self.attempts


def _error_fields(raw: Any) -> list[dict[str, str]]:
    if isinstance(raw, list):
        return [
            {"field": str(f.get("field", "")), "message": str(f.get("message", ""))}
            for f in raw
            if isinstance(f, dict)
        ]
    if isinstance(raw, dict):
        # WooCommerce: {"data": {"params": {"email": "Invalid parameter: email"}}}
        return [{"field": str(k), "message": str(v)} for k, v in raw.items()]
    return []


def error_from_response(response: httpx2.Response, fmt: ErrorFormat, *, method: str, path: str) -> ApiError:
    """The most specific ``ApiError`` for an error answer, read through the shop's error format."""
    try:
        body = response.json()
    except ValueError:
        body = None
    code = get_path(body, fmt.code_path) if isinstance(body, dict) else None
    message = get_path(body, fmt.message_path) if isinstance(body, dict) else None
    fields = _error_fields(get_path(body, fmt.fields_path) if isinstance(body, dict) else None)
    status = response.status_code
    kw: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "code": str(code) if code is not None else None,
        "fields": fields,
    }
    text = str(message) if message else (response.reason_phrase or f"HTTP {status}")
    kind = fmt.codes.get(str(code)) if code is not None else None
    by_kind: dict[str, type[ApiError]] = {
        "validation": ValidationFailed,
        "not_found": NotFound,
        "conflict": Conflict,
        "unauthorized": Unauthorized,
        "precondition": PreconditionFailed,
    }
    if status == 429:
        return RateLimited(text, retry_after=parse_retry_after(response.headers.get("Retry-After")), **kw)
    if status >= 500:
        return ServerError(text, **kw)
    if kind is not None:
        return by_kind[kind](text, **kw)
    by_status: dict[int, type[ApiError]] = {
        400: ValidationFailed,
        401: Unauthorized,
        403: Unauthorized,
        404: NotFound,
        409: Conflict,
        412: PreconditionFailed,
        422: ValidationFailed,
    }
    return by_status.get(status, ApiError)(text, **kw)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    raise TypeError(f"cannot serialise {type(value).__name__}")


class HttpClient:
    """The connector's HTTP side: one ``httpx2.AsyncClient`` plus pacing and retries."""

    def __init__(
        self, config: WebshopAPIConfig, *, transport: httpx2.AsyncBaseTransport | None = None
    ) -> None:
        self.config = config
        self.auth = ConfigAuth(config.auth)
        self._client = httpx2.AsyncClient(
            base_url=config.base_url,
            auth=self.auth,
            transport=transport,
            timeout=httpx2.Timeout(config.timeout),
            headers={"Accept": "application/json", "User-Agent": "shopsync"},
        )
        self._limiter = AsyncLimiter(config.pacing.requests_per_second, 1.0)
        self._resume_at = 0.0

    async def aclose(self) -> None:
        await self._client.aclose()

    def __repr__(self) -> str:
        return f"HttpClient(base_url={self.config.base_url!r}, auth={self.auth!r})"

    async def request(
        self,
        method: str,
        path: str,
        *,
        safety: Safety,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        url: httpx2.URL | None = None,
    ) -> httpx2.Response:
        """Send with pacing and retries; a 2xx response, or the mapped error (see module docstring)."""
        retry = self.config.retry
        lost_attempt = False
        content = None if json_body is None else json.dumps(json_body, default=_json_default).encode()
        send_headers = dict(headers or {})
        if content is not None:
            send_headers["Content-Type"] = "application/json"
        try:
            async for attempt in stamina.retry_context(
                on=_Budget(safety, retry.attempts, retry.max_retry_after),
                attempts=None,
                timeout=retry.timeout,
                wait_initial=retry.wait_initial,
                wait_max=retry.wait_max,
                wait_jitter=retry.wait_jitter,
            ):
                with attempt:
                    try:
                        return await self._send_once(method, path, params, content, send_headers, url)
                    except (TransportError, ServerError) as exc:
                        if method != "GET" and (not isinstance(exc, TransportError) or exc.sent):
                            lost_attempt = True
                        raise
                    except ApiError as exc:
                        exc.after_retry = lost_attempt
                        raise
        except (TransportError, ServerError) as exc:
            if lost_attempt:
                status = exc.status if isinstance(exc, ServerError) else None
                raise AmbiguousWriteError(
                    f"no definite answer ({exc.message})", method=method, path=path, status=status
                ) from exc
            raise
        raise AssertionError("unreachable: stamina either returns or raises")  # pragma: no cover

    async def _send_once(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        content: bytes | None,
        headers: Mapping[str, str],
        url: httpx2.URL | None,
    ) -> httpx2.Response:
        delay = self._resume_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        async with self._limiter:
            started = time.monotonic()
            try:
                response = await self._client.request(
                    method, url if url is not None else path, params=params, content=content, headers=headers
                )
            except httpx2.TransportError as exc:
                log.info("webshop.no_answer", method=method, path=path, error=type(exc).__name__)
                raise TransportError(
                    f"{type(exc).__name__}: {exc}",
                    method=method,
                    path=path,
                    sent=not isinstance(exc, _NOT_SENT),
                ) from exc
        log.debug(
            "webshop.request",
            method=method,
            path=path,
            status=response.status_code,
            ms=round((time.monotonic() - started) * 1000, 1),
        )
        if response.is_success:
            return response
        error = error_from_response(response, self.config.errors, method=method, path=path)
        if isinstance(error, RateLimited) and error.retry_after:
            # Pause every request of this connector, not just the one that was told to wait.
            self._resume_at = max(self._resume_at, time.monotonic() + error.retry_after)
        raise error

    @staticmethod
    def json(response: httpx2.Response) -> Any:
        """The body, with JSON numbers that have a fraction as Decimal (never float money)."""
        try:
            return response.json(parse_float=Decimal)
        except ValueError as exc:
            raise WebshopError(f"answer is not JSON ({response.status_code})") from exc
