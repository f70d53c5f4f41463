"""One entity's Tripletex collection as the engine uses it: scans, batched fetches, searches, timestamps.

* ``scan()`` lists every record with ``fields=id,version`` plus the match keys (to match locally
  without one search per record) — customers twice, because ``GET /customer`` hides inactive
  customers unless ``isInactive=true``; orders within the configured order-date window.
* ``fetch(ids)`` reads only the given records with the mapping's ``fields``, ``id=``/``ids=`` lists in
  chunks; records the list did not return (an order outside the window) are read one by one, and
  absent ones (404) are simply not in the result.
* ``search(criteria)`` finds records by natural key (recovery of a create whose answer was lost).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, TypeAlias, cast
from zoneinfo import ZoneInfo

from shopsync.mapping import Mapping as FieldMapping
from shopsync.tripletex import Customer, NotFound, Order, Product, Resource, TripletexClient, TripletexModel

from .context import RESOURCES, EngineOptions

__all__ = ["TripletexSide", "TxRecord", "normalise_key", "record_value"]

OSLO = ZoneInfo("Europe/Oslo")
#: A Tripletex record of one of the synced entities.
TxRecord: TypeAlias = Customer | Product | Order
_MODELS: dict[str, type[TxRecord]] = {"customer": Customer, "product": Product, "order": Order}
#: Rows per page of a ``fields=id,version`` scan (tiny rows). No maximum ``count`` is documented;
#: 5,000 is what other Tripletex readers use in production.
SCAN_PAGE = 5_000
#: Top-level properties fetched besides the mapped ones.
_EXTRA: dict[str, tuple[str, ...]] = {"order": ("isClosed",)}


def normalise_key(value: Any) -> str | None:
    """A match-key value in comparable form: no blanks, case-folded; None when empty."""
    if value is None:
        return None
    text = "".join(str(value).split()).casefold()
    return text or None


def record_value(record: TripletexModel | Mapping[str, Any], path: str) -> Any:
    """The value at a dotted property path of a Tripletex record."""
    node: Any = record.model_dump(by_alias=True) if isinstance(record, TripletexModel) else record
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _selection(paths: Iterable[str]) -> str:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for part in path.split("."):
            node = node.setdefault(part, {})

    def render(node: dict[str, Any]) -> str:
        return ",".join(f"{k}({render(v)})" if v else k for k, v in node.items())

    return render(tree)


class TripletexSide:
    """Reads of one entity's Tripletex records, shaped for change detection and matching."""

    def __init__(
        self, client: TripletexClient, mapping: FieldMapping, entity: str, options: EngineOptions
    ) -> None:
        self.client = client
        self.mapping = mapping
        self.entity = entity
        self.options = options
        self.resource: Resource[Any] = getattr(client, RESOURCES[entity])
        self.model = _MODELS[entity]
        #: Match key (row key) → Tripletex property path, most reliable first.
        self.match_paths: dict[str, str] = {
            m.key: mapping.entity(entity).entry(m.key)[0].tripletex for m in mapping.match_keys(entity)
        }
        self.full_fields = mapping.fields(entity, extra=_EXTRA.get(entity, ()))
        self.scan_fields = _selection(["id", "version", *self.match_paths.values(), *_EXTRA.get(entity, ())])

    # ------------------------------------------------------------------ query shapes

    def window(self, around: dt.date | None = None) -> dict[str, Any]:
        """Orders: the order-date window (around one date, or the configured look-back); else empty."""
        if self.entity != "order":
            return {}
        today = dt.datetime.now(OSLO).date()
        if around is not None:
            return {
                "order_date_from": around - dt.timedelta(days=1),
                "order_date_to": around + dt.timedelta(2),
            }
        start = today - dt.timedelta(days=self.options.order_window_days)
        return {"order_date_from": start, "order_date_to": today + dt.timedelta(days=2)}

    def _variants(self) -> list[dict[str, Any]]:
        # GET /customer returns active customers only unless isInactive=true: ask for both.
        if self.entity == "customer":
            return [{"is_inactive": False}, {"is_inactive": True}]
        return [{}]

    def in_window(self, order_date: Any) -> bool:
        """Whether an order date (ISO text or date) lies in the scan window (non-orders: always)."""
        if self.entity != "order":
            return True
        if order_date is None:
            return False
        day = order_date if isinstance(order_date, dt.date) else dt.date.fromisoformat(str(order_date))
        window = self.window()
        return bool(window["order_date_from"] <= day < window["order_date_to"])

    # ------------------------------------------------------------------ reads

    async def scan(self) -> dict[int, TxRecord]:
        """Every record (within the window) with id, version and the match keys; complete or raises."""
        out: dict[int, TxRecord] = {}
        for variant in self._variants():
            rows = self.resource.iterate(
                fields=self.scan_fields, page_size=SCAN_PAGE, **variant, **self.window()
            )
            async for record in rows:
                if record.id is not None:
                    out[record.id] = record
        return out

    async def scan_dates(self, first: dt.date, last: dt.date) -> dict[int, TxRecord]:
        """Orders dated ``first``..``last`` (inclusive) with id, version and the match keys."""
        window: dict[str, Any] = {"order_date_from": first, "order_date_to": last + dt.timedelta(days=1)}
        out: dict[int, TxRecord] = {}
        async for record in self.resource.iterate(fields=self.scan_fields, page_size=SCAN_PAGE, **window):
            if record.id is not None:
                out[record.id] = record
        return out

    async def changed_since(self, since: dt.datetime) -> dict[int, TxRecord]:
        """Customers changed since ``since`` (Tripletex's ``changedSince``), with the mapped fields."""
        out: dict[int, TxRecord] = {}
        for variant in self._variants():
            async for record in self.resource.iterate(
                fields=self.full_fields, changed_since=since, **variant
            ):
                if record.id is not None:
                    out[record.id] = record
        return out

    async def fetch(self, ids: Iterable[int]) -> dict[int, TxRecord]:
        """The given records with the mapped fields; absent ones are left out."""
        wanted = sorted({int(i) for i in ids})
        out: dict[int, TxRecord] = {}
        id_filter = "ids" if self.entity == "product" else "id"
        chunk = self.options.id_chunk
        for variant in self._variants():
            # Ask the next variant (inactive customers) only for what the previous one did not return.
            todo = [i for i in wanted if i not in out]
            for start in range(0, len(todo), chunk):
                filters = {id_filter: todo[start : start + chunk], **variant, **self.window()}
                async for record in self.resource.iterate(fields=self.full_fields, **filters):
                    if record.id is not None:
                        out[record.id] = record
        for missing in (i for i in wanted if i not in out):
            found = await self.get(missing)
            if found is not None:
                out[missing] = found
        return out

    async def get(self, tripletex_id: int, *, fields: str | None = None) -> TxRecord | None:
        """One record with the mapped fields (or ``fields``); None if it does not exist."""
        try:
            return cast(TxRecord, await self.resource.get(tripletex_id, fields=fields or self.full_fields))
        except NotFound:
            return None

    async def search_each(self, criteria: Mapping[str, Any]) -> AsyncIterator[tuple[str, list[TxRecord]]]:
        """Per natural key in ``criteria`` (``{row key: value}``), most reliable first: the records having it.

        ``order_date`` narrows an order search to the days around it.
        """
        around = criteria.get("order_date")
        window = self.window(dt.date.fromisoformat(str(around)) if around else None)
        for match in self.mapping.match_keys(self.entity):
            value = criteria.get(match.key)
            if value in (None, ""):
                continue
            filters: dict[str, Any] = {match.tripletex_param: str(value), **window}
            yield match.key, [r async for r in self.resource.iterate(fields=self.full_fields, **filters)]

    async def search(self, criteria: Mapping[str, Any]) -> list[TxRecord]:
        """The records of the first natural key in ``criteria`` that finds any."""
        async for _key, found in self.search_each(criteria):
            if found:
                return found
        return []

    async def last_changed(self, tripletex_id: int) -> dt.datetime | None:
        """When the record last changed in Tripletex (from its ``changes`` list), if Tripletex says."""
        record = await self.get(tripletex_id, fields="id,changes")
        stamps = []
        for change in (record.changes if record is not None else None) or []:
            if change.timestamp:
                try:
                    moment = dt.datetime.fromisoformat(change.timestamp)
                except ValueError:
                    continue
                stamps.append(moment if moment.tzinfo else moment.replace(tzinfo=OSLO))
        return max(stamps) if stamps else None

    def index(self, records: Mapping[int, TxRecord]) -> dict[str, dict[str, list[int]]]:
        """Match key → normalised value → ids, for matching webshop records without searches."""
        out: dict[str, dict[str, list[int]]] = {key: {} for key in self.match_paths}
        for tid, record in records.items():
            for key, path in self.match_paths.items():
                value = normalise_key(record_value(record, path))
                if value is not None:
                    out[key].setdefault(value, []).append(tid)
        return out
