"""Paging and the 10,000-row split against the simulator over a real socket."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.conftest import SimFactory

from .conftest import Connect, admin

pytestmark = pytest.mark.e2e


async def test_pages_through_2500_customers(tripletex_sim_factory: SimFactory, connect: Connect) -> None:
    """2,500 customers come back complete with count=1000 and with pages of 100 (active + inactive)."""
    sim = tripletex_sim_factory(seed=3, customers=2500, products=0, orders=0)
    tx = connect(sim)
    big = [c.id or 0 async for c in tx.customers.iterate(fields="id,version")]
    small = [c.id or 0 async for c in tx.customers.iterate(fields="id,version,name", page_size=100)]
    inactive = [c.id or 0 async for c in tx.customers.iterate(fields="id", is_inactive=True)]
    assert small == big and len(set(big)) == len(big) > 2000
    assert sorted(big + inactive) == sorted(set(big + inactive)) and len(big + inactive) == 2500
    requests = admin(sim, "GET", "/_sim/stats")["requests"]
    assert requests["GET /v2/customer"] == 3 + 25 + 1


async def test_splits_10500_customers(tripletex_sim_factory: SimFactory, connect: Connect) -> None:
    """10,500 customers are over Tripletex's limit: the client splits the query and gets each once."""
    sim = tripletex_sim_factory(seed=4, customers=10_500, products=0, orders=0)
    tx = connect(sim, id_block_size=1000)
    active = [c.id async for c in tx.customers.iterate(fields="id")]
    inactive = [c.id async for c in tx.customers.iterate(fields="id", is_inactive=True)]
    assert len(active) > 10_000  # over the limit on its own
    assert len(active) + len(inactive) == 10_500 and len(set(active + inactive)) == 10_500
    stats = admin(sim, "GET", "/_sim/stats")
    assert stats["statuses"]["422"] >= 1  # the refused queries, answered 23000


async def test_splits_10500_orders_by_date_window(
    tripletex_sim_factory: SimFactory, connect: Connect
) -> None:
    """10,500 orders in one year are fetched by halving the date window, each once."""
    sim = tripletex_sim_factory(seed=5, customers=20, products=5, orders=10_500)
    tx = connect(sim)
    orders = [
        o
        async for o in tx.orders.iterate(
            order_date_from=dt.date(2000, 1, 1), order_date_to=dt.date(2100, 1, 1), fields="id"
        )
    ]
    assert len(orders) == 10_500 and len({o.id for o in orders}) == 10_500


async def test_products_split_by_price_where_probes_are_refused(
    tripletex_sim_factory: SimFactory, connect: Connect
) -> None:
    """With a low result limit, products are split (ids probes refused, price ranges bisected)."""
    sim = tripletex_sim_factory(seed=6, customers=0, products=900, orders=0, max_result_size=250)
    tx = connect(sim)
    ids = [p.id async for p in tx.products.iterate(fields="id")]
    assert len(ids) == 900 and len(set(ids)) == 900
