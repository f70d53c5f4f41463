"""Typed access to one Tripletex collection: get, list, iterate, create, update, delete, in batches.

``Resource`` serves customers, products and orders; ``ReferenceResource`` the read-only lists (VAT
types, currencies, countries); ``OrderLineResource`` order lines, which have no list call of their
own (they are read through their order). Batch endpoints (``POST/PUT …/list``) are used whenever more
than one object is written, in chunks of ``batch_size`` (``/order/list`` takes at most 100); a failing
chunk raises ``BatchWriteError`` saying what was already stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx2
import pydantic

from ._endpoints import Endpoint
from ._exceptions import BatchWriteError, TripletexError, UnexpectedResponse
from ._fields import FieldSpec, build_fields, check_fields
from ._http import Requester, json_body
from ._models import Order, OrderLine, TripletexModel
from ._paging import Page, Query, Splitter, iterate_all
from ._payload import create_body, update_body
from ._query import DigestCache, FilterValue, encode_filters
from ._settings import TripletexSettings

__all__ = ["ListResult", "OrderLineResource", "OrderResource", "ReferenceResource", "Resource"]

M = TypeVar("M", bound=TripletexModel)
# Any non-empty If-None-Match makes Tripletex compute a real versionDigest (tripletex-api2 checksum example).
_FIRST_IF_NONE_MATCH = "shopsync"


@dataclass(frozen=True)
class ListResult(Generic[M]):
    """All rows of a list query fetched with ``If-None-Match``."""

    items: list[M]
    unchanged: bool
    """True when every page answered 304: nothing changed since the previous fetch of this query."""


class _Base(Generic[M]):
    def __init__(
        self,
        requester: Requester,
        endpoint: Endpoint,
        model: type[M],
        settings: TripletexSettings,
        cache: DigestCache,
    ) -> None:
        self._requester = requester
        self._endpoint = endpoint
        self._model = model
        self._settings = settings
        self._cache = cache

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._endpoint.path})"

    @property
    def path(self) -> str:
        """The collection's API path, e.g. ``/customer``."""
        return self._endpoint.path

    def _fields(self, fields: FieldSpec | None) -> str | None:
        if fields is None:
            return None
        return check_fields(build_fields(fields), self._endpoint.schema)

    def _parse(self, data: Any, method: str, path: str) -> M:
        try:
            return self._model.model_validate(data)
        except pydantic.ValidationError as exc:
            raise UnexpectedResponse(
                f"answer does not fit {self._model.__name__}: {exc}", method=method, path=path
            ) from exc

    def _value(self, response: httpx2.Response, method: str, path: str) -> M:
        body = json_body(response, method=method, path=path)
        if not isinstance(body, dict) or not isinstance(body.get("value"), dict):
            raise UnexpectedResponse("answer has no 'value' object", method=method, path=path)
        return self._parse(body["value"], method, path)

    def _values(self, response: httpx2.Response, method: str, path: str) -> list[M]:
        return [self._parse(row, method, path) for row in _page(response, method, path, 0).values]

    async def get(self, id: int, *, fields: FieldSpec | None = None) -> M:
        """The object with this id (``NotFound`` if there is none)."""
        path = f"{self.path}/{{id}}"
        params = {"fields": f} if (f := self._fields(fields)) else None
        response = await self._requester.request("GET", path, path_params={"id": id}, params=params)
        return self._value(response, "GET", path)


def _page(response: httpx2.Response, method: str, path: str, start: int) -> Page[dict[str, Any]]:
    body = json_body(response, method=method, path=path)
    values = body.get("values") if isinstance(body, dict) else None
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise UnexpectedResponse("answer has no 'values' list", method=method, path=path)
    size = body.get("fullResultSize")
    return Page(
        values=values,
        from_=body.get("from") if isinstance(body.get("from"), int) else start,
        count=len(values),
        full_result_size=size if isinstance(size, int) else None,
        version_digest=body.get("versionDigest") if isinstance(body.get("versionDigest"), str) else None,
    )


