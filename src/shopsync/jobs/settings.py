"""``JobSettings``: how the workers schedule, retry and recover jobs, from ``SHOPSYNC_JOBS_*`` variables.

Every field has a default that suits production; tests and benchmarks shorten the timings (a worker
killed with ``kill -9`` is noticed after ``stalled_seconds``). The cron strings are procrastinate's:
five fields, or six with seconds last (``* * * * * */30`` is every 30 seconds).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["JobSettings"]


class JobSettings(BaseSettings):
    """The workers' schedules and safety nets (every worker of an installation should agree)."""

    model_config = SettingsConfigDict(env_prefix="SHOPSYNC_JOBS_", extra="ignore", frozen=True)

    queue: str = "shopsync"
    """The procrastinate queue the jobs go to and the workers listen on."""
    poll_cron: str = "* * * * * */30"
    """When every active tenant gets a normal pass (and tenants with due queued work a queue run)."""
    reconcile_cron: str = "0 */6 * * *"
    """When every active tenant gets a full reconcile."""
    recover_cron: str = "* * * * * */15"
    """How often the jobs of dead workers are looked for and handed back to the queue."""
    heartbeat_seconds: float = Field(default=10.0, gt=0)
    """A worker writes its heartbeat this often."""
    stalled_seconds: float = Field(default=30.0, gt=0)
    """A worker whose heartbeat is older than this is dead: its running jobs are retried."""
    retry_attempts: int = Field(default=5, ge=0)
    """Retries of a job that failed (a system down), with a doubling wait."""
    retry_wait_seconds: float = Field(default=5.0, ge=0)
    """The first wait before a retry; it doubles per attempt up to ``retry_wait_max_seconds``."""
    retry_wait_max_seconds: float = Field(default=300.0, ge=0)
    busy_retry_seconds: float = Field(default=2.0, ge=0)
    """Wait before running a job again whose tenant was busy (another process held its lease)."""
    queue_batch: int = Field(default=500, ge=1)
    """Queued records per ``process_queue`` call (the daemon's ``daemon.queue_batch``)."""
    max_queue_runs: int = Field(default=20, ge=1)
    """``process_queue`` calls per job; more due work is left to a follow-up job."""
    shutdown_grace_seconds: float = Field(default=30.0, ge=0)
    """On SIGTERM the jobs in progress get this long to reach a safe point before they are cancelled."""
    max_open_engines: int = Field(default=64, ge=1)
    """Tenant engines (API sessions, pools) a worker keeps open between jobs."""
    keep_succeeded_jobs: bool = False
    """Keep finished jobs in ``procrastinate_jobs`` (for inspection and benchmarks); deleted by default."""
    fetch_polling_seconds: float = Field(default=5.0, gt=0)
    """Fallback poll for new jobs (LISTEN/NOTIFY wakes the workers at once)."""
