"""List endpoints: query parameters, filters, sorting, paging, the 10,000-row limit and versionDigest.

Every list answers ``{fullResultSize, from, count, versionDigest, values}``. ``fullResultSize`` is the
number of matches; more than ``max_result_size`` matches is 422 code 23000 whatever ``count`` says,
so clients must narrow the query (id blocks, date windows). ``versionDigest`` is a placeholder unless
``If-None-Match`` is sent; then it is a hash of the whole match set and an equal ``If-None-Match``
answers 304.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import QueryParams

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.fields import FieldTree
from shopsync.simulators.tripletex.model import BOOL, DATE, ENUM, INT, MODELS, NUM, REF, STR
from shopsync.simulators.tripletex.serialize import Renderer
from shopsync.simulators.tripletex.store import Store, col, source

__all__ = ["NO_DIGEST", "Listing", "Params", "Query", "digest_of", "order_clause", "page_list"]

#: What Tripletex puts in ``versionDigest`` when no ``If-None-Match`` header was sent.
NO_DIGEST = "'If-None-Match' header not specified"
_SCALAR = (STR, INT, NUM, BOOL, ENUM, DATE)


class Params:
    """Typed access to query parameters; a value that does not convert is 404 code 21000 (JAX-RS)."""

    def __init__(self, query: QueryParams) -> None:
        self.query = query

    def text(self, name: str) -> str | None:
        """A plain string parameter; blank counts as absent."""
        value = self.query.get(name)
        return value if value not in (None, "") else None

    def flag(self, name: str) -> bool | None:
        """A boolean parameter."""
        value = self.text(name)
        if value is None:
            return None
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise errors.param_error(name, value)

    def integer(self, name: str) -> int | None:
        """An integer parameter."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise errors.param_error(name, value) from None

    def decimal(self, name: str) -> Decimal | None:
        """A number parameter."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            raise errors.param_error(name, value) from None

    def strings(self, name: str) -> list[str] | None:
        """A list parameter: comma separated and/or repeated."""
        values = [v for raw in self.query.getlist(name) for v in raw.split(",") if v.strip()]
        return [v.strip() for v in values] if values else None

    def ids(self, name: str) -> list[int] | None:
        """A "List of IDs" parameter."""
        values = self.strings(name)
        if values is None:
            return None
        try:
            return [int(v) for v in values]
        except ValueError:
            raise errors.param_error(name, ",".join(values)) from None

    def day(self, name: str) -> date | None:
        """A ``YYYY-MM-DD`` parameter; a malformed date is 422 code 15000."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise errors.value_validation([errors.message(name, f"Ugyldig dato: {value}", name)]) from None


@dataclass
class Query:
    """SQL conditions over one table, built from the endpoint's filters."""

    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    #: An index SQLite must use (``INDEXED BY``) where its own choice is known to be the slower one.
    index: str | None = None

    def add(self, condition: str, *params: Any) -> None:
        """AND another condition."""
        self.where.append(condition)
        self.params.extend(params)

    def equals(self, prop: str, value: Any) -> None:
        """``prop = value`` when a value was given."""
        if value is not None:
            self.add(f"{col(prop)} = ?", value)

    def one_of(self, prop: str, values: Sequence[Any] | None) -> None:
        """``prop IN values`` when a list was given (an empty list matches nothing)."""
        if values is not None:
            self.add(f"{col(prop)} IN (SELECT value FROM json_each(?))", json.dumps(list(values)))

    def contains(self, prop: str, value: str | None) -> None:
        """Case-insensitive "containing" match."""
        if value is not None:
            self.add(f"instr(lower({col(prop)}), lower(?)) > 0", value)

    def number_range(self, prop: str, low: Decimal | None, high: Decimal | None) -> None:
        """From (inclusive) / To (exclusive) on a decimal property."""
        if low is not None:
            self.add(f"CAST({col(prop)} AS REAL) >= ?", float(low))
        if high is not None:
            self.add(f"CAST({col(prop)} AS REAL) < ?", float(high))

    @property
    def sql(self) -> str:
        """The WHERE text."""
        return " AND ".join(self.where) if self.where else "1=1"


