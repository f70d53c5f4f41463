"""Tripletex's error envelope: the exception handlers raise and the seven-key body they become.

Every error body has exactly ``status, code, message, link, developerMessage, validationMessages,
requestId`` (nulls kept), and ``requestId`` equals the ``x-tlx-request-id`` response header.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "LINK",
    "ApiError",
    "ValidationCollector",
    "bad_request_method",
    "error_body",
    "illegal_fields",
    "invalid_json",
    "mapping_failed",
    "not_found",
    "param_error",
    "result_too_large",
    "revision_conflict",
    "sorting_error",
    "unauthorized",
    "validation_failed",
]

LINK = "https://tripletex.no/v2-docs/"

#: Internal codes Tripletex documents (SPEC-DESC "Status codes / Error codes").
CODE_EXCEPTION = 1000
CODE_AUTH = 3000
CODE_BAD_REQUEST = 4000
CODE_NOT_FOUND = 6000
CODE_REVISION = 8000
CODE_ILLEGAL_FILTER = 11000
CODE_VALUE_VALIDATION = 15000
CODE_MAPPING = 16000
CODE_SORTING = 17000
CODE_VALIDATION = 18000
CODE_PARAM = 21000
CODE_INVALID_JSON = 22000
CODE_TOO_LARGE = 23000

Message = dict[str, Any]


class ApiError(Exception):
    """An answer in Tripletex's error envelope; raised anywhere below a route, rendered by the app."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        developer_message: str | None = None,
        validation_messages: list[Message] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.developer_message = developer_message
        self.validation_messages = validation_messages


def error_body(exc: ApiError, request_id: str) -> dict[str, Any]:
    """The seven keys of Tripletex's error envelope, in Tripletex's order."""
    return {
        "status": exc.status,
        "code": exc.code,
        "message": exc.message,
        "link": LINK,
        "developerMessage": exc.developer_message,
        "validationMessages": exc.validation_messages,
        "requestId": request_id,
    }


def message(field: str | None, text: str, path: str | None, root_id: int | None = None) -> Message:
    """One ``ApiValidationMessage``."""
    return {"field": field, "message": text, "path": path, "rootId": root_id}


class ValidationCollector:
    """Collects validation messages for one object of a request (or one item of a batch).

    ``prefix`` is how Tripletex names the object in ``path``: ``null`` for a single body, ``[2]`` for
    the third item of a batch; ``root_id`` is the batch index (None for a single body).
    """

    def __init__(self, prefix: str = "null", root_id: int | None = None) -> None:
        self.prefix = prefix
        self.root_id = root_id
        self.messages: list[Message] = []
        self.business = False

    def field(self, name: str, text: str) -> None:
        """A field-level problem: path ``<prefix>.<field>``."""
        self.messages.append(message(name, text, f"{self.prefix}.{name}", self.root_id))

    def missing(self, name: str) -> None:
        """A required field that was not sent."""
        self.field(name, "Kan ikke være null.")

    def rule(self, name: str | None, text: str) -> None:
        """A business rule broken: no path, developerMessage VALIDATION_ERROR."""
        self.business = True
        self.messages.append(message(name, text, None, self.root_id))

    def raise_if_any(self) -> None:
        """Raise one 422 18000 carrying every message collected so far."""
        if self.messages:
            raise validation_failed(self.messages, business=self.business)


def validation_failed(messages: list[Message], *, business: bool = False) -> ApiError:
    """422 code 18000 "Validering feilet." with field messages."""
    return ApiError(
        422,
        CODE_VALIDATION,
        "Validering feilet.",
        developer_message="VALIDATION_ERROR" if business else None,
        validation_messages=messages,
    )


def not_found(what: str = "Object not found") -> ApiError:
    """404 code 6000: missing id or unknown path (Tripletex answers both the same way)."""
    return ApiError(404, CODE_NOT_FOUND, what)


def unauthorized() -> ApiError:
    """401 code 3000: no valid session in the Authorization header."""
    return ApiError(401, CODE_AUTH, "Could not log in. Check login info in Authorization header.")


def bad_request_method() -> ApiError:
    """400 code 4000: an existing path called with a method it does not have."""
    return ApiError(400, CODE_BAD_REQUEST, "HTTP 405 Method Not Allowed")


def revision_conflict() -> ApiError:
    """409 code 8000: the ``version`` sent is not the current one."""
    return ApiError(
        409,
        CODE_REVISION,
        "RevisionException",
        developer_message="The object has been changed by someone else since it was read (stale version).",
    )


def illegal_fields(name: str, model: str) -> ApiError:
    """400 code 11000: a name in ``fields`` the model does not have."""
    return ApiError(
        400,
        CODE_ILLEGAL_FILTER,
        f"Illegal field in fields filter: {name}. {name} does not match a field in the model: {model}DTO",
    )


def sorting_error(text: str) -> ApiError:
    """422 code 17000 with an empty message list, as observed for a bad ``sorting``."""
    return ApiError(422, CODE_SORTING, "Sorting failed.", developer_message=text, validation_messages=[])


def param_error(name: str, value: str) -> ApiError:
    """404 code 21000: a query parameter that cannot be converted (JAX-RS answers 404 for these)."""
    return ApiError(
        404, CODE_PARAM, f"Illegal value for parameter {name}: {value!r}", developer_message="ParamException"
    )


def mapping_failed(developer_message: str, field: str | None = None) -> ApiError:
    """422 code 16000 "Request mapping failed": unknown property or wrong JSON type in a body."""
    messages = [message(field, developer_message, field, None)] if field else None
    return ApiError(
        422,
        CODE_MAPPING,
        "Request mapping failed",
        developer_message=developer_message,
        validation_messages=messages,
    )


def invalid_json(developer_message: str) -> ApiError:
    """422 code 22000: the body is not JSON at all."""
    return ApiError(422, CODE_INVALID_JSON, "Invalid JSON", developer_message=developer_message)


def result_too_large(limit: int) -> ApiError:
    """422 code 23000: the query matches more rows than Tripletex will load."""
    pretty = f"{limit:,}".replace(",", ".")
    return ApiError(
        422,
        CODE_TOO_LARGE,
        f"Result set too large. Limit of {pretty} reached.",
        developer_message="ResultSetTooLargeException",
    )


def value_validation(messages: list[Message]) -> ApiError:
    """422 code 15000: a query value is missing or invalid (e.g. orderDateFrom)."""
    return ApiError(422, CODE_VALUE_VALIDATION, "Validering feilet.", validation_messages=messages)
