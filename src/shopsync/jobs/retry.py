"""``JobRetry``: which failed jobs procrastinate runs again, and when.

* a busy tenant (``TenantBusy``) or a shutdown (``JobInterrupted``): again shortly, without limit —
  both end by themselves;
* a decision that cannot be taken, an unknown or paused tenant, a bad config or secret key: never —
  running it again gives the same answer (the job fails and stays in ``procrastinate_jobs``);
* anything else (a system unreachable after the clients' own retries, the database gone): up to
  ``retry_attempts`` times, waiting ``retry_wait_seconds`` doubled per attempt. The engine's journal
  makes a retry of a half-done call harmless.
"""

from __future__ import annotations

from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.jobs import Job

from shopsync.config import ConfigError
from shopsync.engine import AlreadySettled, InvalidDecision, UnknownItem
from shopsync.tenants import TenantError

from .errors import JobInterrupted, QueueURLError, TenantBusy
from .settings import JobSettings

__all__ = ["TERMINAL", "JobRetry"]

#: Failures a retry cannot fix.
TERMINAL: tuple[type[BaseException], ...] = (
    UnknownItem,
    AlreadySettled,
    InvalidDecision,
    TenantError,
    ConfigError,
    QueueURLError,
)


class JobRetry(BaseRetryStrategy):
    """The retry policy of every shopsync task (see the module docstring)."""

    def __init__(self, settings: JobSettings) -> None:
        self._settings = settings

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        """When to run ``job`` again after ``exception``; None: never."""
        s = self._settings
        if isinstance(exception, TenantBusy | JobInterrupted):
            return _after(s.busy_retry_seconds)
        if isinstance(exception, TERMINAL) or job.attempts >= s.retry_attempts:
            return None
        wait = min(s.retry_wait_seconds * 2**job.attempts, s.retry_wait_max_seconds)
        return _after(wait)


def _after(seconds: float) -> RetryDecision:
    return RetryDecision(retry_in={"milliseconds": round(seconds * 1000)})