class _Listing(_Base[M]):
    def _splitter(self) -> Splitter | None:
        factory = self._endpoint.splitter
        return factory(self._settings) if factory else None

    def _query(
        self, fields: FieldSpec | None, sorting: str | None, filters: Mapping[str, FilterValue]
    ) -> Query:
        query = encode_filters(self._endpoint, filters)
        if (f := self._fields(fields)) is not None:
            query["fields"] = f
        if sorting or self._endpoint.sorting:
            query["sorting"] = sorting or self._endpoint.sorting or ""
        return query

    async def _fetch(
        self, query: Query, start: int, count: int, *, conditional: bool = False
    ) -> Page[dict[str, Any]]:
        params: dict[str, str | list[str]] = {**query, "from": str(start), "count": str(count)}
        headers: dict[str, str] = {}
        key = DigestCache.key(self.path, params)
        cached = self._cache.get(key) if conditional else None
        if conditional:
            headers["If-None-Match"] = (
                cached.version_digest if cached and cached.version_digest else _FIRST_IF_NONE_MATCH
            )
        response = await self._requester.request("GET", self.path, params=params, headers=headers)
        if response.status_code == 304:
            if cached is None:
                raise UnexpectedResponse(
                    "304 Not Modified without a cached answer", method="GET", path=self.path
                )
            return Page(
                values=cached.values,
                from_=cached.from_,
                count=cached.count,
                full_result_size=cached.full_result_size,
                version_digest=cached.version_digest,
                not_modified=True,
            )
        page = _page(response, "GET", self.path, start)
        if conditional:
            self._cache.put(key, page)
        return page

    async def list(
        self,
        *,
        fields: FieldSpec | None = None,
        sorting: str | None = None,
        from_: int = 0,
        count: int | None = None,
        conditional: bool = False,
        **filters: FilterValue,
    ) -> Page[M]:
        """One page of the search; ``conditional`` sends ``If-None-Match`` and serves a 304 from cache."""
        query = self._query(fields, sorting, filters)
        page = await self._fetch(query, from_, count or self._settings.page_size, conditional=conditional)
        return Page(
            values=[self._parse(v, "GET", self.path) for v in page.values],
            from_=page.from_,
            count=page.count,
            full_result_size=page.full_result_size,
            version_digest=page.version_digest,
            not_modified=page.not_modified,
        )

    async def iterate(
        self,
        *,
        fields: FieldSpec | None = None,
        sorting: str | None = None,
        page_size: int | None = None,
        **filters: FilterValue,
    ) -> AsyncIterator[M]:
        """Every matching object across all pages, splitting the query past Tripletex's 10,000 rows."""
        query = self._query(fields, sorting, filters)
        rows = iterate_all(
            self._fetch, query, page_size=page_size or self._settings.page_size, splitter=self._splitter()
        )
        async for row in rows:
            yield self._parse(row, "GET", self.path)

    async def fetch_all(
        self,
        *,
        fields: FieldSpec | None = None,
        sorting: str | None = None,
        page_size: int | None = None,
        **filters: FilterValue,
    ) -> ListResult[M]:
        """Every matching object, with ``If-None-Match`` per page: ``unchanged`` if all pages were 304."""
        query = self._query(fields, sorting, filters)
        unchanged = True

        async def fetch(q: Query, start: int, count: int) -> Page[dict[str, Any]]:
            nonlocal unchanged
            page = await self._fetch(q, start, count, conditional=True)
            unchanged = unchanged and page.not_modified
            return page

        rows = iterate_all(
            fetch, query, page_size=page_size or self._settings.page_size, splitter=self._splitter()
        )
        items = [self._parse(row, "GET", self.path) async for row in rows]
        return ListResult(items=items, unchanged=unchanged)


class ReferenceResource(_Listing[M]):
    """A read-only list such as VAT types, currencies or countries."""


