"""``ensure_schema``: procrastinate's tables in the queue database, created on first use.

Every ``shopsync worker`` and ``shopsync run --queue`` calls it at start-up. Under a transaction-level
advisory lock, so several processes starting at once create the schema once; an existing schema is
left as it is (upgrading procrastinate later means applying its migrations, see docs/scaling.md).
"""

from __future__ import annotations

import procrastinate
from procrastinate.schema import SchemaManager

__all__ = ["ensure_schema"]

#: "procrast" in ASCII: serialises concurrent schema creation.
_LOCK_KEY = 0x70726F6372617374


async def ensure_schema(app: procrastinate.App) -> bool:
    """Create procrastinate's schema if the queue database has none; True if it was created."""
    connector = app.connector
    assert isinstance(connector, procrastinate.PsycopgConnector)
    async with connector.pool.connection() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        row = await (await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).fetchone()
        if row is not None and row[0]:
            return False
        await conn.execute(SchemaManager.get_schema())
        return True
