"""Fetch one page of a list endpoint in any ``PaginationConfig.style``, and say how to get the next.

- ``cursor``: ``?limit=&cursor=`` → ``{"items": [...], "next_cursor": "…"|null}`` (the contract).
- ``page``: ``?page=&per_page=`` with an optional total-pages header (WooCommerce ``X-WP-TotalPages``);
  without the header, a short page ends the list.
- ``offset``: ``?offset=&limit=`` with an optional total-count header.
- ``link``: the RFC 5988 ``Link: <…>; rel="next"`` header. Credentials a shop echoes into that URL are
  stripped; the auth flow adds them again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2

from ._auth import strip_query_params
from ._config import PaginationConfig
from ._exceptions import WebshopError
from ._http import HttpClient, Safety
from ._paths import get_path

__all__ = ["PageRef", "RawPage", "fetch_page", "iterate_pages"]


@dataclass(frozen=True, slots=True)
class PageRef:
    """Where a page starts: a server cursor, a page number, an offset or a URL (link style)."""

    cursor: str | None = None
    number: int | None = None
    url: httpx2.URL | None = None


@dataclass(frozen=True, slots=True)
class RawPage:
    """One page as the shop sent it, and the reference of the next page (None at the end)."""

    items: list[dict[str, Any]]
    next: PageRef | None


def _int_header(response: httpx2.Response, name: str | None) -> int | None:
    if name is None or name not in response.headers:
        return None
    try:
        return int(response.headers[name])
    except ValueError:
        return None


async def fetch_page(
    http: HttpClient, cfg: PaginationConfig, path: str, params: Mapping[str, str], ref: PageRef | None
) -> RawPage:
    """GET one page of ``path`` with ``params``; ``ref`` None means the first page."""
    query = dict(params)
    url = None
    if cfg.style == "link" and ref is not None and ref.url is not None:
        url = strip_query_params(ref.url, http.auth.query_param_names)
        query = {}
    else:
        query[cfg.limit_param] = str(cfg.page_size)
    if cfg.style == "cursor" and ref is not None and ref.cursor:
        query[cfg.cursor_param] = ref.cursor
    number = ref.number if ref is not None and ref.number is not None else None
    if cfg.style == "page":
        number = number if number is not None else cfg.first_page
        query[cfg.page_param] = str(number)
    elif cfg.style == "offset":
        number = number or 0
        query[cfg.offset_param] = str(number)

    response = await http.request("GET", path, safety=Safety.READ, params=query or None, url=url)
    body = http.json(response)
    raw_items = get_path(body, cfg.items_path) if cfg.items_path is not None else body
    if not isinstance(raw_items, list):
        raise WebshopError(
            f"list answer without an item list at {cfg.items_path or '<body>'!r}", method="GET", path=path
        )
    items = [i for i in raw_items if isinstance(i, dict)]

    next_ref: PageRef | None = None
    if cfg.style == "cursor":
        token = get_path(body, cfg.next_cursor_path)
        next_ref = PageRef(cursor=str(token)) if token else None
    elif cfg.style == "page":
        assert number is not None
        total_pages = _int_header(response, cfg.total_pages_header)
        more = number < total_pages if total_pages is not None else len(items) >= cfg.page_size
        next_ref = PageRef(number=number + 1) if more and items else None
    elif cfg.style == "offset":
        assert number is not None
        total = _int_header(response, cfg.total_header)
        end = number + len(items)
        more = end < total if total is not None else len(items) >= cfg.page_size
        next_ref = PageRef(number=end) if more and items else None
    else:
        link = response.links.get("next", {}).get("url")
        next_ref = PageRef(url=response.url.join(link)) if link and items else None
    return RawPage(items=items, next=next_ref)


async def iterate_pages(
    http: HttpClient, cfg: PaginationConfig, path: str, params: Mapping[str, str]
) -> AsyncIterator[list[dict[str, Any]]]:
    """Every page of a list, first to last."""
    ref: PageRef | None = None
    while True:
        page = await fetch_page(http, cfg, path, params, ref)
        yield page.items
        if page.next is None:
            return
        ref = page.next
