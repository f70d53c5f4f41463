"""The daemon's errors and how they are put in one log line."""

from __future__ import annotations

__all__ = ["DaemonError", "one_line"]


class DaemonError(Exception):
    """The daemon cannot start or keep running (e.g. its port is taken); the message says why."""


def one_line(exc: BaseException) -> str:
    """``Type: message`` of ``exc`` and of its direct cause, for a log field (never a traceback)."""
    cause = exc.__cause__ or exc.__context__
    text = f"{type(exc).__name__}: {exc}"
    return f"{text} (caused by {type(cause).__name__}: {cause})" if cause is not None else text