def order_clause(schema: str, sorting: str | None) -> str:
    """ORDER BY for a ``sorting`` value (``name``, ``-id``, ``customer.id``); always ends with id."""
    m = MODELS[schema]
    parts: list[str] = []
    for raw in (sorting or "").split(","):
        item = raw.strip()
        if not item:
            continue
        desc = item.startswith("-")
        name = item.lstrip("+-").strip()
        if name == "id":
            expr = "id"
        elif "." in name:
            ref, sub = name.split(".", 1)
            prop = m.props.get(ref)
            if prop is None or prop.kind is not REF or sub != "id":
                raise errors.sorting_error(f"Unsupported sorting: {name}")
            expr = col(ref)
        else:
            prop = m.props.get(name)
            if prop is None or prop.kind not in _SCALAR or name == "url":
                raise errors.sorting_error(f"Illegal sorting field: {name}")
            expr = f"CAST({col(name)} AS REAL)" if prop.kind is NUM else col(name)
        parts.append(f"{expr} DESC" if desc else expr)
    parts.append("id")
    return ", ".join(parts)


def digest_of(rows: Sequence[Sequence[Any]], fields_text: str | None) -> str | None:
    """Checksum of a whole match set (null when it is empty)."""
    if not rows:
        return None
    h = hashlib.sha256((fields_text or "").encode())
    for row in rows:
        h.update(repr(tuple(row)).encode())
    return h.hexdigest()[:40]


@dataclass
class Listing:
    """One page of a list endpoint, ready for the envelope (``not_modified`` means answer 304)."""

    full_size: int
    start: int
    values: list[dict[str, Any]]
    digest: str | None
    not_modified: bool = False

    def envelope(self) -> dict[str, Any]:
        """The list envelope, keys in Tripletex's order."""
        return {
            "fullResultSize": self.full_size,
            "from": self.start,
            "count": len(self.values),
            "versionDigest": self.digest,
            "values": self.values,
        }


def paging(params: Params) -> tuple[int, int]:
    """``from`` and ``count`` (defaults 0 and 1000); negative values are 422 code 15000."""
    start = params.integer("from") or 0
    count = params.integer("count")
    count = 1000 if count is None else count
    if start < 0 or count < 0:
        raise errors.value_validation([errors.message("from", "Må være 0 eller større.", "from")])
    return start, count


def page_table(
    store: Store,
    schema: str,
    query: Query,
    params: Params,
    tree: FieldTree | None,
    renderer: Renderer,
    *,
    limit: int,
    if_none_match: str | None,
    digest_extra: str | None = None,
) -> Listing:
    """Run a list query over a stored kind."""
    start, count = paging(params)
    order_by = order_clause(schema, params.text("sorting"))
    total = store.count(schema, query.sql, query.params, index=query.index)
    if total > limit:
        raise errors.result_too_large(limit)
    digest: str | None = NO_DIGEST
    if if_none_match is not None:
        extra = f", ({digest_extra})" if digest_extra else ""
        rows = store.rows(
            f"SELECT id, version{extra} FROM {source(schema, query.index)}"
            f" WHERE {query.sql} ORDER BY {order_by}",
            query.params,
        )
        digest = digest_of(rows, params.text("fields"))
        if digest is not None and digest == if_none_match.strip('"'):
            return Listing(total, start, [], digest, not_modified=True)
    # A selection of plain values reads just those (``fields=id,version``: no JSON at all), not whole docs.
    props = renderer.columns(schema, tree)
    docs = store.select(
        schema, query.sql, query.params, order_by, start, count, props=props, index=query.index
    )
    return Listing(total, start, renderer.render_many(schema, docs, tree), digest)


def page_list(
    items: list[dict[str, Any]],
    params: Params,
    render: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    schema: str,
    if_none_match: str | None,
) -> Listing:
    """Run a list query over in-memory reference objects (already filtered, in listing order)."""
    start, count = paging(params)
    sorting = params.text("sorting")
    if sorting:
        order_clause(schema, sorting)  # same validation as stored kinds
        for raw in reversed([s.strip() for s in sorting.split(",") if s.strip()]):
            name = raw.lstrip("+-").split(".")[0]
            items = sorted(items, key=_key_of(name), reverse=raw.startswith("-"))
    digest: str | None = NO_DIGEST
    if if_none_match is not None:
        digest = digest_of([(d["id"], d.get("version", 0)) for d in items], params.text("fields"))
        if digest is not None and digest == if_none_match.strip('"'):
            return Listing(len(items), start, [], digest, not_modified=True)
    return Listing(len(items), start, [render(d) for d in items[start : start + count]], digest)


def _key_of(name: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    return lambda d: _sort_key(d.get(name))


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool | int | float):
        return (1, value)
    try:
        return (1, float(value))
    except (TypeError, ValueError):
        return (2, str(value))
