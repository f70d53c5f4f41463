"""Query plans: every list filter the sync engine relies on searches an index, whatever the data size.

The plans come from SQLite's own ``EXPLAIN QUERY PLAN`` for the statements the list endpoints run,
built by the endpoints' query builders, on an empty store: the planner statistics are fixed, so a plan
chosen here is the plan at 20,000 rows too.
"""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from shopsync.simulators.tripletex.config import SimulatorConfig
from shopsync.simulators.tripletex.customers import customer_query
from shopsync.simulators.tripletex.orders import order_query
from shopsync.simulators.tripletex.products import product_query
from shopsync.simulators.tripletex.queries import Params, Query, order_clause
from shopsync.simulators.tripletex.routes.orders import _LINE_DIGEST
from shopsync.simulators.tripletex.state import Simulator
from shopsync.simulators.tripletex.store import Store, source

WINDOW = "orderDateFrom=2025-01-01&orderDateTo=2026-01-01"


def plan(store: Store, schema: str, query: Query, sorting: str | None = None, extra: str = "") -> str:
    """The plan of a list page: the statement ``page_table`` runs for ``query``."""
    sql = (
        f"SELECT id, version{extra} FROM {source(schema, query.index)} WHERE {query.sql}"
        f" ORDER BY {order_clause(schema, sorting)} LIMIT 1000 OFFSET 0"
    )
    rows = store.rows("EXPLAIN QUERY PLAN " + sql, query.params)
    return "\n".join(str(row[-1]) for row in rows)


def count_plan(store: Store, schema: str, query: Query) -> str:
    """The plan of the COUNT that decides ``fullResultSize`` and the 10,000-row limit."""
    rows = store.rows(
        f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM {source(schema, query.index)} WHERE {query.sql}",
        query.params,
    )
    return "\n".join(str(row[-1]) for row in rows)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimulatorConfig())


@pytest.mark.parametrize(
    ("query_string", "index"),
    [
        ("customerAccountNumber=10001,10002,10003", "ix_customer_customerNumber_isInactive"),
        ("email=post@example.no", "ix_customer_email_isInactive"),
        ("organizationNumber=923609016", "ix_customer_organizationNumber_isInactive"),
        ("organizationNumber=923609016&isInactive=true", "ix_customer_organizationNumber_isInactive"),
        ("id=108000001,108000002", "ix_customer_isInactive"),
        ("", "ix_customer_isInactive"),
    ],
)
def test_customer_filters_search_their_index(sim: Simulator, query_string: str, index: str) -> None:
    """Each customer filter, next to the default isInactive=false, searches its own index."""
    query = customer_query(sim, Params(QueryParams(query_string)))
    for text in (plan(sim.store, "Customer", query), count_plan(sim.store, "Customer", query)):
        assert "SEARCH customer USING" in text and f"{index} (" in text
        assert "SCAN customer" not in text


def test_customers_by_id_are_checked_against_isinactive_in_its_index(sim: Simulator) -> None:
    """An id list seeks (isInactive, id) in the isInactive index instead of parsing every document."""
    query = customer_query(sim, Params(QueryParams("id=108000001,108000002")))
    assert "ix_customer_isInactive (<expr>=? AND rowid=?)" in plan(sim.store, "Customer", query)


def test_the_isinactive_default_never_drives_a_narrow_customer_query(sim: Simulator) -> None:
    """A block of customer numbers is not walked through the isInactive index (97 % of the rows)."""
    query = customer_query(sim, Params(QueryParams("customerAccountNumber=10001,10002&fields=id,version")))
    assert " ix_customer_isInactive (" not in plan(sim.store, "Customer", query)


@pytest.mark.parametrize(
    ("query_string", "index"),
    [
        ("number=1001", "ix_product_number"),
        ("productNumber=A-1", "ix_product_number"),
        ("ids=84000001", "PRIMARY"),
    ],
)
def test_product_filters_search_their_index(sim: Simulator, query_string: str, index: str) -> None:
    """Product numbers and id lists are searched, not scanned."""
    text = plan(sim.store, "Product", product_query(Params(QueryParams(query_string))))
    assert "SEARCH product USING" in text and index in text


@pytest.mark.parametrize(
    ("query_string", "index"),
    [
        (WINDOW, "ix_orders_orderDate"),
        (WINDOW + "&customerId=108000001", "ix_orders_customer"),
        (WINDOW + "&id=402000001,402000002", "PRIMARY KEY"),
        (WINDOW + "&number=17", "ix_orders_number"),
    ],
)
def test_order_filters_search_their_index(sim: Simulator, query_string: str, index: str) -> None:
    """Order windows, customers, ids and numbers are searched, not scanned."""
    text = plan(sim.store, "Order", order_query(Params(QueryParams(query_string))))
    assert "SEARCH orders USING" in text and index in text


def test_the_order_digest_searches_each_orders_lines(sim: Simulator) -> None:
    """With If-None-Match, an order's lines are found through the index, not by scanning all lines."""
    query = order_query(Params(QueryParams(WINDOW)))
    text = plan(sim.store, "Order", query, extra=f", ({_LINE_DIGEST})")
    assert "USING INDEX ix_order_line_order" in text
    assert "SCAN l" not in text
