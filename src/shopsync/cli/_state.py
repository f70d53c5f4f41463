"""What the item commands (links, conflicts, dead letters, reviews) share: reading the state store,
and running one engine call for a decision (resolve, replay, plan).

A SQLite state file that does not exist yet is read as empty: listing never creates a database.
Decisions run the engine in this process; ``shopsync run`` may be running at the same time, which is
safe (writes carry versions and go through the journal) but the daemon's status page is the place
where decisions are serialised with its own work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from shopsync.config import ShopsyncConfig
    from shopsync.engine import SyncEngine
    from shopsync.state import StateStore

__all__ = ["decide", "open_store", "read_rows", "with_engine"]

T = TypeVar("T")


def _sqlite_missing(config: ShopsyncConfig) -> bool:
    from shopsync.state import state_url

    url = state_url(config.state)
    return (
        url.drivername.startswith("sqlite") and bool(url.database) and not Path(url.database or "").exists()
    )


@contextmanager
def open_store(config: ShopsyncConfig) -> Iterator[StateStore | None]:
    """The state store of ``config``; None when its SQLite file does not exist yet (nothing synced)."""
    from shopsync.state import StateStore

    if _sqlite_missing(config):
        yield None
        return
    with StateStore.open(config.state, config.tenant) as store:
        yield store


def read_rows(config: ShopsyncConfig, read: Callable[[StateStore], list[Any]]) -> list[dict[str, Any]]:
    """What ``read`` lists from the state store of ``config`` as JSON-ready rows (none when nothing
    was synced yet); a store that cannot be read exits through ``fail_from``."""
    from shopsync.cli._common import fail_from
    from shopsync.cli._output import as_rows

    try:
        with open_store(config) as store:
            items = [] if store is None else read(store)
    except Exception as exc:
        fail_from(exc)
    return as_rows(items)


def with_engine(config: ShopsyncConfig, work: Callable[[SyncEngine], Awaitable[T]]) -> T:
    """Build the engine for ``config``, run ``work(engine)`` and close everything again."""
    from shopsync.engine.factory import build_engine

    async def run() -> T:
        async with build_engine(config) as engine:
            return await work(engine)

    return asyncio.run(run())


def decide(config: ShopsyncConfig, work: Callable[[SyncEngine], Awaitable[T]]) -> T:
    """``with_engine`` for a decision: an unknown, settled or impossible choice exits 2 with its one
    line; configuration and connection errors exit 2, anything else 3 (``fail_from``)."""
    from shopsync.cli._common import fail, fail_from
    from shopsync.engine.errors import AlreadySettled, InvalidDecision, UnknownItem

    try:
        return with_engine(config, work)
    except (UnknownItem, AlreadySettled, InvalidDecision) as exc:
        fail(str(exc))
    except Exception as exc:
        fail_from(exc)
