"""The contract's single error format and the exception every layer raises to produce it.

``{"error": {"code", "message", "fields": [{"field", "message"}]}}`` with the HTTP status the contract
gives each code; ``ApiError`` carries extra headers (``Retry-After``, ``ETag``, ``WWW-Authenticate``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "ApiError",
    "conflict",
    "error_body",
    "idempotency_conflict",
    "not_found",
    "precondition_failed",
    "rate_limited",
    "unauthorized",
    "validation_failed",
]


class ApiError(Exception):
    """An error answer in the contract's format; raised anywhere below a route, rendered by the app."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: Sequence[tuple[str, str]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields)
        self.headers = headers or {}


def error_body(code: str, message: str, fields: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """The JSON body of an error answer."""
    return {
        "error": {"code": code, "message": message, "fields": [{"field": f, "message": m} for f, m in fields]}
    }


def validation_failed(fields: Sequence[tuple[str, str]]) -> ApiError:
    """422: invalid input; nothing was stored."""
    unique = list(dict.fromkeys(fields))
    count = len({f for f, _ in unique})
    message = f"{count} field{'s are' if count != 1 else ' is'} invalid"
    return ApiError(422, "validation_failed", message, fields=unique)


def not_found(resource: str, record_id: str) -> ApiError:
    """404: no live record with this id."""
    singular = resource.rstrip("s")
    return ApiError(404, "not_found", f"{singular} {record_id} does not exist")


def conflict(message: str, fields: Sequence[tuple[str, str]] = ()) -> ApiError:
    """409: a unique value is taken or the record is still referenced."""
    return ApiError(409, "conflict", message, fields=fields)


def idempotency_conflict(message: str) -> ApiError:
    """409: the Idempotency-Key was already used for another request."""
    return ApiError(409, "idempotency_conflict", message)


def precondition_failed(version: int, if_match: str) -> ApiError:
    """412: If-Match names another version than the current one."""
    return ApiError(
        412,
        "precondition_failed",
        f'version is "{version}", If-Match was {if_match}',
        headers={"ETag": f'"{version}"'},
    )


def unauthorized() -> ApiError:
    """401: missing or wrong bearer token."""
    return ApiError(
        401,
        "unauthorized",
        "missing or invalid bearer token",
        headers={"WWW-Authenticate": 'Bearer realm="webshop"'},
    )


def rate_limited(retry_after: int) -> ApiError:
    """429: too many requests; wait ``retry_after`` seconds."""
    return ApiError(429, "rate_limited", "too many requests", headers={"Retry-After": str(retry_after)})
