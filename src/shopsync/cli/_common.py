"""What the commands share: exit codes, the ``--config`` option, loading it, logging, error triage.

Exit codes (the same for every command, documented in each one's ``--help`` and in the README):

* 0 — done: in sync / nothing needs attention (``run``: stopped by a signal);
* 1 — done, but some records need attention (dead letters, conflicts, review items, records waiting
  for a dependency); the lists ``conflicts``, ``dead-letters`` and ``reviews`` when they are not empty;
* 2 — a configuration, connection or input error (bad or missing config, missing secret, unreachable
  or refusing API or database, a taken port, an unknown id); nothing was decided;
* 3 — an unexpected internal error (a bug; the traceback is in the log).
"""

from __future__ import annotations

import enum
import logging
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

# The library (pydantic models, SQLAlchemy, both API clients) is imported inside the functions that
# need it, so `shopsync --help` and the commands that do not touch it start quickly.
if TYPE_CHECKING:
    from shopsync.config import ShopsyncConfig

__all__ = [
    "EXIT_CODES_HELP",
    "ConfigOption",
    "ExitCode",
    "GroupConfigOption",
    "JsonOption",
    "VerboseOption",
    "classify",
    "config_path",
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
#: ``--config`` of a command group and of its subcommands (``conflicts``, ``conflicts resolve``): given
#: to either; ``config_path`` picks it.
GroupConfigOption = Annotated[
    Path | None,
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


def setup_logging(verbose: int, *, service: bool = False) -> None:
    """structlog on stderr (warnings only unless ``-v``), secrets masked, httpx2 request logs masked.

    ``service`` (``run``, ``demo``): the standard library's loggers (uvicorn, alembic, httpx2) are
    rendered by structlog too, so a service's log is one format — JSON lines when stderr is not a
    terminal; the per-request lines of httpx2 and alembic's chatter only with ``-vv``.
    """
    from shopsync.logs import configure_logging, redact_stdlib_loggers

    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    configure_logging(level)
    if service:
        _stdlib_through_structlog(level, quiet=verbose < 2)
    else:
        logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    redact_stdlib_loggers("httpx2", "httpx", "httpcore", "uvicorn.error", "uvicorn.access")


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (tests and wrappers replace it after set-up)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(self.format(record), file=sys.stderr, flush=True)
        except Exception:
            self.handleError(record)


def _stdlib_through_structlog(level: int, *, quiet: bool) -> None:
    import structlog

    from shopsync.logs import redact_secrets

    json = not sys.stderr.isatty()
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, redact_secrets, renderer],
            foreign_pre_chain=[
                structlog.stdlib.add_logger_name,
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    if quiet:
        for name in ("httpx2", "httpx", "httpcore", "httpcore2", "alembic"):
            logging.getLogger(name).setLevel(logging.WARNING)


def config_path(ctx: typer.Context, given: Path | None) -> Path:
    """The ``--config`` given to this subcommand, else to its group (kept in ``ctx.obj``); exit 2 if
    neither was."""
    parent = ctx.parent.obj if ctx.parent is not None and isinstance(ctx.parent.obj, dict) else {}
    path = given or parent.get("config")
    if path is None:
        fail(f"missing option --config (or SHOPSYNC_CONFIG); see `{ctx.command_path} --help`")
    return Path(path)


def load_or_exit(path: Path) -> ShopsyncConfig:
    """The config at ``path`` with its secrets registered for redaction; exit 2 on any problem."""
    from shopsync.config import ConfigError, load_config
    from shopsync.logs import register_secret

    try:
        config = load_config(path)
    except ConfigError as exc:
        fail(str(exc))
    for secret in (
        config.webshop.token,
        config.webshop.webhook_secret,
        config.tripletex.consumer_token,
        config.tripletex.employee_token,
        config.server.status_token,
        config.server.tripletex_webhook_auth,
        config.server.tripletex_webhook_secret,
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
    import sqlalchemy as sa

    from shopsync.config import ConfigError
    from shopsync.connectors import webshop as ws
    from shopsync.mapping import MappingFileError
    from shopsync.state import StateURLError
    from shopsync.tripletex import AuthError, TripletexError, UnexpectedResponse
    from shopsync.tripletex import Transient as TripletexTransient

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
    import sqlalchemy as sa

    from shopsync.connectors import webshop as ws
    from shopsync.tripletex import TripletexError

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
