"""``SharedRateLimiter``: one tenant's Tripletex allowance, shared by every process, kept in PostgreSQL.

Tripletex counts requests per account in fixed periods and answers 429 to everything once the
allowance is used. Each worker paces itself by the response headers (the Tripletex client's pacer),
but several workers on one account would each believe they have the whole allowance. So every wire
request of a tenant first takes a grant here: a sliding window in ``tripletex_rate_windows`` holds the
times of the grants of the last ``period`` seconds, and a request may go only while fewer than
``limit`` are in it. "At most ``limit`` in *any* ``period``" also keeps every fixed period the server
may count in under the limit, whatever its phase.

The window row is read ``FOR UPDATE`` and rewritten in one short transaction, with the database's
clock (``clock_timestamp()``), so grants from any number of processes and machines are serialised and
compared on one clock. A request that does not fit sleeps until the oldest grant leaves the window.
Cost: one round trip of two statements per Tripletex request (≈1 ms on a LAN), far below Tripletex's
own rates. Plugged into ``TripletexClient(limiter=…)``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import psycopg_pool
from psycopg.types.json import Jsonb

from shopsync.tenants import RateLimit

__all__ = ["SharedRateLimiter"]

_ENSURE = """
INSERT INTO tripletex_rate_windows (tenant, grants, updated_at)
VALUES (%s, '[]'::jsonb, clock_timestamp()) ON CONFLICT (tenant) DO NOTHING
"""
_READ = """
SELECT grants, extract(epoch FROM clock_timestamp())::float8
FROM tripletex_rate_windows WHERE tenant = %s FOR UPDATE
"""
_WRITE = "UPDATE tripletex_rate_windows SET grants = %s, updated_at = clock_timestamp() WHERE tenant = %s"
#: Never sleep less than this between tries (the window's own arithmetic can round to zero).
_MIN_SLEEP = 0.005


class SharedRateLimiter:
    """``await limiter()`` returns once one more Tripletex request of ``tenant`` fits in ``limit``."""

    def __init__(
        self,
        pool: psycopg_pool.AsyncConnectionPool,
        tenant: str,
        limit: RateLimit,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._pool = pool
        self.tenant = tenant
        self.limit = limit
        self._sleep = sleep
        #: Requests granted by this instance.
        self.granted = 0
        #: Seconds this instance's requests spent waiting for the window.
        self.waited = 0.0

    def __repr__(self) -> str:
        return f"SharedRateLimiter(tenant={self.tenant!r}, limit={self.limit})"

    async def __call__(self) -> None:
        """Wait for a grant (see the module docstring)."""
        while (wait := await self._try()) > 0:
            wait = max(wait, _MIN_SLEEP)
            self.waited += wait
            await self._sleep(wait)
        self.granted += 1

    async def _try(self) -> float:
        """Take a grant now (0.0), or the seconds until one may be free."""
        async with self._pool.connection() as conn, conn.transaction():
            row = await (await conn.execute(_READ, (self.tenant,))).fetchone()
            if row is None:
                # First request of this tenant, or its row went with a ``tenants remove``.
                await conn.execute(_ENSURE, (self.tenant,))
                row = await (await conn.execute(_READ, (self.tenant,))).fetchone()
                assert row is not None
            grants, now = row[0], float(row[1])
            start = now - self.limit.period
            recent = sorted(float(g) for g in grants if float(g) > start)
            if len(recent) < self.limit.limit:
                recent.append(now)
                await conn.execute(_WRITE, (Jsonb(recent), self.tenant))
                return 0.0
            # The grant that must leave the window before one more fits.
            return recent[len(recent) - self.limit.limit] - start
