"""``shopsync worker``: process the queued jobs of every registered tenant (``shopsync.jobs``)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from shopsync.cli._common import ExitCode, VerboseOption, fail, fail_from, setup_logging

__all__ = ["QueueOption", "worker"]

QueueOption = Annotated[
    str,
    typer.Option(
        "--queue",
        help="The PostgreSQL database of the job queue (postgresql://user:password@host/db).",
        envvar="SHOPSYNC_QUEUE_URL",
    ),
]


def worker(
    queue: QueueOption,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="The PostgreSQL state database with the tenants (default: the queue's database).",
            envvar="SHOPSYNC_STATE_URL",
        ),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-n", min=1, help="Jobs (of different tenants) run at once.")
    ] = 4,
    name: Annotated[str | None, typer.Option("--name", help="The worker's name in logs and jobs.")] = None,
    verbose: VerboseOption = 0,
) -> None:
    """Run jobs: webhook work, polls, full reconciles and decisions of every active tenant.

    Start as many workers as needed, on any machines: a tenant's jobs never run at once, different
    tenants' run in parallel; each tenant's Tripletex rate limit is shared by all of them. Every
    worker also defers the periodic polls (SHOPSYNC_JOBS_POLL_CRON, every 30 s) and full reconciles
    (SHOPSYNC_JOBS_RECONCILE_CRON, every 6 h) and hands the jobs of dead workers back to the queue.
    Needs SHOPSYNC_SECRET_KEY (the tenants' credentials are sealed with it).

    SIGTERM or Ctrl-C stops it gracefully: no new job starts, running ones stop at their next safe
    point (within SHOPSYNC_JOBS_SHUTDOWN_GRACE_SECONDS) and are finished by another worker.

    Exit codes: 0 stopped by a signal; 2 configuration or connection error (no key, not PostgreSQL,
    database unreachable); 3 unexpected internal error.
    """
    import logging

    setup_logging(verbose + 1, service=True)
    if verbose < 2:
        logging.getLogger("procrastinate").setLevel(logging.WARNING)  # a line per job otherwise
    from shopsync.jobs import JobsError, JobSettings, run_worker
    from shopsync.tenants import SecretBox, TenantError

    try:
        box = SecretBox.from_env()
        settings = JobSettings()
        asyncio.run(
            run_worker(queue, state_url=state, box=box, concurrency=concurrency, settings=settings, name=name)
        )
    except (JobsError, TenantError) as exc:
        fail(str(exc))
    except Exception as exc:
        fail_from(exc)
    raise typer.Exit(int(ExitCode.OK))
