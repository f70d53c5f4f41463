"""The app's tasks and the deferrer, on procrastinate's in-memory connector."""

from __future__ import annotations

import pytest
from procrastinate.testing import InMemoryConnector

from shopsync.jobs import TASK, JobDeferrer, JobSettings, QueueURLError, build_app
from shopsync.jobs.connection import conninfo


@pytest.fixture
def connector() -> InMemoryConnector:
    """procrastinate's own fake database."""
    return InMemoryConnector()


@pytest.fixture
def deferrer(connector: InMemoryConnector) -> JobDeferrer:
    """A deferrer on an app whose connector is the in-memory one."""
    app = build_app("postgresql://u@h/db", JobSettings(poll_cron="* * * * * */5"))
    app.connector = connector
    app.job_manager.connector = connector
    return JobDeferrer(app)


def test_every_task_and_schedule_is_registered() -> None:
    """All task names, with the periodic ones on the configured crons."""
    app = build_app("postgresql://u@h/db", JobSettings(poll_cron="* * * * * */5"))
    assert set(TASK.values()) <= set(app.tasks)
    crons = {p.periodic_id: p.cron for p in app.periodic_registry.periodic_tasks.values()}
    assert crons == {
        "fan_out_polls": "* * * * * */5",
        "fan_out_reconciles": "0 */6 * * *",
        "recover_stalled": "* * * * * */15",
    }


async def test_engine_jobs_carry_the_tenant_lock_and_collapse_while_waiting(
    deferrer: JobDeferrer, connector: InMemoryConnector
) -> None:
    """A second poll of a waiting tenant is absorbed; another tenant's is not; decisions never are."""
    first = await deferrer.poll("shop-1")
    assert first is not None
    assert await deferrer.poll("shop-1") is None
    assert await deferrer.poll("shop-2") is not None
    assert await deferrer.replay("shop-1", [4]) is not None
    assert await deferrer.replay("shop-1", [4]) is not None
    job = connector.jobs[first]
    assert (job["lock"], job["queueing_lock"], job["queue_name"]) == (
        "shopsync:tenant:shop-1",
        "shopsync:poll:shop-1",
        "shopsync",
    )
    assert job["args"] == {"tenant": "shop-1"}
    webhook = connector.jobs[await deferrer.process_work("shop-1") or 0]
    assert webhook["priority"] > job["priority"]  # webhook work goes before a waiting poll


def test_the_queue_must_be_postgresql() -> None:
    """SQLite and other URLs are refused with the reason; PostgreSQL spellings are normalised."""
    assert conninfo("postgresql+psycopg://u:p@h:5/db") == "postgresql://u:p@h:5/db"
    assert conninfo("postgres://u@h/db") == "postgresql://u@h/db"
    with pytest.raises(QueueURLError, match="must be PostgreSQL"):
        conninfo("state.sqlite")
    with pytest.raises(QueueURLError, match="must be PostgreSQL"):
        conninfo("sqlite:///x.db")
