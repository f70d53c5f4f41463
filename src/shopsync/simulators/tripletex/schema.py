"""The simulator's SQLite schema: one table per object kind, the filters' indexes, and planner statistics.

Each object kind has one table ``(id, version, changed_at, doc)``: ``doc`` is the object as JSON in
storage form, ``changed_at`` a sortable UTC timestamp for ``changedSince``. Filters use
``json_extract(doc, '$.prop')`` (``col()``) and the indexes are on exactly those expressions.

SQLite's planner, without statistics, rates an equality on any index alike. Every ``GET /customer``
carries ``isInactive = false`` (the spec's default), so left alone it walked the ``isInactive`` index
(97 % of the customers, each JSON document parsed) instead of the ``customerNumber`` one: 80 ms for
a page of 1,000 instead of 1 ms. ``create_schema`` therefore writes fixed statistics into
``sqlite_stat1`` (SQLite's documented way to steer the planner, see "Manual Control Of Query Plans
Using SQLITE_STAT Tables"): the rows a typical company has per value of each indexed property. Plans
are then the same at 10 rows as at 100,000, and no ``ANALYZE`` is ever needed.
"""

from __future__ import annotations

import sqlite3

__all__ = ["INDEXES", "TABLES", "col", "create_schema"]

#: Table of each stored object kind.
TABLES: dict[str, str] = {
    "Customer": "customer",
    "Address": "address",
    "DeliveryAddress": "delivery_address",
    "Product": "product",
    "Order": "orders",
    "OrderLine": "order_line",
    "Subscription": "subscription",
}

#: Indexes per table, each on the listed properties: the filters the sync engine looks objects up by
#: (ids, customer numbers, organisation numbers, e-mail, product numbers, order dates, an order's
#: customer and lines) and ``changed_at`` where ``changedSince`` reads it (customers only).
#: ``GET /customer`` always filters on ``isInactive``, so it rides along as the second column of the
#: customer indexes: a row is ruled in or out from the index, without parsing its document. Other
#: filters scan the table (about 25 ms at 20,000 customers): each index costs every write, and the
#: planner would not use one on a name (a "containing" filter), a VAT type or a product's
#: ``isInactive`` anyway.
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "customer": (
        ("customerNumber", "isInactive"),
        ("organizationNumber", "isInactive"),
        ("email", "isInactive"),
        ("isInactive",),
        ("changed_at",),
    ),
    # ``name``: every created product's name is checked for uniqueness (an equality lookup); without
    # the index each check read every product, so creating N products took O(N²).
    "product": (("number",), ("ean",), ("name",)),
    "orders": (("orderDate",), ("customer",), ("number",)),
    "order_line": (("order",), ("product",)),
}

#: Rows sharing one value of an indexed property in a typical company (any other: about one).
_ROWS_PER_VALUE: dict[str, int] = {
    "isInactive": 500_000,
    "changed_at": 100,
    "orderDate": 30,
    "customer": 20,
    "product": 20,
    "order": 5,
}
#: Rows the statistics claim for every table: only the ratios matter to the planner.
_STAT_ROWS = 1_000_000


def col(prop: str) -> str:
    """SQL expression of a stored property; identical text to the index so SQLite uses it."""
    if prop in ("id", "version", "changed_at"):
        return prop
    return f"json_extract(doc, '$.{prop}')"


def create_schema(conn: sqlite3.Connection) -> None:
    """Create what is missing, drop indexes an earlier version made, and load the statistics."""
    wanted: dict[str, tuple[str, ...]] = {}
    for table in TABLES.values():
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, version INTEGER NOT NULL,"
            " changed_at TEXT NOT NULL, doc TEXT NOT NULL)"
        )
        for props in INDEXES.get(table, ()):
            name = f"ix_{table}_{'_'.join(props)}"
            wanted[name] = (table, *props)
            conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table}({', '.join(col(p) for p in props)})")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS change_log (kind TEXT NOT NULL, obj_id INTEGER NOT NULL,"
        " ts TEXT NOT NULL, change_type TEXT NOT NULL, employee_id INTEGER NOT NULL)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS ix_change_log_obj ON change_log(kind, obj_id)")
    tables = tuple(TABLES.values())
    found = conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'ix_%'"
        f" AND tbl_name IN ({', '.join('?' * len(tables))})",
        tables,
    ).fetchall()
    for (name,) in found:
        if name not in wanted:  # a database file written by an earlier version
            conn.execute(f"DROP INDEX {name}")
    _write_statistics(conn, wanted)


def _write_statistics(conn: sqlite3.Connection, indexes: dict[str, tuple[str, ...]]) -> None:
    conn.execute("ANALYZE sqlite_schema")  # creates sqlite_stat1 if missing; scans no table
    conn.execute("DELETE FROM sqlite_stat1")
    rows = []
    for name, (table, *props) in indexes.items():
        # "<rows> <rows per value of column 1> <rows per value of columns 1 and 2> …"
        per_value = [min(_ROWS_PER_VALUE.get(p, 1) for p in props[: i + 1]) for i in range(len(props))]
        rows.append((table, name, " ".join(str(n) for n in (_STAT_ROWS, *per_value))))
    conn.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", rows)
    conn.execute("ANALYZE sqlite_schema")  # the planner reads sqlite_stat1 only when told to