class _Writing(_Base[M]):
    async def create(self, obj: M) -> M:
        """Create one object (``POST``); returns it as stored, with id and version."""
        body = create_body(obj, self._endpoint.schema)
        response = await self._requester.request("POST", self.path, json=body)
        return self._value(response, "POST", self.path)

    async def create_many(self, objs: Sequence[M]) -> list[M]:
        """Create several objects through ``POST …/list`` in chunks; results in input order."""
        bodies = [create_body(obj, self._endpoint.schema) for obj in objs]  # fail before any write
        if len(bodies) == 1 or not self._endpoint.batch_create:
            return await self._one_by_one(objs, self.create)
        return await self._chunks("POST", f"{self.path}/list", bodies)

    async def update(self, obj: M) -> M:
        """Update one object (``PUT``, partial); ``version`` is always sent, so a stale one raises 409."""
        return await self._put(obj, None)

    async def update_many(self, objs: Sequence[M]) -> list[M]:
        """Update several objects through ``PUT …/list`` where it exists, else one ``PUT`` each."""
        bodies = [update_body(obj, self._endpoint.schema) for obj in objs]
        if len(bodies) == 1 or not self._endpoint.batch_update:
            return await self._one_by_one(objs, self.update)
        return await self._chunks("PUT", f"{self.path}/list", bodies)

    async def delete(self, id: int) -> None:
        """Delete the object (``NotFound`` if it does not exist)."""
        await self._requester.request("DELETE", f"{self.path}/{{id}}", path_params={"id": id})

    async def _put(self, obj: M, params: Mapping[str, str] | None) -> M:
        body = update_body(obj, self._endpoint.schema)
        path = f"{self.path}/{{id}}"
        response = await self._requester.request(
            "PUT", path, path_params={"id": body["id"]}, params=params, json=body
        )
        return self._value(response, "PUT", path)

    async def _one_by_one(self, objs: Sequence[M], write: Any) -> list[M]:
        done: list[M] = []
        for offset, obj in enumerate(objs):
            try:
                done.append(await write(obj))
            except TripletexError as exc:
                raise BatchWriteError(exc, completed=done, failed_offset=offset, failed_count=1) from exc
        return done

    async def _chunks(self, method: str, path: str, bodies: list[dict[str, Any]]) -> list[M]:
        done: list[M] = []
        size = self._settings.batch_size
        for offset in range(0, len(bodies), size):
            chunk = bodies[offset : offset + size]
            try:
                response = await self._requester.request(method, path, json=chunk)
            except TripletexError as exc:
                raise BatchWriteError(
                    exc, completed=done, failed_offset=offset, failed_count=len(chunk)
                ) from exc
            done.extend(self._values(response, method, path))
        return done


class Resource(_Listing[M], _Writing[M]):
    """A collection with full read and write access (customers, products)."""


class OrderResource(Resource[Order]):
    """Orders: list calls need ``order_date_from``/``order_date_to`` ([from, to), ISO dates)."""

    async def update(self, obj: Order, *, update_lines_and_groups: bool = False) -> Order:
        """``PUT /order/{id}``; with ``update_lines_and_groups`` the embedded lines replace the order's."""
        params = {"updateLinesAndGroups": "true"} if update_lines_and_groups else None
        return await self._put(obj, params)


class OrderLineResource(_Writing[OrderLine]):
    """Order lines: no list call; read them with ``for_order`` (through the order's ``orderLines``)."""

    async def for_order(self, order_id: int, *, fields: FieldSpec = "*") -> list[OrderLine]:
        """The lines of one order, expanded with ``fields`` (default all)."""
        selection = build_fields({"orderLines": fields})
        check_fields(selection, "Order")
        path = "/order/{id}"
        response = await self._requester.request(
            "GET", path, path_params={"id": order_id}, params={"fields": selection}
        )
        body = json_body(response, method="GET", path=path)
        value = body.get("value") if isinstance(body, dict) else None
        lines = value.get("orderLines") if isinstance(value, dict) else None
        if not isinstance(lines, list):
            raise UnexpectedResponse("order answer has no 'orderLines' list", method="GET", path=path)
        return [self._parse(line, "GET", path) for line in lines]
