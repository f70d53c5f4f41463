"""``shopsync check``: is everything in place to sync? One line per check, problems first in mind.

Checks, in order: the config file; the mapping; the state database (reachable, without creating or
migrating anything); the webshop (its API answers with the configured token); Tripletex (the tokens
log in, and the employee may read customers, products and orders — the entitlements the sync needs);
the server settings of ``shopsync run`` (warnings only). Nothing is written anywhere.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer
from rich.text import Text

from shopsync.cli._common import (
    ConfigOption,
    ExitCode,
    JsonOption,
    VerboseOption,
    setup_logging,
    wide_console,
)
from shopsync.cli._output import print_json

if TYPE_CHECKING:
    from shopsync.config import ShopsyncConfig

__all__ = ["Check", "check", "run_checks"]

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """The outcome of one check: ``fail`` makes ``check`` exit 2, ``warn`` does not."""

    name: str
    status: Status
    detail: str

    def __post_init__(self) -> None:
        # One problem, one line: parser messages (YAML, pydantic) span several.
        object.__setattr__(self, "detail", " ".join(self.detail.split()))


def _config(path: Path) -> tuple[Check, ShopsyncConfig | None]:
    from shopsync.config import ConfigError, load_config
    from shopsync.logs import register_secret

    try:
        config = load_config(path)
    except ConfigError as exc:
        return Check("config", "fail", str(exc)), None
    for secret in (config.webshop.token, config.tripletex.consumer_token, config.tripletex.employee_token):
        if secret is not None:
            register_secret(secret)
    return Check("config", "ok", str(path)), config


def _mapping(config: ShopsyncConfig) -> Check:
    from shopsync.mapping import MappingFileError, load_mapping

    try:
        load_mapping(config.mapping)
    except MappingFileError as exc:
        return Check("mapping", "fail", str(exc))
    return Check("mapping", "ok", str(config.mapping) if config.mapping else "the built-in mapping")


def _state(config: ShopsyncConfig) -> Check:
    import sqlalchemy as sa

    from shopsync.state import create_state_engine, display_url, state_url

    url = state_url(config.state)
    shown = display_url(url)
    if url.drivername.startswith("sqlite"):
        path = Path(url.database or "")
        if path.exists():
            if not os.access(path, os.W_OK):
                return Check("state", "fail", f"{shown} is not writable")
            return Check("state", "ok", shown)
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not os.access(folder, os.W_OK):
            return Check("state", "fail", f"cannot create {path}: {folder} is not writable")
        return Check("state", "ok", f"{shown} (created by the first sync)")
    engine = create_state_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
        return Check("state", "fail", f"{shown}: {str(cause).strip().splitlines()[0]}")
    finally:
        engine.dispose()
    return Check("state", "ok", shown)


async def _webshop(config: ShopsyncConfig) -> Check:
    from shopsync.config import ConfigError
    from shopsync.connectors import webshop as ws

    try:
        api = config.webshop_api()
    except ConfigError as exc:
        return Check("webshop", "fail", exc.reason)
    try:
        async with ws.WebshopConnector(api) as shop:
            settings = await shop.shop_settings()
    except ws.Unauthorized:
        return Check(
            "webshop", "fail", f"{api.base_url} refused the API token (401): check SHOPSYNC_WEBSHOP_TOKEN"
        )
    except ws.WebshopError as exc:
        return Check("webshop", "fail", f"{api.base_url}: {exc}")
    return Check("webshop", "ok", f"{api.base_url} answers ({settings.currency}, {settings.country})")


async def _tripletex(config: ShopsyncConfig) -> Check:
    from shopsync.config import ConfigError
    from shopsync.tripletex import AuthError, TripletexClient, TripletexError

    try:
        settings = config.tripletex_settings()
    except ConfigError as exc:
        return Check("tripletex", "fail", exc.reason)
    today = dt.date.today()
    reads: dict[str, Callable[[TripletexClient], Awaitable[object]]] = {
        "customers": lambda tx: tx.customers.list(fields="id", count=1),
        "products": lambda tx: tx.products.list(fields="id", count=1),
        "orders": lambda tx: tx.orders.list(
            fields="id", count=1, order_date_from=today, order_date_to=today + dt.timedelta(days=1)
        ),
    }
    try:
        async with TripletexClient(settings) as tx:
            try:
                await tx.sessions.token()
            except TripletexError as exc:
                if isinstance(exc, AuthError) or "/token/session" in exc.path:
                    return Check(
                        "tripletex",
                        "fail",
                        f"{settings.base_url} refused the consumer/employee token: check "
                        "SHOPSYNC_TRIPLETEX_CONSUMER_TOKEN and SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN",
                    )
                raise
            denied = []
            for what, read in reads.items():
                try:
                    await read(tx)
                except AuthError:
                    denied.append(what)
    except TripletexError as exc:
        return Check("tripletex", "fail", f"{settings.base_url}: {exc}")
    if denied:
        return Check(
            "tripletex",
            "fail",
            f"the employee token may not read {', '.join(denied)} (403): grant the integration those rights",
        )
    return Check("tripletex", "ok", f"{settings.base_url}: logged in; may read customers, products, orders")


def _server(config: ShopsyncConfig) -> list[Check]:
    server = config.server
    out = []
    if server.status_token is None:
        out.append(
            Check(
                "server", "warn", "no status token (SHOPSYNC_STATUS_TOKEN): status page and /metrics are off"
            )
        )
    if server.tripletex_webhook_auth is None and server.tripletex_webhook_secret is None:
        out.append(
            Check(
                "server", "warn", "no Tripletex webhook auth (SHOPSYNC_TRIPLETEX_WEBHOOK_AUTH): polling only"
            )
        )
    if config.webshop.webhook_secret is None:
        out.append(
            Check(
                "server", "warn", "no webshop webhook secret (SHOPSYNC_WEBSHOP_WEBHOOK_SECRET): polling only"
            )
        )
    return out or [Check("server", "ok", f"webhooks to {server.base_url}")]


def run_checks(path: Path) -> list[Check]:
    """Every check for the config at ``path`` (stops after the config check if the file is unusable)."""
    first, config = _config(path)
    if config is None:
        return [first]
    checks = [first, _mapping(config), _state(config)]

    async def remote() -> list[Check]:
        return list(await asyncio.gather(_webshop(config), _tripletex(config)))

    checks += asyncio.run(remote())
    return checks + _server(config)


_STYLE = {"ok": "green", "warn": "yellow", "fail": "bold red"}


def check(config: ConfigOption, as_json: JsonOption = False, verbose: VerboseOption = 0) -> None:
    """Check the config, the mapping, the state database and both APIs (credentials, Tripletex rights).

    Prints one line per check. Exit codes: 0 everything works (warnings allowed); 2 a problem (each on
    its own line).
    """
    setup_logging(verbose)
    checks = run_checks(config)
    failed = any(c.status == "fail" for c in checks)
    if as_json:
        print_json({"ok": not failed, "checks": [asdict(c) for c in checks]})
    else:
        console = wide_console()
        for c in checks:
            line = Text.assemble((f"{c.status:<4}", _STYLE[c.status]), f" {c.name:<9} {c.detail}")
            console.print(line, highlight=False, soft_wrap=True)
    raise typer.Exit(int(ExitCode.CONFIG if failed else ExitCode.OK))
