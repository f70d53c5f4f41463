"""structlog configuration for shopsync, with secrets redacted from every event.

JSON lines when stderr is not a terminal (services, CI), coloured console output otherwise. The
``redact_secrets`` processor masks values under secret-looking keys (token, secret, authorization,
password…), every pydantic ``SecretStr``, and any occurrence of a value registered with
``register_secret`` (session tokens are registered by the Tripletex client as soon as it gets them).
``redact_stdlib_loggers`` puts the same masking on stdlib loggers such as ``httpx2``, which logs every
request URL at INFO (a legacy session call carries the tokens in its query string).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Mapping, MutableMapping
from typing import Any, TextIO

import structlog
from pydantic import SecretBytes, SecretStr

__all__ = [
    "MASK",
    "SecretFilter",
    "configure_logging",
    "redact",
    "redact_secrets",
    "redact_stdlib_loggers",
    "register_secret",
]

MASK = "**********"
_SECRET_KEY = re.compile(
    r"token|secret|authori[sz]ation|passw(or)?d|api[-_]?key|cookie|signature|credential", re.IGNORECASE
)
# Shorter values are too likely to match harmless text; real tokens are much longer.
_MIN_REGISTERED_LENGTH = 6
_registered: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | SecretStr) -> None:
    """Mask ``value`` wherever it appears inside any logged string from now on."""
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if len(raw) >= _MIN_REGISTERED_LENGTH:
        with _lock:
            _registered.add(raw)


def redact(value: Any, key: str | None = None) -> Any:
    """``value`` with secrets masked, walking dicts, lists and tuples."""
    if isinstance(value, SecretStr | SecretBytes):
        return MASK
    if key is not None and _SECRET_KEY.search(key) and value not in (None, ""):
        return MASK
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(v) for v in value)
    if isinstance(value, str) and _registered:
        for secret in tuple(_registered):
            if secret in value:
                value = value.replace(secret, MASK)
        return value
    return value


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask secrets in every key of the event."""
    for key in list(event_dict):
        event_dict[key] = redact(event_dict[key], key if key != "event" else None)
    return event_dict


class SecretFilter(logging.Filter):
    """stdlib logging filter: masks registered secrets in a record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _registered:
            # Format now (httpx passes URL objects as arguments) and mask the result.
            record.msg = redact(record.getMessage())
            record.args = None
        return True


_FILTER = SecretFilter()


def redact_stdlib_loggers(*names: str) -> None:
    """Attach ``SecretFilter`` to these stdlib loggers (idempotent)."""
    for name in names:
        target = logging.getLogger(name)
        if _FILTER not in target.filters:
            target.addFilter(_FILTER)


class _StderrLogger:
    """A structlog logger that prints to whatever ``sys.stderr`` is when the line is written."""

    def msg(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


class _StderrLoggerFactory:
    def __call__(self, *args: Any) -> _StderrLogger:
        return _StderrLogger()


def configure_logging(
    level: int | str = "INFO", *, json: bool | None = None, stream: TextIO | None = None
) -> None:
    """Configure structlog for the process; ``json=None`` picks JSON unless ``stream`` is a terminal."""
    out = stream or sys.stderr
    if json is None:
        json = not out.isatty()
    # Without an explicit stream, look sys.stderr up at every write: a stream captured at configure time
    # (a test runner's, a redirected CLI's) may be closed by the time a later log line is written.
    factory: Any = structlog.PrintLoggerFactory(stream) if stream else _StderrLoggerFactory()
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=factory,
        cache_logger_on_first_use=False,
    )
