"""Every error the Tripletex client raises, as one tree rooted in ``TripletexError``.

```
TripletexError
├── TransportError            no answer; a write raising it was definitely never sent   [Transient]
├── ApiError                  Tripletex answered with its error envelope (status, code, ...)
│   ├── AuthError             401 / 403                                                   [Terminal]
│   ├── NotFound              404                                                         [Terminal]
│   ├── Conflict              409                                                         [Terminal]
│   │   └── VersionConflict   409 code 8000: stale ``version`` on a PUT                   [Terminal]
│   ├── ValidationFailed      422: invalid input, with per-field messages                 [Terminal]
│   ├── ResultSetTooLarge     422 code 23000: more than 10,000 rows; split the query      [Terminal]
│   ├── RateLimited           429: nothing was processed; carries the delay               [Transient]
│   └── ServerError           5xx on a read (a 5xx on a write is ambiguous)               [Transient]
├── AmbiguousWriteError       a write was sent but its outcome is unknown                 [Terminal]
├── BatchWriteError           a chunk of a batch write failed; says what was written      [Terminal]
├── UnexpectedResponse        an answer we cannot understand (not JSON, wrong envelope)   [Terminal]
└── WebhookVerificationError  a callback with a wrong auth header or HMAC signature       [Terminal]
```

Retry decisions look at the ``Transient`` / ``Terminal`` mixins, never at message text. A class's
docstring is its default message. No exception carries a token: they hold the method, the path
template and the fields of Tripletex's error envelope, nothing from the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._models import ApiValidationMessage

__all__ = [
    "AmbiguousWriteError",
    "ApiError",
    "AuthError",
    "BatchWriteError",
    "Conflict",
    "NotFound",
    "RateLimited",
    "ResultSetTooLarge",
    "ServerError",
    "Terminal",
    "Transient",
    "TransportError",
    "TripletexError",
    "UnexpectedResponse",
    "ValidationFailed",
    "VersionConflict",
    "WebhookVerificationError",
]


class Transient(Exception):
    """Marker: trying again later may succeed, and the request had no effect."""


class Terminal(Exception):
    """Marker: trying the same request again will not help (or is not safe)."""


class TripletexError(Exception):
    """The Tripletex API call failed."""

    def __init__(self, message: str | None = None, *, method: str = "", path: str = "") -> None:
        self.method = method
        self.path = path
        self.message = message or (type(self).__doc__ or "").strip()
        super().__init__(self.message)

    def _where(self) -> str:
        return f"{self.method} {self.path}: " if self.method else ""

    def __str__(self) -> str:
        return self._where() + self.message


class TransportError(TripletexError, Transient):
    """No answer from Tripletex (connection failed or timed out)."""

    def __init__(
        self, message: str | None = None, *, method: str = "", path: str = "", sent: bool = False
    ) -> None:
        super().__init__(message, method=method, path=path)
        #: False when the request certainly never reached the server (e.g. connection refused).
        self.sent = sent


class ApiError(TripletexError):
    """Tripletex answered with an error."""

    def __init__(
        self,
        message: str | None = None,
        *,
        method: str = "",
        path: str = "",
        status: int = 0,
        code: int | None = None,
        validation_messages: Sequence[ApiValidationMessage] = (),
        request_id: str | None = None,
        developer_message: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status = status
        self.code = code
        self.validation_messages = tuple(validation_messages)
        self.request_id = request_id
        self.developer_message = developer_message

    def __str__(self) -> str:
        head = f"{self.status}" + (f" code {self.code}" if self.code is not None else "")
        text = f"{self._where()}{head}: {self.message}"
        if self.validation_messages:
            text += " [" + "; ".join(_describe(m) for m in self.validation_messages) + "]"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """Validation messages grouped by field (``""`` for messages about no single field)."""
        grouped: dict[str, list[str]] = {}
        for msg in self.validation_messages:
            grouped.setdefault(msg.field or "", []).append(msg.message or "")
        return grouped


def _describe(msg: ApiValidationMessage) -> str:
    where = msg.path or msg.field
    return f"{where}: {msg.message}" if where else str(msg.message)


class AuthError(ApiError, Terminal):
    """Tripletex refused the credentials or the entitlement (401/403)."""


class NotFound(ApiError, Terminal):
    """The object does not exist (404)."""


class Conflict(ApiError, Terminal):
    """The change conflicts with the stored object (409)."""


class VersionConflict(Conflict):
    """The object changed since it was read: its ``version`` is stale (409 code 8000)."""


class ValidationFailed(ApiError, Terminal):
    """Tripletex rejected the input (422); see ``validation_messages``."""


class ResultSetTooLarge(ApiError, Terminal):
    """The query matches more than 10,000 rows (422 code 23000); narrow or split it."""


class RateLimited(ApiError, Transient):
    """Tripletex's rate limit is exhausted for this period (429); nothing was processed."""

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        #: Seconds until requests are expected to be accepted again, if known.
        self.retry_after = retry_after


class ServerError(ApiError, Transient):
    """Tripletex failed internally (5xx)."""


class AmbiguousWriteError(TripletexError, Terminal):
    """A write reached Tripletex but its outcome is unknown: check before writing again."""

    def __init__(
        self, message: str | None = None, *, method: str = "", path: str = "", status: int | None = None
    ) -> None:
        super().__init__(message, method=method, path=path)
        #: The HTTP status of the failed answer, or None if no answer arrived (timeout, dropped).
        self.status = status


class BatchWriteError(TripletexError, Terminal):
    """A batch write failed part way: ``completed`` holds what Tripletex stored before the failure."""

    def __init__(
        self,
        cause: TripletexError,
        *,
        completed: Sequence[Any],
        failed_offset: int,
        failed_count: int,
    ) -> None:
        super().__init__(
            f"items {failed_offset}..{failed_offset + failed_count - 1} failed "
            f"({len(completed)} written before): {cause}",
            method=cause.method,
            path=cause.path,
        )
        self.cause = cause
        #: Objects written (as returned by Tripletex) before the failing chunk, in input order.
        self.completed = tuple(completed)
        #: Index in the input of the first item of the failing chunk; later items were not sent.
        self.failed_offset = failed_offset
        self.failed_count = failed_count

    @property
    def ambiguous(self) -> bool:
        """True when the failing chunk may have been stored anyway (see ``AmbiguousWriteError``)."""
        return isinstance(self.cause, AmbiguousWriteError)


class UnexpectedResponse(TripletexError, Terminal):
    """Tripletex answered something the client does not understand."""

    def __init__(
        self, message: str | None = None, *, method: str = "", path: str = "", status: int | None = None
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status = status


class WebhookVerificationError(TripletexError, Terminal):
    """A webhook callback failed verification (auth header or HMAC signature)."""
