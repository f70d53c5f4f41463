"""``shopsync init``: write a commented config file (never a secret) that ``sync`` and ``status`` read."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from shopsync.cli._common import ExitCode, fail
from shopsync.cli._lazy import DEFAULT_STATE

__all__ = ["init", "render_config"]


def _q(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: safe for any URL or path.
    return json.dumps(value)


def _options(table: dict[str, str]) -> str:
    return "\n".join(f"#   {name:<15} {meaning}" for name, meaning in table.items())


def render_config(webshop_url: str, tripletex_url: str, state: str) -> str:
    """The text of a new config file: every key with a comment saying what it does."""
    from shopsync.config import SECRET_ENV, DaemonSection, ServerSection
    from shopsync.mapping.settings import CONFLICT_POLICIES, DELETE_POLICIES

    env = {f"{section}.{key}": name for (section, key), name in SECRET_ENV.items()}
    server, daemon = ServerSection(), DaemonSection()
    return f"""\
# shopsync configuration: written by `shopsync init`; read by `shopsync sync`, `run`, `status` and the
# other commands (`shopsync --help`).
#
# Secrets are NOT kept in this file. shopsync reads them from the environment:
#   {env["webshop.token"]:<36} the webshop API token (bearer)
#   {env["webshop.webhook_secret"]:<36} HMAC secret of the webshop's webhooks (for `run`)
#   {env["tripletex.consumer_token"]:<36} Tripletex consumer token (issued to the integration)
#   {env["tripletex.employee_token"]:<36} Tripletex employee token (created by the account's admin)
#   {env["server.status_token"]:<36} token of the status page and /metrics (for `run`)
#   {env["server.tripletex_webhook_auth"]:<36} Authorization value Tripletex's callbacks carry (`run`)
#   {env["server.tripletex_webhook_secret"]:<36} HMAC secret of Tripletex's callbacks (optional)
# You may instead put them here under the keys named (webshop.token, server.status_token, …; the
# environment still wins), or write "${{SOME_VARIABLE}}" as any value to read it from that
# environment variable. Relative paths below are relative to this file.

# The webshop: its API and where to reach it.
webshop:
  # Root URL of the webshop API (for the shopsync contract: without /api/v1).
  url: {_q(webshop_url)}
  # Which API the shop speaks: null = the shopsync webshop contract; a preset name ("woocommerce");
  # or the path of a webshop API description (YAML, may start with `preset: woocommerce`).
  api: null

# The Tripletex account.
tripletex:
  # Tripletex API root including /v2 (test environment: https://api-test.tripletex.tech/v2).
  url: {_q(tripletex_url)}
  # 0 = the company the employee token belongs to; an accountant's client company id otherwise.
  company_id: 0

# Where shopsync keeps its state (links, snapshots, cursors, journal, conflicts, dead letters):
# a SQLite file (relative to this file) or postgresql://user@host/database (a password may come from
# PGPASSWORD or ~/.pgpass rather than from this file).
state: {_q(state)}

# Name of this shop in the state database (one database can hold several shops).
tenant: "default"

# Your changes to the field mapping (`shopsync docs` shows the mapping); null = the built-in mapping.
mapping: null

# What happens when one field was changed differently on both sides since the last sync:
{_options(CONFLICT_POLICIES)}
conflict_policy: newest_wins

# What happens when a linked record is deleted on one side:
{_options(DELETE_POLICIES)}
delete_policy: deactivate

# Which side's NEW records are created on the other side, per entity: both, to_tripletex, to_webshop
# or none. Edits to records that are already linked always flow both ways.
entities:
  customer:
    create: both
  product:
    create: both
  order:
    create: to_tripletex

# Tripletex order scans look this many days back (orders older than this are left alone).
order_window_days: 400

# Mass-delete breaker: a pass that would deactivate more than this share of an entity's linked
# records stops those deletes and exits 1 for you to check.
mass_delete_share: 0.10

# Records per batch write (Tripletex /list endpoints take at most 100).
batch_size: 100

# Tripletex customers: a full id/version scan runs every this many passes (changedSince covers the
# passes in between; it is not fully reliable on real servers, so the scan is the safety net).
customer_scan_every: 1

# The HTTP server of `shopsync run`: webhook receivers, the status page (/), /metrics and /healthz.
server:
  # Interface and port to listen on.
  host: {_q(server.host)}
  port: {server.port}
  # The URL the webshop and Tripletex reach this server at (e.g. behind a reverse proxy);
  # null = http://host:port. Webhook subscriptions are registered with it.
  public_url: null
  # status_token, tripletex_webhook_auth and tripletex_webhook_secret: from the environment (above).

# How `shopsync run` schedules its work (times in seconds).
daemon:
  # A normal two-way pass, the safety net behind the webhooks, runs this often.
  poll_seconds: {daemon.poll_seconds:g}
  # A full reconcile (every record compared, not only the changed ones) runs this often.
  full_reconcile_seconds: {daemon.full_reconcile_seconds:g}
  # The webhook subscriptions are checked (and recreated when disabled or gone) this often.
  subscription_check_seconds: {daemon.subscription_check_seconds:g}
  # On SIGTERM/Ctrl-C the engine's current work gets this long to finish before it is cut off.
  shutdown_grace_seconds: {daemon.shutdown_grace_seconds:g}
  # Queued records (webhook work) handled per engine call.
  queue_batch: {daemon.queue_batch}
"""


def _state_for(out: Path, state: str | None) -> str:
    """The state location as written in the file: relative paths become relative to the config file."""
    if state is None:
        return DEFAULT_STATE
    if "://" in state:
        return state
    target = Path(state).expanduser().absolute()
    return os.path.relpath(target, out.absolute().parent)


def init(
    webshop_url: Annotated[str, typer.Option("--webshop-url", help="Root URL of the webshop API.")],
    tripletex_url: Annotated[str, typer.Option("--tripletex-url", help="Tripletex API root (with /v2).")],
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help=f"State database: SQLite path or postgresql://… (default: {DEFAULT_STATE} by the config).",
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write the config.", dir_okay=False)
    ] = Path("shopsync.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented config file for the other commands (never a secret).

    Secrets come from the environment: SHOPSYNC_WEBSHOP_TOKEN and SHOPSYNC_TRIPLETEX_*_TOKEN (and, for
    `shopsync run`, SHOPSYNC_STATUS_TOKEN, SHOPSYNC_WEBSHOP_WEBHOOK_SECRET, SHOPSYNC_TRIPLETEX_WEBHOOK_AUTH).

    Exit codes: 0 written; 2 an invalid value, or the file exists (use --force).
    """
    from shopsync.config import SECRET_ENV, ConfigError, parse_config

    if out.exists() and not force:
        fail(f"{out} already exists; use --force to overwrite it")
    text = render_config(webshop_url, tripletex_url, _state_for(out, state))
    try:
        parse_config(text, path=out, environ={})  # the same checks sync will make, before writing
    except ConfigError as exc:
        fail(str(exc).replace(f"{out}: ", "", 1))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    typer.echo(f"Wrote {out}")
    typer.echo("Next: set the secrets in the environment, then run:")
    for (section, _), name in SECRET_ENV.items():
        if section != "server" and "WEBHOOK" not in name:
            typer.echo(f"  export {name}=…")
    typer.echo(f"  shopsync check --config {out}")
    typer.echo(f"  shopsync sync --config {out}     # one pass; or `shopsync run` to keep syncing")
    raise typer.Exit(int(ExitCode.OK))
