"""``shopsync tenants``: the shops a multi-tenant installation syncs (``shopsync.tenants``).

``add`` seals a shop's config and credentials with ``SHOPSYNC_SECRET_KEY`` into the state database;
``list``, ``pause``, ``resume`` and ``remove`` manage them; ``generate-key`` prints a new key. The
workers (``shopsync worker``) sync every active tenant.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from shopsync.cli._common import JsonOption, VerboseOption, fail, fail_from, load_or_exit, setup_logging
from shopsync.cli._output import print_json, print_table

if TYPE_CHECKING:
    from shopsync.tenants import TenantRegistry

__all__ = ["tenants_app"]

T = TypeVar("T")

tenants_app = typer.Typer(
    help="Register the shops the workers sync: add, list, pause, resume, remove; generate-key.",
    no_args_is_help=True,
)

StateOption = Annotated[
    str | None,
    typer.Option(
        "--state",
        help="The PostgreSQL state database holding the tenants (postgresql://…).",
        envvar="SHOPSYNC_STATE_URL",
    ),
]
NameArgument = Annotated[str, typer.Argument(help="The tenant's name (letters, digits, '.', '_', '-').")]
COLUMNS = ("name", "status", "webshop_url", "tripletex_url", "rate_limit", "updated_at")


def _fail_for(exc: Exception) -> NoReturn:
    from shopsync.config import ConfigError
    from shopsync.tenants import TenantError

    if isinstance(exc, TenantError | ConfigError):
        fail(str(exc))
    fail_from(exc)


def _with_registry(state: str | None, work: Callable[[TenantRegistry], T]) -> T:
    from shopsync.tenants import TenantRegistry

    if not state:
        fail("missing option --state (or SHOPSYNC_STATE_URL): the database holding the tenants")
    try:
        with TenantRegistry.open(state) as registry:
            return work(registry)
    except Exception as exc:
        _fail_for(exc)


@tenants_app.command("add")
def add(
    name: NameArgument,
    config: Annotated[
        Path, typer.Option("--config", "-c", help="The shop's config file.", dir_okay=False, exists=False)
    ],
    state: StateOption = None,
    rate_limit: Annotated[
        int | None,
        typer.Option(
            "--rate-limit", min=1, help="Tripletex requests allowed per --rate-period, all workers."
        ),
    ] = None,
    rate_period: Annotated[
        float, typer.Option("--rate-period", min=0.001, help="Seconds of the rate-limit window.")
    ] = 60.0,
    replace: Annotated[bool, typer.Option("--replace", help="Update a tenant already registered.")] = False,
    verbose: VerboseOption = 0,
) -> None:
    """Register a shop: its config and credentials (secrets from the environment, as for `run`) are
    sealed with SHOPSYNC_SECRET_KEY. The state database is --state, else the config's `state`.

    The tenant's name replaces the config's `tenant`; a `shopsync run --queue` for this shop must use
    the same name. Exit codes: 0 added; 2 bad config, missing credential or key, taken name,
    database unreachable.
    """
    from shopsync.tenants import RateLimit, SecretBox

    setup_logging(verbose)
    settings = load_or_exit(config)
    try:
        box = SecretBox.from_env()
    except Exception as exc:
        _fail_for(exc)
    limit = RateLimit(rate_limit, rate_period) if rate_limit is not None else None
    tenant = _with_registry(
        state or settings.state, lambda r: r.add(name, settings, box, rate_limit=limit, replace=replace)
    )
    shared = (
        f"Tripletex rate limit {tenant.rate_limit} shared by all workers"
        if tenant.rate_limit
        else ("no shared Tripletex rate limit (each worker paces itself)")
    )
    typer.echo(f"tenant {tenant.name} {'updated' if replace else 'added'} ({tenant.status}; {shared})")


@tenants_app.command("list")
def list_tenants(state: StateOption = None, as_json: JsonOption = False, verbose: VerboseOption = 0) -> None:
    """The registered tenants with their status, systems and rate limit (never a credential)."""
    setup_logging(verbose)
    tenants = _with_registry(state, lambda r: r.all())
    rows = [t.to_dict() | {"rate_limit": str(t.rate_limit) if t.rate_limit else None} for t in tenants]
    if as_json:
        print_json([t.to_dict() for t in tenants])
        return
    print_table("tenants", COLUMNS, rows, empty="no tenants registered")


@tenants_app.command("pause")
def pause(name: NameArgument, state: StateOption = None, verbose: VerboseOption = 0) -> None:
    """Stop syncing a tenant: its jobs are skipped until `resume` (its state is kept)."""
    from shopsync.tenants import TenantStatus

    setup_logging(verbose)
    _with_registry(state, lambda r: r.set_status(name, TenantStatus.PAUSED))
    typer.echo(f"tenant {name} paused")


@tenants_app.command("resume")
def resume(name: NameArgument, state: StateOption = None, verbose: VerboseOption = 0) -> None:
    """Sync a paused tenant again (the next periodic poll picks it up)."""
    from shopsync.tenants import TenantStatus

    setup_logging(verbose)
    _with_registry(state, lambda r: r.set_status(name, TenantStatus.ACTIVE))
    typer.echo(f"tenant {name} resumed")


@tenants_app.command("remove")
def remove(name: NameArgument, state: StateOption = None, verbose: VerboseOption = 0) -> None:
    """Forget a tenant and its sealed credentials; its sync state stays (adding it again resumes)."""
    setup_logging(verbose)
    _with_registry(state, lambda r: r.remove(name))
    typer.echo(f"tenant {name} removed")


@tenants_app.command("generate-key")
def generate_key() -> None:
    """Print a new SHOPSYNC_SECRET_KEY (keep it safe: without it the tenants' credentials are lost)."""
    from shopsync.tenants import generate_key as new_key

    typer.echo(new_key())
