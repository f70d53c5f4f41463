"""The change feed: exactly once across pages, timestamp ties, resumes, unstable paging and full scans."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import httpx2
import pytest

from shopsync.connectors.webshop import ChangePage, WebshopConnector, WebshopError
from shopsync.connectors.webshop._feed import Position
from shopsync.simulators.woocommerce import WooClock, WooStore, create_app

from .conftest import FakeShop, contract_config, product_doc, woo_config

T0 = "2026-03-01T10:00:00.000000+00:00"


class ContractFeed:
    """A minimal contract change feed: (updated_at, id) keyset, inclusive ``updated_since``, tombstones."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def put(self, record_id: str, updated_at: str, **extra: Any) -> None:
        self.rows[record_id] = product_doc(record_id=record_id, updated_at=updated_at, **extra)

    def delete(self, record_id: str, updated_at: str) -> None:
        self.rows[record_id] = {"id": record_id, "deleted": True, "updated_at": updated_at}

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        ordered = sorted(self.rows.values(), key=lambda r: (r["updated_at"], int(r["id"])))
        params = request.url.params
        if "cursor" in params:
            ts, _, last = params["cursor"].partition("|")
            ordered = [r for r in ordered if (r["updated_at"], int(r["id"])) > (ts, int(last))]
        elif "updated_since" in params:
            ordered = [r for r in ordered if r["updated_at"] >= params["updated_since"]]
        limit = int(params["limit"])
        page, more = ordered[:limit], len(ordered) > limit
        cursor = f"{page[-1]['updated_at']}|{page[-1]['id']}" if more else None
        return httpx2.Response(200, json={"items": page, "next_cursor": cursor})


async def drain(
    connector: WebshopConnector, resource: str, cursor: str | None
) -> tuple[list[ChangePage], str | None]:
    pages = [page async for page in connector.changes(resource, cursor)]  # type: ignore[arg-type]
    return pages, (pages[-1].cursor if pages else cursor)


def ids(pages: list[ChangePage]) -> list[str]:
    return [str(item.id) for page in pages for item in page.items]


def test_positions_round_trip_and_foreign_cursors_are_refused() -> None:
    """The cursor encodes since/seen/server compactly; garbage is a WebshopError, not a silent restart."""
    pos = Position(since=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), seen={1: {"a:1", "b:2"}}, server="abc")
    again = Position.decode(pos.encode())
    assert (again.since, again.seen, again.server) == (pos.since, pos.seen, pos.server)
    assert Position.decode(None).since is None
    with pytest.raises(WebshopError, match="not a cursor"):
        Position.decode("not-a-cursor")


async def test_contract_feed_delivers_ties_exactly_once_and_resumes() -> None:
    """250 records sharing one updated_at, pages of 100: each delivered once; a resume delivers only news."""
    feed = ContractFeed()
    for n in range(1, 251):
        feed.put(str(1000 + n), T0)
    shop = FakeShop(feed)
    async with shop.connector(contract_config(pagination={"page_size": 100})) as connector:
        pages, cursor = await drain(connector, "products", None)
        assert len(pages) == 3 and Counter(ids(pages)) == Counter(str(1000 + n) for n in range(1, 251))
        assert len(shop.requests) == 3

        again, cursor = await drain(connector, "products", cursor)
        assert ids(again) == []
        assert shop.requests[-1].url.params["updated_since"] == "2026-03-01T10:00:00+00:00"

        feed.put("1251", T0)  # a late record with the very same timestamp
        feed.put("1001", "2026-03-01T10:00:01.000000+00:00", name="Ny kopp")
        feed.delete("1002", "2026-03-01T10:00:02.000000+00:00")
        news, _ = await drain(connector, "products", cursor)
        assert ids(news) == ["1251", "1001"]
        assert [t.id for page in news for t in page.tombstones] == ["1002"]


async def test_contract_feed_resumes_from_a_cursor_stored_mid_feed() -> None:
    """Stopping after page one and resuming from its cursor delivers the rest exactly once."""
    feed = ContractFeed()
    for n in range(1, 251):
        feed.put(str(1000 + n), T0)
    async with FakeShop(feed).connector(contract_config(pagination={"page_size": 100})) as connector:
        first = await anext(aiter(connector.changes("products", None)))
        rest, _ = await drain(connector, "products", first.cursor)
    assert Counter(ids([first]) + ids(rest)) == Counter(str(1000 + n) for n in range(1, 251))


async def test_an_untranslatable_record_is_rejected_without_blocking_the_feed() -> None:
    """A broken record comes back in ``rejected``; the records around it are delivered."""
    feed = ContractFeed()
    feed.put("1", T0)
    feed.put("2", "2026-03-01T10:00:01.000000+00:00", price="not money")
    feed.put("3", "2026-03-01T10:00:02.000000+00:00")
    async with FakeShop(feed).connector(contract_config()) as connector:
        pages, _ = await drain(connector, "products", None)
    assert ids(pages) == ["1", "3"]
    assert [r.id for page in pages for r in page.rejected] == ["2"]


@pytest.fixture
def woo() -> tuple[WooStore, WooClock, httpx2.ASGITransport]:
    clock = WooClock()
    store = WooStore(clock)
    app = create_app(store, consumer_key="ck", consumer_secret="cs")
    return store, clock, httpx2.ASGITransport(app=app)


