"""Every error a webshop connector raises, as one tree rooted in ``WebshopError``.

```
WebshopError
├── TransportError            no answer (connection failed, timed out)                   [Transient]
├── ApiError                  the shop answered with an error (status, code, message, fields)
│   ├── Unauthorized          401 / 403: wrong or missing credentials                     [Terminal]
│   ├── ValidationFailed      422 (or a shop's 400): invalid input, nothing stored        [Terminal]
│   ├── NotFound              404                                                         [Terminal]
│   ├── Conflict              409: duplicate SKU, Idempotency-Key reused with a new body  [Terminal]
│   ├── PreconditionFailed    412: the If-Match version is stale; re-read                 [Terminal]
│   ├── RateLimited           429: nothing processed; carries Retry-After                 [Transient]
│   └── ServerError           5xx                                                         [Transient]
├── AmbiguousWriteError       a write was sent but its outcome is unknown                 [Terminal]
├── MappingError              a shop record cannot be translated to the contract          [Terminal]
├── WebhookRejected           bad signature, stale or future timestamp, malformed body    [Terminal]
└── ConfigError               the connector configuration is invalid                      [Terminal]
```

Retry decisions look at the ``Transient`` / ``Terminal`` mixins and at the attributes, never at message
text. A class's docstring is its default message. No exception carries a secret: they hold the
method, the path (without query parameters, which may hold a query-key credential) and the fields of
the shop's error body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "AmbiguousWriteError",
    "ApiError",
    "ConfigError",
    "Conflict",
    "FieldError",
    "MappingError",
    "NotFound",
    "PreconditionFailed",
    "RateLimited",
    "ServerError",
    "Terminal",
    "Transient",
    "TransportError",
    "Unauthorized",
    "ValidationFailed",
    "WebhookRejected",
    "WebshopError",
]


class Transient(Exception):
    """Marker: trying again later may succeed."""


class Terminal(Exception):
    """Marker: trying the same request again will not help (or is not safe)."""


class WebshopError(Exception):
    """The webshop call failed."""

    def __init__(self, message: str | None = None, *, method: str = "", path: str = "") -> None:
        self.method = method
        self.path = path
        self.message = message or (type(self).__doc__ or "").strip()
        super().__init__(self.message)

    def _where(self) -> str:
        return f"{self.method} {self.path}: " if self.method else ""

    def __str__(self) -> str:
        return self._where() + self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class TransportError(WebshopError, Transient):
    """No answer from the webshop (connection failed or timed out)."""

    def __init__(
        self, message: str | None = None, *, method: str = "", path: str = "", sent: bool = True
    ) -> None:
        super().__init__(message, method=method, path=path)
        #: False when the request certainly never reached the shop (e.g. connection refused).
        self.sent = sent


class FieldError(dict[str, str]):
    """One per-field message of an error body: ``{"field": "billing_address.city", "message": "…"}``."""

    @property
    def field(self) -> str:
        return self.get("field", "")

    @property
    def text(self) -> str:
        return self.get("message", "")


class ApiError(WebshopError):
    """The webshop answered with an error."""

    def __init__(
        self,
        message: str | None = None,
        *,
        method: str = "",
        path: str = "",
        status: int = 0,
        code: str | None = None,
        fields: Sequence[Mapping[str, str]] = (),
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.status = status
        self.code = code
        self.fields = tuple(FieldError(f) for f in fields)
        #: True when an earlier attempt of this same write got no definite answer and may have been
        #: applied: a 412 may then be our own write having bumped the version, a 404 on a delete our
        #: own delete. Re-read before deciding anything.
        self.after_retry = False

    def __str__(self) -> str:
        head = f"{self.status}" + (f" {self.code}" if self.code else "")
        text = f"{self._where()}{head}: {self.message}"
        if self.fields:
            text += " [" + "; ".join(f"{f.field}: {f.text}" for f in self.fields) + "]"
        return text


class Unauthorized(ApiError, Terminal):
    """The webshop refused the credentials (401/403)."""


class ValidationFailed(ApiError, Terminal):
    """The webshop rejected the input; nothing was stored (see ``fields``)."""


class NotFound(ApiError, Terminal):
    """The record does not exist (404)."""


class Conflict(ApiError, Terminal):
    """The write conflicts with stored data (409): a duplicate unique key or a reused Idempotency-Key."""


class PreconditionFailed(ApiError, Terminal):
    """The record changed since it was read: the If-Match version is stale (412); see ``after_retry``."""


class RateLimited(ApiError, Transient):
    """The webshop's rate limit is exhausted (429); nothing was processed."""

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        #: Seconds until requests are expected to be accepted again, if the shop said.
        self.retry_after = retry_after


class ServerError(ApiError, Transient):
    """The webshop failed internally (5xx)."""


class AmbiguousWriteError(WebshopError, Terminal):
    """A write reached the webshop but its outcome is unknown: check before writing again."""

    def __init__(
        self,
        message: str | None = None,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path)
        #: HTTP status of the last failed answer, or None when no answer arrived.
        self.status = status
        #: The create's Idempotency-Key: retrying with it later cannot duplicate (contract shops).
        self.idempotency_key = idempotency_key


class MappingError(WebshopError, Terminal):
    """A record could not be translated between the shop's shape and the contract."""

    def __init__(
        self,
        message: str | None = None,
        *,
        resource: str = "",
        record_id: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.resource = resource
        self.record_id = record_id
        #: The contract field at fault (dotted, e.g. ``lines.0.quantity``), when one is known.
        self.field = field

    def __str__(self) -> str:
        where = f"{self.resource}/{self.record_id}: " if self.record_id else f"{self.resource}: "
        return (where if self.resource else "") + self.message


class WebhookRejected(WebshopError, Terminal):
    """A webhook delivery failed verification."""

    def __init__(self, message: str | None = None, *, reason: str = "invalid") -> None:
        super().__init__(message)
        #: Machine-readable cause: ``signature``, ``stale``, ``future``, ``missing_header``, ``malformed``.
        self.reason = reason


class ConfigError(WebshopError, Terminal):
    """The webshop connector configuration is invalid."""
