"""Each pagination style reads every item once and stops at the end."""

from __future__ import annotations

import httpx2

from shopsync.connectors.webshop import WebshopAPIConfig
from shopsync.connectors.webshop._http import HttpClient
from shopsync.connectors.webshop._paging import iterate_pages

from .conftest import BASE, FakeShop, contract_config

ITEMS = [{"id": str(i)} for i in range(1, 8)]  # 7 items, pages of 3


async def collect(config: WebshopAPIConfig, shop: FakeShop) -> list[str]:
    http = HttpClient(config, transport=httpx2.MockTransport(shop))
    try:
        return [
            item["id"]
            async for page in iterate_pages(http, config.pagination, "/items", {"q": "1"})
            for item in page
        ]
    finally:
        await http.aclose()


async def test_cursor_style_follows_next_cursor_until_null() -> None:
    """The contract: ``limit`` and ``cursor`` in, ``items`` and ``next_cursor`` out."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        start = int(request.url.params.get("cursor", "0"))
        size = int(request.url.params["limit"])
        end = start + size
        return httpx2.Response(
            200, json={"items": ITEMS[start:end], "next_cursor": str(end) if end < len(ITEMS) else None}
        )

    shop = FakeShop(handler)
    assert await collect(contract_config(pagination={"page_size": 3}), shop) == [i["id"] for i in ITEMS]
    assert [r.url.params.get("cursor") for r in shop.requests] == [None, "3", "6"]
    assert all(r.url.params["q"] == "1" for r in shop.requests)


def page_handler(total_header: bool) -> FakeShop:
    def handler(request: httpx2.Request) -> httpx2.Response:
        page, per_page = int(request.url.params["page"]), int(request.url.params["per_page"])
        chunk = ITEMS[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-TotalPages": str(-(-len(ITEMS) // per_page))} if total_header else {}
        return httpx2.Response(200, json=chunk, headers=headers)

    return FakeShop(handler)


def page_config(**extra: object) -> WebshopAPIConfig:
    pagination = {"style": "page", "page_size": 3, "limit_param": "per_page", "items_path": None, **extra}
    return contract_config(pagination=pagination)


async def test_page_style_stops_at_the_total_pages_header() -> None:
    """With ``X-WP-TotalPages`` the last page is known: no request past the end."""
    shop = page_handler(total_header=True)
    assert await collect(page_config(total_pages_header="X-WP-TotalPages"), shop) == [i["id"] for i in ITEMS]
    assert [r.url.params["page"] for r in shop.requests] == ["1", "2", "3"]


async def test_page_style_without_a_total_stops_at_a_short_page() -> None:
    """Without a total header a page shorter than ``per_page`` ends the list."""
    shop = page_handler(total_header=False)
    assert len(await collect(page_config(), shop)) == len(ITEMS)
    assert len(shop.requests) == 3


async def test_offset_style_with_and_without_a_total_header() -> None:
    """``offset``/``limit`` advance by what was received; without a total an empty probe ends the list."""

    def make(items: list[dict[str, str]], with_total: bool) -> FakeShop:
        def handler(request: httpx2.Request) -> httpx2.Response:
            offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
            headers = {"X-Total-Count": str(len(items))} if with_total else {}
            return httpx2.Response(200, json={"data": items[offset : offset + limit]}, headers=headers)

        return FakeShop(handler)

    pagination = {"style": "offset", "page_size": 3, "items_path": "data", "total_header": "X-Total-Count"}
    config = contract_config(pagination=pagination)
    counted = make(ITEMS, with_total=True)
    assert await collect(config, counted) == [i["id"] for i in ITEMS]
    assert [r.url.params["offset"] for r in counted.requests] == ["0", "3", "6"]
    six = ITEMS[:6]
    probing = make(six, with_total=False)
    assert await collect(config, probing) == [i["id"] for i in six]
    assert [r.url.params["offset"] for r in probing.requests] == ["0", "3", "6"]


async def test_link_style_follows_rel_next_without_duplicating_echoed_credentials() -> None:
    """The next URL comes from the Link header; query credentials the shop echoed there are not doubled."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        page = int(request.url.params.get("page", "1"))
        chunk = ITEMS[(page - 1) * 3 : page * 3]
        headers = {}
        if page * 3 < len(ITEMS):
            following = f"{BASE}/items?page={page + 1}&api_key=abc-s3cret-key&q=1"
            headers["Link"] = f'<{following}>; rel="next", <{BASE}/items>; rel="first"'
        return httpx2.Response(200, json=chunk, headers=headers)

    shop = FakeShop(handler)
    config = contract_config(
        pagination={"style": "link", "page_size": 3, "items_path": None},
        auth={"style": "query", "query_params": {"api_key": "abc-s3cret-key"}},
    )
    assert await collect(config, shop) == [i["id"] for i in ITEMS]
    assert [r.url.params.get_list("api_key") for r in shop.requests] == [["abc-s3cret-key"]] * 3
    assert [r.url.params.get("page") for r in shop.requests] == [None, "2", "3"]
