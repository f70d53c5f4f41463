"""Paging through every page and splitting queries Tripletex answers with 422 code 23000."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import httpx2
import pytest

from shopsync.tripletex import ResultSetTooLarge, TripletexClient
from shopsync.tripletex._paging import Page, Query
from shopsync.tripletex._splitters import RangeBisectSplitter

from .conftest import FakeApi, error, values

Build = Callable[..., tuple[TripletexClient, FakeApi]]
LIMIT = 10_000


def table(
    rows: list[dict[str, object]], *, cap: int | None = None, lenient: bool = False, limit: int = LIMIT
) -> Callable[[httpx2.Request], httpx2.Response]:
    """A list endpoint over ``rows``: from/count/sorting, the list and range filters, the 10,000 limit.

    Like real Tripletex it counts every match before paging, so even ``count=1`` fails over the limit;
    a ``lenient`` server exempts such one-row probes.
    """

    def handler(request: httpx2.Request) -> httpx2.Response:
        params = request.url.params
        matching = list(rows)
        for key, prop in (("id", "id"), ("ids", "id"), ("customerAccountNumber", "customerNumber")):
            if key in params:
                wanted = {int(i) for i in params[key].split(",")}
                matching = [r for r in matching if r.get(prop) in wanted]
        if "orderDateFrom" in params:
            matching = [
                r for r in matching if params["orderDateFrom"] <= str(r["orderDate"]) < params["orderDateTo"]
            ]
        if "priceExcludingVatCurrencyFrom" in params:
            low = Decimal(params["priceExcludingVatCurrencyFrom"])
            matching = [r for r in matching if Decimal(str(r["price"])) >= low]
        if "priceExcludingVatCurrencyTo" in params:
            high = Decimal(params["priceExcludingVatCurrencyTo"])
            matching = [r for r in matching if Decimal(str(r["price"])) < high]
        if len(matching) > limit and not (lenient and params.get("count") == "1"):
            return error(422, 23000, "Result set too large. Limit of 10.000 reached.")
        matching.sort(key=lambda r: int(str(r["id"])), reverse=params.get("sorting") == "-id")
        start, count = int(params.get("from", "0")), int(params.get("count", "1000"))
        count = min(count, cap) if cap else count
        page = matching[start : start + count]
        if params.get("fields") == "id":
            page = [{"id": r["id"]} for r in page]
        return values(page, start=start, full=len(matching))

    return handler


async def test_iterates_all_pages(make_client: Build) -> None:
    """2,500 rows in pages of 1,000 come back complete, in three GETs."""
    client, api = make_client(table([{"id": i} for i in range(1, 2501)]))
    ids = [c.id async for c in client.customers.iterate(fields="id,version")]
    assert ids == list(range(1, 2501))
    froms = [r.url.params["from"] for r in api.requests]
    assert froms == ["0", "1000", "2000"]
    assert all(r.url.params["sorting"] == "id" for r in api.requests)


async def test_exact_multiple_needs_no_extra_request(make_client: Build) -> None:
    """When fullResultSize says the last full page was the end, no empty page is fetched."""
    client, api = make_client(table([{"id": i} for i in range(1, 201)]))
    ids = [c.id async for c in client.customers.iterate(page_size=100)]
    assert len(ids) == 200
    assert len(api.requests) == 2


async def test_without_full_result_size_a_short_page_ends_the_walk(make_client: Build) -> None:
    """A server that omits fullResultSize is paged until a short page."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        start = int(request.url.params["from"])
        rows = [{"id": i} for i in range(start + 1, min(start + 100, 250) + 1)]
        return httpx2.Response(200, json={"from": start, "count": len(rows), "values": rows})

    client, api = make_client(handler)
    ids = [c.id async for c in client.customers.iterate(page_size=100)]
    assert ids == list(range(1, 251)) and len(api.requests) == 3


async def test_server_capping_count_is_not_mistaken_for_the_end(make_client: Build) -> None:
    """A server returning fewer rows than asked, with more left, is paged on."""
    client, _ = make_client(table([{"id": i} for i in range(1, 251)], cap=100))
    ids = [c.id async for c in client.customers.iterate(page_size=1000)]
    assert ids == list(range(1, 251))


async def test_id_blocks_when_the_server_allows_probes(make_client: Build) -> None:
    """10,500 customers on a lenient server: the id range is probed and listed in id blocks, once each."""
    rows: list[dict[str, object]] = [{"id": i} for i in range(1, 10_501)]
    client, api = make_client(table(rows, lenient=True), id_block_size=2000)
    ids = [c.id or 0 async for c in client.customers.iterate()]
    assert ids == list(range(1, 10_501))
    probes = [r.url.params for r in api.requests if r.url.params.get("count") == "1"]
    assert [p["sorting"] for p in probes] == ["id", "-id"]
    assert all(p["fields"] == "id" for p in probes)
    blocks = {r.url.params["id"] for r in api.requests if "id" in r.url.params}
    assert len(blocks) == 6  # 1..2000, …, 10001..10500


async def test_customers_fall_back_to_customer_number_blocks(make_client: Build) -> None:
    """Where even the id probes are refused, customers are scanned by customer number from 1."""
    base = 108_000_001
    rows: list[dict[str, object]] = [{"id": base + i, "customerNumber": 10_001 + i} for i in range(10_500)]
    client, api = make_client(table(rows), id_block_size=1000)
    ids = [c.id or 0 async for c in client.customers.iterate()]
    assert sorted(ids) == [base + i for i in range(10_500)] and len(ids) == len(set(ids))
    scanned = [
        r.url.params["customerAccountNumber"] for r in api.requests if "customerAccountNumber" in r.url.params
    ]
    assert scanned[0].startswith("1,2,3")
    assert len(scanned) == 10 + 11 + 8  # empty 1..10000, data 10001..21000, then eight empty blocks


