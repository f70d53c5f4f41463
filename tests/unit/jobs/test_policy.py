"""Lock names, lease keys and the retry policy of the jobs."""

from __future__ import annotations

import datetime as dt

import pytest
from procrastinate.jobs import Job

from shopsync.engine import AlreadySettled, SyncStepFailed, UnknownItem
from shopsync.jobs import JobInterrupted, JobSettings, TenantBusy
from shopsync.jobs.locks import advisory_key, queueing_lock, tenant_lock
from shopsync.jobs.retry import JobRetry
from shopsync.tenants import SecretKeyError, TenantPaused


def _job(attempts: int) -> Job:
    return Job(
        id=1, queue="shopsync", lock=None, queueing_lock=None, task_name="shopsync.poll", attempts=attempts
    )


def test_lock_names_are_per_tenant_and_kind() -> None:
    """Every engine job of a tenant shares one lock; queueing locks are per kind and tenant."""
    assert tenant_lock("shop-1") == "shopsync:tenant:shop-1"
    assert queueing_lock("poll", "shop-1") == "shopsync:poll:shop-1"
    assert queueing_lock("fan_out_polls") == "shopsync:fan_out_polls"


def test_lease_keys_are_stable_distinct_signed_64_bit() -> None:
    """The same tenant gets the same key in every process; different tenants different keys."""
    keys = {advisory_key(f"shop-{i}") for i in range(1000)}
    assert len(keys) == 1000
    assert advisory_key("shop-1") == advisory_key("shop-1")
    assert all(-(2**63) <= key < 2**63 for key in keys)


@pytest.mark.parametrize(
    "error", [UnknownItem("conflict", 3), AlreadySettled("conflict", 3, "resolved"), TenantPaused("x"),
              SecretKeyError("wrong key")],
)  # fmt: skip
def test_what_a_retry_cannot_fix_is_never_retried(error: Exception) -> None:
    """Decisions that cannot be taken, paused tenants and bad keys fail at once."""
    assert JobRetry(JobSettings()).get_retry_decision(exception=error, job=_job(0)) is None


def test_a_busy_tenant_or_a_shutdown_is_retried_shortly_whatever_the_attempts() -> None:
    """Both end by themselves, so they never use up the attempts."""
    policy = JobRetry(JobSettings(busy_retry_seconds=0.5, retry_attempts=2))
    for error in (TenantBusy("x"), JobInterrupted("x", "poll")):
        decision = policy.get_retry_decision(exception=error, job=_job(50))
        assert decision is not None and decision.retry_at is not None
        assert decision.retry_at - dt.datetime.now(dt.UTC) < dt.timedelta(seconds=1)


def test_other_failures_back_off_doubling_up_to_the_attempts() -> None:
    """A system that stays down: 5 s, 10 s, 20 s … then the job fails."""
    policy = JobRetry(JobSettings(retry_attempts=3, retry_wait_seconds=5, retry_wait_max_seconds=12))
    error = SyncStepFailed("detect", "customer")
    waits = []
    for attempts in range(3):
        decision = policy.get_retry_decision(exception=error, job=_job(attempts))
        assert decision is not None and decision.retry_at is not None
        waits.append(round((decision.retry_at - dt.datetime.now(dt.UTC)).total_seconds()))
    assert waits == [5, 10, 12]
    assert policy.get_retry_decision(exception=error, job=_job(3)) is None
