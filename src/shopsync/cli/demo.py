"""``shopsync demo``: both simulators with seeded data and ``shopsync run`` syncing them, in one process.

The Tripletex simulator and the reference webshop are served in threads; the demo writes a config into
a demo folder (``.shopsync-demo/`` by default, SQLite state, fresh on every start because the
simulators start from their seeds again), then runs the daemon in the foreground with webhooks on both
sides and prints the three URLs to open. Ctrl-C stops the daemon gracefully, then both simulators.

The simulators' credentials and the demo's own secrets (status token, webhook secrets, new on every
start) are written into the demo config, so ``shopsync status --config .shopsync-demo/shopsync.yaml``
works in another terminal; the config is read without the environment's ``SHOPSYNC_*`` secrets, which
belong to real systems.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shopsync.cli._common import VerboseOption, fail, fail_from, setup_logging

if TYPE_CHECKING:
    from shopsync.daemon import DaemonInfo
    from shopsync.engine.summary import PassSummary

__all__ = ["demo", "demo_config"]

#: The simulators' default credentials (``shopsync sim …``).
SHOP_TOKEN = "sim-webshop"
CONSUMER_TOKEN, EMPLOYEE_TOKEN = "sim-consumer", "sim-employee"
#: Seeded records per side: enough to look real, small enough for a first sync of a few seconds.
DEMO_SIZE = {"customers": 60, "products": 30, "orders": 60}


def demo_config(
    *,
    webshop_url: str,
    tripletex_url: str,
    host: str,
    port: int,
    status_token: str,
    tripletex_webhook_auth: str,
    webshop_webhook_secret: str,
    poll_seconds: float = 30.0,
) -> str:
    """The demo's config file: both simulators, SQLite state beside it, webhooks on both sides."""

    def q(value: str) -> str:
        return json.dumps(value)

    return f"""\
# Written by `shopsync demo` on every start (its simulators start from their seeds each time).
# The tokens below are the simulators' defaults and this demo's own secrets: never real ones.
webshop:
  url: {q(webshop_url)}
  token: {q(SHOP_TOKEN)}
  webhook_secret: {q(webshop_webhook_secret)}
  # The simulator needs none of the politeness a real shop gets.
  api: {{pacing: {{requests_per_second: 1000}}}}
tripletex:
  url: {q(tripletex_url)}
  consumer_token: {q(CONSUMER_TOKEN)}
  employee_token: {q(EMPLOYEE_TOKEN)}
state: state.sqlite
server:
  host: {q(host)}
  port: {port}
  status_token: {q(status_token)}
  tripletex_webhook_auth: {q(tripletex_webhook_auth)}
daemon:
  poll_seconds: {poll_seconds:g}
  shutdown_grace_seconds: 10
"""


def _fresh(folder: Path) -> Path:
    """The demo folder with no state left from an earlier run (the simulators forgot it too)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".gitignore").write_text("*\n", encoding="utf-8")
    for name in ("state.sqlite", "state.sqlite-wal", "state.sqlite-shm"):
        (folder / name).unlink(missing_ok=True)
    return folder / "shopsync.yaml"


def demo(
    host: Annotated[str, typer.Option(help="Interface everything listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of shopsync's status page and webhooks.")] = 8700,
    webshop_port: Annotated[int, typer.Option(help="Port of the reference webshop.")] = 8702,
    tripletex_port: Annotated[int, typer.Option(help="Port of the Tripletex simulator.")] = 8701,
    seed: Annotated[int, typer.Option(help="Seed of both data sets.")] = 1,
    folder: Annotated[
        Path, typer.Option("--dir", help="Where the demo keeps its config and state.", file_okay=False)
    ] = Path(".shopsync-demo"),
    poll_seconds: Annotated[
        float, typer.Option(min=1.0, help="Seconds between safety-net polls (webhooks do the live sync).")
    ] = 30.0,
    verbose: VerboseOption = 0,
) -> None:
    """Start the Tripletex simulator and the reference webshop with seeded data, and keep them in
    sync with `shopsync run` (webhooks on both sides). Prints the URLs to open; Ctrl-C stops it all.
    """
    from shopsync.config import ConfigError, load_config
    from shopsync.daemon import Daemon, DaemonError
    from shopsync.simulators.serve import serve_in_thread
    from shopsync.simulators.tripletex import SimulatorConfig
    from shopsync.simulators.tripletex import create_app as create_tripletex_app
    from shopsync.simulators.webshop import WebshopConfig
    from shopsync.simulators.webshop import create_app as create_webshop_app

    setup_logging(verbose, service=True)
    tripletex_app = create_tripletex_app(SimulatorConfig(seed=seed, **DEMO_SIZE))
    webshop_app = create_webshop_app(WebshopConfig(seed=seed, **DEMO_SIZE))
    status_token = secrets.token_urlsafe(18)
    with (
        serve_in_thread(tripletex_app, host=host, port=tripletex_port) as tripletex_url,
        serve_in_thread(webshop_app, host=host, port=webshop_port) as webshop_url,
    ):
        path = _fresh(folder)
        path.write_text(
            demo_config(
                webshop_url=webshop_url,
                tripletex_url=tripletex_url + "/v2",
                host=host,
                port=port,
                status_token=status_token,
                tripletex_webhook_auth=secrets.token_urlsafe(24),
                webshop_webhook_secret=secrets.token_urlsafe(24),
                poll_seconds=poll_seconds,
            ),
            encoding="utf-8",
        )
        try:
            config = load_config(path, environ={})
        except ConfigError as exc:
            fail(str(exc))

        def ready(info: DaemonInfo) -> None:
            typer.echo("shopsync demo is running:")
            typer.echo(f"  Webshop admin     {webshop_url}/          edit a customer or product here")
            typer.echo(f"  Status page       {info.listen_url}/login?token={status_token}")
            typer.echo(f"  Tripletex stats   {tripletex_url}/_sim/stats")
            typer.echo(
                f"  Tripletex API     {tripletex_url}/v2   (tokens {CONSUMER_TOKEN} / {EMPLOYEE_TOKEN})"
            )
            typer.echo(f"Config and state in {folder}/; e.g. shopsync status --config {path}")
            typer.echo("First sync running…  Press Ctrl-C to stop.")

        def first(summary: PassSummary | None) -> None:
            if summary is None:
                typer.echo("The first sync failed (see the log above); shopsync keeps retrying.")
                return
            written = summary.total("tripletex").writes + summary.total("webshop").writes
            # Pending work right after the pass is mostly the webhooks of its own writes: not news.
            issues = [
                f"{entity}: {count} {kind.replace('_', ' ')}"
                for entity, kinds in summary.attention.items()
                for kind, count in kinds.items()
                if count and kind != "pending"
            ]
            more = f"; needs a look: {', '.join(issues)} (see the status page)" if issues else ""
            typer.echo(f"First sync done: {written} records written{more}.")

        try:
            asyncio.run(Daemon(config, on_ready=ready, on_first_pass=first).run())
        except DaemonError as exc:
            fail(str(exc))
        except Exception as exc:
            fail_from(exc)
    typer.echo("Stopped.")