async def test_customer_scan_that_never_finds_the_rows_fails_loudly(make_client: Build) -> None:
    """If the number scan cannot account for the rows, it raises instead of silently returning a part."""
    rows: list[dict[str, object]] = [{"id": i, "customerNumber": None} for i in range(1, 102)]
    client, _ = make_client(table(rows, limit=100), id_block_size=10)
    with pytest.raises(ResultSetTooLarge):
        async for _ in client.customers.iterate():
            pass


async def test_products_split_through_the_ids_filter(make_client: Build) -> None:
    """Products use their ``ids`` list filter for the blocks where probes are allowed."""
    rows: list[dict[str, object]] = [{"id": i} for i in range(1, 10_002)]
    client, api = make_client(table(rows, lenient=True), id_block_size=5000)
    count = len([p async for p in client.products.iterate()])
    assert count == 10_001
    assert any("ids" in r.url.params for r in api.requests)


async def test_products_fall_back_to_price_ranges(make_client: Build) -> None:
    """Where probes are refused, products are split by bisecting the price range."""
    rows: list[dict[str, object]] = [{"id": i, "price": (i * 7) % 3000} for i in range(1, 10_502)]
    client, api = make_client(table(rows))
    ids = [p.id or 0 async for p in client.products.iterate()]
    assert sorted(ids) == list(range(1, 10_502))
    assert any("priceExcludingVatCurrencyTo" in r.url.params for r in api.requests)


async def test_a_filtered_id_list_is_halved(make_client: Build) -> None:
    """A query that already lists too many ids is split into two halves of the list."""
    client, api = make_client(table([{"id": i} for i in range(1, 301)], limit=100))
    ids = [c.id or 0 async for c in client.customers.iterate(id=list(range(1, 251)))]
    assert sorted(ids) == list(range(1, 251))
    assert not any(r.url.params.get("count") == "1" for r in api.requests)  # no probing needed


async def test_orders_over_the_limit_are_split_by_date_window(make_client: Build) -> None:
    """10,500 orders in one window are fetched by halving the window, every order once."""
    day0 = dt.date(2026, 1, 1)
    rows: list[dict[str, object]] = [
        {"id": i, "orderDate": (day0 + dt.timedelta(days=i % 60)).isoformat()} for i in range(1, 10_501)
    ]
    client, api = make_client(table(rows))
    orders = [o async for o in client.orders.iterate(order_date_from=day0, order_date_to=dt.date(2026, 3, 2))]
    assert sorted(o.id or 0 for o in orders) == list(range(1, 10_501))
    windows = {(r.url.params["orderDateFrom"], r.url.params["orderDateTo"]) for r in api.requests}
    assert ("2026-01-01", "2026-01-31") in windows and ("2026-01-31", "2026-03-02") in windows


async def test_unsplittable_query_raises(make_client: Build) -> None:
    """One day with more than 10,000 orders cannot be split further: ResultSetTooLarge."""
    rows: list[dict[str, object]] = [{"id": i, "orderDate": "2026-01-01"} for i in range(1, 10_002)]
    client, _ = make_client(table(rows))
    with pytest.raises(ResultSetTooLarge):
        async for _ in client.orders.iterate(order_date_from="2026-01-01", order_date_to="2026-01-02"):
            pass


async def test_growth_past_the_limit_mid_walk_yields_no_duplicates(make_client: Build) -> None:
    """If the set passes 10,000 rows after page one, the split skips rows already yielded."""
    rows: list[dict[str, object]] = [{"id": i} for i in range(1, 9_001)]
    inner = table(rows, lenient=True)

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.params.get("from") == "1000" and len(rows) < 10_100:
            rows.extend({"id": i} for i in range(9_001, 10_101))
        return inner(request)

    client, _ = make_client(handler)
    ids = [c.id or 0 async for c in client.customers.iterate()]
    assert sorted(ids) == list(range(1, 10_101)) and len(ids) == len(set(ids))


async def test_a_crowded_single_day_falls_back_to_order_id_blocks(make_client: Build) -> None:
    """One day with more than 10,000 orders is split by id blocks where the server allows the probes."""
    rows: list[dict[str, object]] = [{"id": i, "orderDate": "2026-01-01"} for i in range(1, 10_002)]
    client, api = make_client(table(rows, lenient=True), id_block_size=5000)
    orders = [
        o.id or 0
        async for o in client.orders.iterate(order_date_from="2026-01-01", order_date_to="2026-01-02")
    ]
    assert sorted(orders) == list(range(1, 10_002))
    assert any("id" in r.url.params for r in api.requests)


async def test_range_bisection_covers_open_ends() -> None:
    """Price ranges split at the step, then grow or halve, always covering the whole line."""
    splitter = RangeBisectSplitter("lo", "hi", step=Decimal(1000))

    async def never(query: Query, start: int, count: int) -> Page[dict[str, object]]:
        raise AssertionError("no fetch needed")

    async def parts(query: Query) -> list[Query]:
        gen = splitter.split(query, never)
        assert gen is not None
        return [part async for part in gen]

    assert await parts({}) == [{"hi": "1000"}, {"lo": "1000"}]
    assert await parts({"lo": "1000"}) == [{"lo": "1000", "hi": "2000"}, {"lo": "2000"}]
    assert await parts({"hi": "1000"}) == [{"hi": "0"}, {"lo": "0", "hi": "1000"}]
    assert await parts({"lo": "0", "hi": "1000"}) == [
        {"lo": "0", "hi": "500.00"},
        {"lo": "500.00", "hi": "1000"},
    ]
    assert splitter.split({"lo": "1.00", "hi": "1.01"}, never) is None
