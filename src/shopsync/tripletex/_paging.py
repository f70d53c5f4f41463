"""Walk every page of a list query, splitting it where Tripletex finds it too large.

Pages are read with ``from``/``count`` until ``fullResultSize`` rows were read (so a server that caps
``count`` lower than asked is not mistaken for the end), or, without it, until a short page. On 422
code 23000 the endpoint's splitter (``_splitters``) supplies sub-queries, each walked (and split
again) in turn and its row count sent back to the splitter. Rows are de-duplicated by ``id`` across pages and
sub-queries, so a set that grows past the limit mid-walk is split without yielding rows twice.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from ._exceptions import ResultSetTooLarge

__all__ = ["FetchPage", "Page", "Parts", "Query", "Splitter", "iterate_all"]

T = TypeVar("T")
#: Encoded query parameters of a list call, without ``from``/``count`` (lists: repeated parameters).
Query = dict[str, str | list[str]]
#: Sub-queries of a split; after each one the walker sends in how many rows it had.
Parts = AsyncGenerator[Query, int]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list answer (``ListResponse*``)."""

    values: list[T]
    from_: int
    count: int
    full_result_size: int | None = None
    version_digest: str | None = None
    not_modified: bool = False
    """True when the server answered 304 to ``If-None-Match`` and ``values`` come from the cache."""


#: Fetches the page of ``query`` starting at ``from`` with at most ``count`` rows.
FetchPage = Callable[[Query, int, int], Awaitable[Page[dict[str, Any]]]]


class Splitter(Protocol):
    """Splits a query that is too large into smaller ones covering the same rows (see ``_splitters``)."""

    def split(self, query: Query, fetch: FetchPage) -> Parts | None:
        """The sub-queries, or None when this splitter cannot split this query."""


async def iterate_all(
    fetch: FetchPage, query: Query, *, page_size: int, splitter: Splitter | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Every row of ``query``, page by page, splitting it when Tripletex says it is too large."""
    seen: set[int] = set()
    async for row in _walk(fetch, query, page_size, splitter, seen, [0]):
        yield row


async def _walk(
    fetch: FetchPage,
    query: Query,
    page_size: int,
    splitter: Splitter | None,
    seen: set[int],
    counter: list[int],
) -> AsyncIterator[dict[str, Any]]:
    """Rows of ``query``; ``counter[0]`` counts every row received, duplicates included."""
    try:
        async for row in _pages(fetch, query, page_size):
            counter[0] += 1
            key = row.get("id")
            if isinstance(key, int):
                if key in seen:
                    continue
                seen.add(key)
            yield row
    except ResultSetTooLarge:
        parts = splitter.split(query, fetch) if splitter else None
        if parts is None:
            raise
        try:
            part = await anext(parts)
            while True:
                sub_counter = [0]
                async for row in _walk(fetch, part, page_size, splitter, seen, sub_counter):
                    yield row
                counter[0] += sub_counter[0]
                part = await parts.asend(sub_counter[0])
        except StopAsyncIteration:
            return
        finally:
            await parts.aclose()


async def _pages(fetch: FetchPage, query: Query, page_size: int) -> AsyncIterator[dict[str, Any]]:
    start = 0
    while True:
        page = await fetch(query, start, page_size)
        for row in page.values:
            yield row
        got = len(page.values)
        start += got
        if got == 0 or (page.full_result_size is not None and start >= page.full_result_size):
            return
        if got < page_size and page.full_result_size is None:
            return
