"""What the sync commands share: exit codes, the ``--config`` option, loading it, logging, error triage.

Exit codes (the same for ``sync`` and ``status``, documented in their ``--help``):

* 0 — in sync / nothing needs attention;
* 1 — the pass finished but some records need attention (dead letters, conflicts, review items,
  records waiting for a dependency);
* 2 — a configuration or connection error (bad or missing config, missing secret, unreachable or
  refusing API or database); nothing was decided;
* 3 — an unexpected internal error (a bug; the traceback is in the log).
"""

from __future__ import annotations

import enum
import logging
import sys
import traceback
from pathlib import Path
from typing import Annotated, NoReturn

import sqlalchemy as sa
import typer
from rich.console import Console

from shopsync.config import ConfigError, ShopsyncConfig, load_config
from shopsync.connectors import webshop as ws
from shopsync.logs import configure_logging, redact_stdlib_loggers, register_secret
from shopsync.mapping import MappingFileError
from shopsync.state import StateURLError
from shopsync.tripletex import AuthError, TripletexError, UnexpectedResponse
from shopsync.tripletex import Transient as TripletexTransient

__all__ = [
    "EXIT_CODES_HELP",
    "ConfigOption",
    "ExitCode",
    "JsonOption",
    "VerboseOption",
    "classify",
    "describe",
    "fail",
    "fail_from",
    "load_or_exit",
    "setup_logging",
    "wide_console",
]


class ExitCode(enum.IntEnum):
    """Process exit codes of the sync commands."""

    #: Both sides are in sync; nothing needs attention.
    OK = 0
    #: Finished, but dead letters, conflicts, review items or waiting records need attention.
    ATTENTION = 1
    #: Configuration or connection error.
    CONFIG = 2
    #: An unexpected internal error.
    INTERNAL = 3


EXIT_CODES_HELP = (
    "Exit codes: 0 in sync; 1 finished, but dead letters, conflicts, review items or waiting records "
    "need attention; 2 configuration or connection error; 3 unexpected internal error."
)

ConfigOption = Annotated[
    Path,
    typer.Option(
        "--config",
        "-c",
        help="The config file (see `shopsync init`).",
        envvar="SHOPSYNC_CONFIG",
        dir_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of tables.")]
VerboseOption = Annotated[
    int, typer.Option("--verbose", "-v", count=True, help="More log output (-v info, -vv debug).")
]

err_console = Console(stderr=True)


def wide_console() -> Console:
    """stdout; when it is not a terminal (logs, CI, pipes) wide enough that tables are never squeezed.

    Rich already drops colour when stdout is not a terminal (and honours NO_COLOR)."""
    console = Console()
    return console if console.is_terminal else Console(width=200)


def fail(message: str, code: ExitCode = ExitCode.CONFIG) -> NoReturn:
    """Print ``message`` on stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(int(code))


def setup_logging(verbose: int) -> None:
    """structlog on stderr (warnings only unless ``-v``), secrets masked, httpx2 request logs masked."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    configure_logging(level)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    redact_stdlib_loggers("httpx2", "httpx", "httpcore")


def load_or_exit(path: Path) -> ShopsyncConfig:
    """The config at ``path`` with its secrets registered for redaction; exit 2 on any problem."""
    try:
        config = load_config(path)
    except ConfigError as exc:
        fail(str(exc))
    for secret in (
        config.webshop.token,
        config.webshop.webhook_secret,
        config.tripletex.consumer_token,
        config.tripletex.employee_token,
    ):
        if secret is not None:
            register_secret(secret)
    return config


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: BaseException) -> ExitCode:
    """CONFIG for configuration and connection errors anywhere in the cause chain, else INTERNAL."""
    for link in _chain(exc):
        if isinstance(link, ConfigError | MappingFileError | StateURLError | ws.ConfigError):
            return ExitCode.CONFIG
        # No answer, 5xx/429 after all retries, or credentials refused: the system is not reachable.
        if isinstance(link, TripletexTransient | AuthError | UnexpectedResponse):
            return ExitCode.CONFIG
        # Tripletex refuses wrong consumer/employee tokens at login with a 4xx that is not always 401.
        if isinstance(link, TripletexError) and "/token/session" in link.path:
            return ExitCode.CONFIG
        if isinstance(link, ws.Transient | ws.Unauthorized):
            return ExitCode.CONFIG
        if isinstance(link, sa.exc.OperationalError | sa.exc.InterfaceError | OSError):
            return ExitCode.CONFIG
    return ExitCode.INTERNAL


def describe(exc: BaseException) -> str:
    """One line for the user: the most specific known error in the chain."""
    for link in _chain(exc):
        if isinstance(link, TripletexError):
            return f"Tripletex: {link}"
        if isinstance(link, ws.WebshopError):
            return f"webshop: {link}"
        if isinstance(link, sa.exc.SQLAlchemyError):
            return f"state database: {str(link).splitlines()[0]}"
    return f"{type(exc).__name__}: {exc}"


def fail_from(exc: BaseException) -> NoReturn:
    """Exit for an exception: 2 with one line for configuration/connection errors, else 3 with the
    traceback (a bug; never 1, which would read as "finished with records needing attention")."""
    code = classify(exc)
    if code is ExitCode.INTERNAL:
        # Plain text, root cause first: it ends up in logs and bug reports more often than on a screen.
        traceback.print_exception(exc, file=sys.stderr)
    fail(describe(exc), code)
