"""``shopsync run``: the long-running service (``shopsync.daemon``) until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from shopsync.cli._common import (
    ConfigOption,
    ExitCode,
    VerboseOption,
    fail,
    fail_from,
    load_or_exit,
    setup_logging,
)

__all__ = ["run"]


def run(
    config: ConfigOption,
    verbose: VerboseOption = 0,
    queue: Annotated[
        str | None,
        typer.Option(
            "--queue",
            help="Defer the engine work as jobs on this PostgreSQL queue (postgresql://…) for "
            "`shopsync worker` instead of running it here.",
            envvar="SHOPSYNC_QUEUE_URL",
        ),
    ] = None,
) -> None:
    """Run continuously: webhooks, polling, full reconcile, the status page and /metrics.

    Listens on server.host:server.port; polls every daemon.poll_seconds and runs a full reconcile every
    daemon.full_reconcile_seconds (both also at start-up). Logs are JSON lines on stderr unless it is a
    terminal.

    SIGTERM or Ctrl-C stops it gracefully: the engine work in progress is finished first (up to
    daemon.shutdown_grace_seconds); a second Ctrl-C stops at once. Work that arrived by webhook and was
    not done yet is kept in the state database and done after the next start.

    With --queue the webhooks, polls, reconciles and the status page's decisions become jobs that
    `shopsync worker` runs; the config's `state` must then be the PostgreSQL database where the
    tenant is registered (`shopsync tenants add`), under the config's `tenant` name.

    Exit codes: 0 stopped by a signal; 2 configuration or connection error at start-up (bad config,
    port taken, state database unreachable); 3 unexpected internal error.
    """
    # A service logs what it does (passes, webhooks, repairs) by default; -v adds debug output.
    setup_logging(verbose + 1, service=True)
    settings = load_or_exit(config)
    from shopsync.daemon import Daemon, DaemonError

    async def serve() -> None:
        if queue is None:
            await Daemon(settings).run()
            return
        from shopsync.jobs import open_tenant_queue

        async with open_tenant_queue(queue, tenant=settings.tenant, state_url=settings.state) as jobs:
            await Daemon(settings, queue=jobs).run()

    from shopsync.jobs import JobsError
    from shopsync.tenants import TenantError

    try:
        asyncio.run(serve())
    except (DaemonError, JobsError, TenantError) as exc:
        fail(str(exc))
    except Exception as exc:
        fail_from(exc)
    raise typer.Exit(int(ExitCode.OK))