def woo_connector(transport: httpx2.ASGITransport, page_size: int = 100) -> WebshopConnector:
    config = woo_config(auth={"username": "ck", "password": "cs"}, pagination={"page_size": page_size})
    return WebshopConnector(config, transport=transport)


async def test_woo_window_scan_handles_ties_larger_than_a_page(
    woo: tuple[WooStore, WooClock, httpx2.ASGITransport],
) -> None:
    """250 products saved in one second, pages of 100: every product once, then nothing, then only news."""
    store, clock, transport = woo
    clock.freeze(dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC))
    created = [
        store.save_product({"sku": f"S{n}", "name": f"P{n}", "regular_price": "10"})["id"] for n in range(250)
    ]
    async with woo_connector(transport) as connector:
        pages, cursor = await drain(connector, "products", None)
        assert Counter(ids(pages)) == Counter(str(i) for i in created)
        again, cursor = await drain(connector, "products", cursor)
        assert ids(again) == []
        clock.freeze(dt.datetime(2026, 3, 1, 10, 0, 1, tzinfo=dt.UTC))
        store.save_product({"name": "renamed"}, created[7])
        news, _ = await drain(connector, "products", cursor)
        assert ids(news) == [str(created[7])]


def spy_on(transport: httpx2.ASGITransport, after_request: Any = None) -> list[tuple[str | None, str | None]]:
    """Record (modified_after, page) of every request; call ``after_request(n)`` after the n-th."""
    seen: list[tuple[str | None, str | None]] = []
    real = transport.handle_async_request

    async def spy(request: httpx2.Request) -> httpx2.Response:
        seen.append((request.url.params.get("modified_after"), request.url.params.get("page")))
        response = await real(request)
        if after_request is not None:
            after_request(len(seen))
        return response

    transport.handle_async_request = spy  # type: ignore[method-assign]
    return seen


def fill(store: WooStore, clock: WooClock, seconds: int, per_second: int) -> list[int]:
    created = []
    for second in range(seconds):
        clock.freeze(dt.datetime(2026, 3, 1, 10, 0, second, tzinfo=dt.UTC))
        for n in range(per_second):
            created.append(
                store.save_product({"sku": f"S{second}-{n}", "name": "p", "regular_price": "10"})["id"]
            )
    return created


async def test_woo_window_scan_moves_its_filter_forward(
    woo: tuple[WooStore, WooClock, httpx2.ASGITransport],
) -> None:
    """The scan narrows ``modified_after`` as it goes (keyset emulation) and delivers each product once."""
    store, clock, transport = woo
    created = fill(store, clock, seconds=20, per_second=3)
    seen = spy_on(transport)
    async with woo_connector(transport, page_size=10) as connector:
        pages, _ = await drain(connector, "products", None)
    assert Counter(ids(pages)) == Counter(str(i) for i in created)
    filters = [after for after, _ in seen if after is not None]
    assert filters == sorted(filters) and len(set(filters)) > 3
    assert seen[0] == (None, "1")


async def test_woo_window_scan_loses_nothing_when_records_change_mid_scan(
    woo: tuple[WooStore, WooClock, httpx2.ASGITransport],
) -> None:
    """Records modified during a scan move to its end; no other record is skipped because pages shifted."""
    store, clock, transport = woo
    created = fill(store, clock, seconds=4, per_second=5)

    def modify(request_count: int) -> None:
        if request_count in (2, 4):
            clock.freeze(dt.datetime(2026, 3, 1, 10, 0, 30 + request_count, tzinfo=dt.UTC))
            store.save_product({"name": f"changed {request_count}"}, created[request_count])

    spy_on(transport, modify)
    async with woo_connector(transport, page_size=4) as connector:
        pages, _ = await drain(connector, "products", None)
    delivered = Counter(ids(pages))
    assert set(delivered) == {str(i) for i in created}
    assert all(delivered[str(i)] == 1 for i in created if i not in (created[2], created[4]))
    names = {
        getattr(item, "name", None) for page in pages for item in page.items if item.id == str(created[4])
    }
    assert "changed 4" in names


async def test_woo_customers_are_fully_scanned_and_filtered_by_the_connector(
    woo: tuple[WooStore, WooClock, httpx2.ASGITransport],
) -> None:
    """``modified_after`` is ignored on customers: old ones are dropped client-side, changes come through."""
    store, clock, transport = woo
    clock.freeze(dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC))
    first = store.save_customer(
        {"email": "a@example.no", "billing": {"address_1": "x", "postcode": "1", "city": "y"}}
    )
    store.save_customer({"email": "b@example.no"}, touch=False)  # date_modified null
    async with woo_connector(transport, page_size=1) as connector:
        pages, cursor = await drain(connector, "customers", None)
        assert sorted(ids(pages)) == sorted([str(first["id"]), str(first["id"] + 1)])
        # Mid-scan cursors keep the old position: a later page may still hold older changes.
        assert Position.decode(pages[0].cursor).since is None
        again, cursor = await drain(connector, "customers", cursor)
        assert ids(again) == []
        clock.freeze(dt.datetime(2026, 3, 1, 11, tzinfo=dt.UTC))
        store.save_customer({"last_name": "Berg"}, first["id"])
        news, _ = await drain(connector, "customers", cursor)
        assert ids(news) == [str(first["id"])]
