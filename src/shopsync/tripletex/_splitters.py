"""Split a list query that Tripletex refuses as too large (422 code 23000) into smaller ones.

Tripletex loads every match before paging, so a query over 10,000 rows fails whatever ``count`` is,
and must be narrowed with the endpoint's own filters. A ``Splitter`` turns one query into sub-queries
that together cover the same rows. They come from an async generator which, after each sub-query,
is sent the number of rows it had, so a scan knows when it has passed the end of the data. Each
sub-query is itself split again if still too large.

* ``DateWindowSplitter`` halves a ``[from, to)`` date window (``GET /order``).
* ``RangeBisectSplitter`` bisects a numeric ``From``/``To`` range, open ends included (product prices).
* ``IdBlockSplitter`` lists the ids between the lowest and highest id, found with two one-row probes
  (``sorting=id`` / ``-id``, ``fields=id``), in blocks through a "List of IDs" filter. Where the probes
  are refused too (real Tripletex counts all matches first), its ``fallback`` splits instead.
* ``SequenceScanSplitter`` walks a dense numbering (customer numbers start at 10001 in every account)
  in blocks from ``start``, and stops after ``empty_blocks_to_stop`` empty blocks in a row once more
  rows than the limit were found (the refused query had more than that).
* ``FirstOf`` uses the first splitter able to split (orders: date window, then id blocks).

A sub-query that already restricts the splitter's list parameter has that list halved instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ._exceptions import ResultSetTooLarge
from ._paging import FetchPage, Parts, Query, Splitter

__all__ = [
    "RESULT_LIMIT",
    "DateWindowSplitter",
    "FirstOf",
    "IdBlockSplitter",
    "RangeBisectSplitter",
    "SequenceScanSplitter",
]

#: Tripletex refuses list queries matching more rows than this.
RESULT_LIMIT = 10_000


async def _each(parts: Sequence[Query]) -> Parts:
    for part in parts:
        yield part


def _halve(query: Query, param: str) -> Parts | None:
    """Split a query's own list filter in two; None for a list of one."""
    value = query[param]
    items = [part for part in (value if isinstance(value, list) else value.split(",")) if part]
    if len(items) <= 1:
        return None
    half = len(items) // 2
    return _each([{**query, param: ",".join(items[:half])}, {**query, param: ",".join(items[half:])}])


def _block(query: Query, param: str, start: int, stop: int) -> Query:
    return {**query, param: ",".join(str(i) for i in range(start, stop))}


@dataclass(frozen=True)
class DateWindowSplitter:
    """Halves a ``[from, to)`` window of ISO dates; a single day cannot be split."""

    from_param: str
    to_param: str

    def split(self, query: Query, fetch: FetchPage) -> Parts | None:
        start = dt.date.fromisoformat(str(query[self.from_param]))
        end = dt.date.fromisoformat(str(query[self.to_param]))
        days = (end - start).days
        if days <= 1:
            return None
        middle = (start + dt.timedelta(days=days // 2)).isoformat()
        return _each([{**query, self.to_param: middle}, {**query, self.from_param: middle}])


@dataclass(frozen=True)
class RangeBisectSplitter:
    """Bisects a numeric ``[from, to)`` filter range; an open end grows by ``step`` or doubles."""

    from_param: str
    to_param: str
    step: Decimal = Decimal(1000)
    resolution: Decimal = Decimal("0.01")

    def split(self, query: Query, fetch: FetchPage) -> Parts | None:
        low = Decimal(str(query[self.from_param])) if self.from_param in query else None
        high = Decimal(str(query[self.to_param])) if self.to_param in query else None
        if low is None and high is None:
            middle = self.step
        elif low is None:
            assert high is not None
            middle = Decimal(0) if high > 0 else high - max(self.step, abs(high))
        elif high is None:
            middle = low + max(self.step, abs(low))
        elif high - low <= self.resolution:
            return None
        else:
            middle = ((low + high) / 2).quantize(self.resolution)
        text = format(middle, "f")
        return _each([{**query, self.to_param: text}, {**query, self.from_param: text}])


@dataclass(frozen=True)
class IdBlockSplitter:
    """Lists the ids between the probed lowest and highest id in blocks through ``param``."""

    param: str
    block_size: int
    fallback: Splitter | None = None

    def split(self, query: Query, fetch: FetchPage) -> Parts | None:
        if self.param in query:
            return _halve(query, self.param)
        return self._blocks(query, fetch)

    async def _blocks(self, query: Query, fetch: FetchPage) -> Parts:
        try:
            low, high = await self._edge(query, fetch, "id"), await self._edge(query, fetch, "-id")
        except ResultSetTooLarge:
            # The probes match as many rows as the query itself: the server counts before paging.
            parts = self.fallback.split(query, fetch) if self.fallback else None
            if parts is None:
                raise
            try:  # re-yield the fallback's parts, passing the row counts through
                part = await anext(parts)
                while True:
                    rows = yield part
                    part = await parts.asend(rows)
            except StopAsyncIteration:
                return
            finally:
                await parts.aclose()
        if low is None or high is None:
            return
        for start in range(low, high + 1, self.block_size):
            yield _block(query, self.param, start, min(start + self.block_size, high + 1))

    @staticmethod
    async def _edge(query: Query, fetch: FetchPage, sorting: str) -> int | None:
        page = await fetch({**query, "sorting": sorting, "fields": "id"}, 0, 1)
        value = page.values[0].get("id") if page.values else None
        return value if isinstance(value, int) else None


@dataclass(frozen=True)
class SequenceScanSplitter:
    """Walks a dense numbering in blocks of ``block_size`` listed numbers through ``param``."""

    param: str
    block_size: int
    start: int = 1
    limit: int = RESULT_LIMIT
    empty_blocks_to_stop: int = 8
    max_empty_blocks: int = 200

    def split(self, query: Query, fetch: FetchPage) -> Parts | None:
        if self.param in query:
            return _halve(query, self.param)
        return self._scan(query)

    async def _scan(self, query: Query) -> Parts:
        start, found, empty_run = self.start, 0, 0
        while True:
            rows = yield _block(query, self.param, start, start + self.block_size)
            found += rows
            empty_run = 0 if rows else empty_run + 1
            start += self.block_size
            if found > self.limit and empty_run >= self.empty_blocks_to_stop:
                return
            if empty_run >= self.max_empty_blocks:
                where = f"{self.param} from {self.start}"
                raise ResultSetTooLarge(f"scanning {where} found only {found} of more than {self.limit} rows")


@dataclass(frozen=True)
class FirstOf:
    """Uses the first splitter able to split the query."""

    splitters: tuple[Splitter, ...]

    def split(self, query: Query, fetch: FetchPage) -> Parts | None:
        for splitter in self.splitters:
            parts = splitter.split(query, fetch)
            if parts is not None:
                return parts
        return None
