"""One entity's Tripletex collection as the engine uses it: scans, batched fetches, searches, timestamps.

* ``scan()`` lists every record with ``fields=id,version`` plus the match keys (to match locally
  without one search per record) — customers twice, because ``GET /customer`` hides inactive
  customers unless ``isInactive=true``; orders within the configured order-date window.
  ``scan_compact()`` is the same read kept small (``Scan``: versions and the match-key index, not
  the records): what a pass holds for the whole entity. Over Tripletex's 10,000-row limit active
  customers can only be listed by blocks of customer numbers (one call per ``NUMBER_BLOCK``); the
  client, knowing nothing of the numbering, first tries the whole list and an id probe (both
  refused), then walks from number 1 until eight blocks in a row are empty. Given the lowest and
  highest number of the previous scan (``numbers``), the walk starts at the lowest and goes past the
  highest only while blocks are used up to their end: new customers are numbered upwards. A customer
  numbered by hand below all others, or far above, is listed by the next scan without ``numbers``
  (the full reconcile).
* ``fetch(ids)`` reads only the given records with the mapping's ``fields``, ``id=``/``ids=`` lists in
  chunks; records the list did not return (an order outside the window) are read one by one, and
  absent ones (404) are simply not in the result.
* ``search(criteria)`` finds records by natural key (recovery of a create whose answer was lost).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast
from zoneinfo import ZoneInfo

from shopsync.mapping import Mapping as FieldMapping
from shopsync.tripletex import Customer, NotFound, Order, Product, Resource, TripletexClient, TripletexModel

from .context import RESOURCES, EngineOptions
from .partitions import PARTITIONED, cuts_for

__all__ = ["Scan", "TripletexSide", "TxRecord", "normalise_key", "record_value"]

OSLO = ZoneInfo("Europe/Oslo")
#: A Tripletex record of one of the synced entities.
TxRecord: TypeAlias = Customer | Product | Order
_MODELS: dict[str, type[TxRecord]] = {"customer": Customer, "product": Product, "order": Order}
#: Rows per page of a ``fields=id,version`` scan (tiny rows): the most a list may match, so a list
#: Tripletex serves at all takes one call. No maximum ``count`` is documented (other readers use
#: 5,000); a server giving fewer rows than asked is paged on by ``fullResultSize``, nothing is lost.
SCAN_PAGE = 10_000
#: Top-level properties fetched besides the mapped ones.
_EXTRA: dict[str, tuple[str, ...]] = {"order": ("isClosed",)}
#: Scanned besides id, version and the match keys (customers: the number, for ``Scan.numbers``).
_SCAN_EXTRA: dict[str, tuple[str, ...]] = {
    "customer": ("customerNumber",),
    **{entity: (p.prop,) for entity, p in PARTITIONED.items()},
}
#: Scanned records whose links are looked up at once (``scan_compact``).
INDEX_BLOCK = 2_000
#: Rows a Tripletex list may match (more is refused with 422 code 23000).
LIST_LIMIT = 10_000
#: Customer numbers per block of a numbered walk (the client's ``id_block_size``: URL length).
NUMBER_BLOCK = 500


def normalise_key(value: Any) -> str | None:
    """A match-key value in comparable form: no blanks, case-folded; None when empty."""
    if value is None:
        return None
    text = "".join(str(value).split()).casefold()
    return text or None


def record_value(record: TripletexModel | Mapping[str, Any], path: str) -> Any:
    """The value at a dotted property path of a Tripletex record."""
    node: Any = record
    for part in path.split("."):
        # Attributes, not a model_dump of the whole record per value (the models have no aliases;
        # extra properties are attributes too).
        if isinstance(node, TripletexModel):
            node = getattr(node, part, None)
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            return None
    return node.model_dump(by_alias=True) if isinstance(node, TripletexModel) else node


@dataclass
class Scan:
    """A complete ``scan()`` kept small: each record's version and the match-key index, no records."""

    #: Tripletex id → version (None when Tripletex sent none).
    versions: dict[int, int | None] = field(default_factory=dict)
    #: Match key → normalised value → ids (``TripletexSide.index``), of the records not linked when
    #: listed (a linked record is never a match candidate: it only costs memory, 0.3 KB a record).
    index: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    #: Customers: active ones listed, and the lowest and highest customer number among them.
    active: int = 0
    numbers: tuple[int, int] | None = None
    #: Orders and products: where the next scan cuts the listing (``partitions``; empty: no need),
    #: and the rows listed per order date or product price.
    cuts: list[str] | None = None
    counts: Counter[str] = field(default_factory=Counter)

    def __contains__(self, tripletex_id: object) -> bool:
        return tripletex_id in self.versions

    def __len__(self) -> int:
        return len(self.versions)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


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
        self.scan_fields = _selection(
            [
                "id",
                "version",
                *self.match_paths.values(),
                *_EXTRA.get(entity, ()),
                *_SCAN_EXTRA.get(entity, ()),
            ]
        )

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

    async def scan_compact(
        self,
        numbers: tuple[int, int] | None = None,
        cuts: list[str] | None = None,
        linked: Callable[[list[int]], Collection[int]] | None = None,
    ) -> Scan:
        """``scan()`` without holding the records: each is reduced to its version and index entries as
        it arrives (a scan of 100,000 customers as models would take hundreds of megabytes).

        ``numbers`` (customers): the lowest and highest customer number of the previous scan, which
        listed more active customers than Tripletex lists at once: walk the numbers from there (see
        the module docstring). ``cuts`` (orders, products): the previous scan's ``Scan.cuts``, list
        those parts (``partitions``). ``linked``: which of these ids are linked, asked per block of
        records; those are left out of the index."""
        out = Scan(index={key: {} for key in self.match_paths})
        block: list[TxRecord] = []

        def index_block() -> None:
            skip = linked([r.id for r in block if r.id is not None]) if linked is not None else ()
            for r in block:
                if r.id is not None and r.id not in skip:
                    self.add_to_index(out.index, r.id, r)
            block.clear()

        partition = PARTITIONED.get(self.entity)
        counts: Counter[str] = Counter()
        for variant in self._variants():
            if numbers is not None and variant.get("is_inactive") is False:
                rows = self._number_walk(numbers[0], numbers[1], variant)
            elif partition is not None and cuts:
                rows = self._parts(partition.parts(cuts, self.window()), variant)
            else:
                rows = self.resource.iterate(
                    fields=self.scan_fields, page_size=SCAN_PAGE, **variant, **self.window()
                )
            async for record in rows:
                if record.id is None:
                    continue
                out.versions[record.id] = record.version
                block.append(record)
                if len(block) >= INDEX_BLOCK:
                    index_block()
                if partition is not None and (value := partition.value(record)) is not None:
                    counts[value] += 1
                number = getattr(record, "customerNumber", None)
                if variant.get("is_inactive") is False:
                    out.active += 1
                    if isinstance(number, int):
                        low, high = out.numbers or (number, number)
                        out.numbers = (min(low, number), max(high, number))
        index_block()
        if partition is not None:
            out.counts = counts
            out.cuts = self.cuts(counts)
        return out

    def cuts(self, counts: Counter[str]) -> list[str]:
        """Where to cut the next listing of rows counted per value (none when one call lists them)."""
        partition = PARTITIONED.get(self.entity)
        if partition is None or counts.total() <= LIST_LIMIT:
            return []
        return cuts_for(counts, partition)

    async def _parts(self, parts: list[dict[str, Any]], variant: dict[str, Any]) -> AsyncIterator[TxRecord]:
        """The records of each part of a cut listing in turn (a part grown too large the client splits)."""
        for part in parts:
            async for record in self.resource.iterate(
                fields=self.scan_fields, page_size=SCAN_PAGE, **variant, **part
            ):
                yield record

    async def _number_walk(self, low: int, high: int, variant: dict[str, Any]) -> AsyncIterator[TxRecord]:
        """Active customers in blocks of ``NUMBER_BLOCK`` numbers from ``low``, past ``high`` for as
        long as the last block is used up to its last number (new customers are numbered upwards: a
        block whose highest customer comes before its end holds the newest)."""
        start = low
        while True:
            last = None
            block = list(range(start, start + NUMBER_BLOCK))
            async for record in self.resource.iterate(
                fields=self.scan_fields, page_size=SCAN_PAGE, customer_account_number=block, **variant
            ):
                number = getattr(record, "customerNumber", None)
                if isinstance(number, int):
                    last = number if last is None else max(last, number)
                yield record
            start += NUMBER_BLOCK
            if start > high and (last is None or last < start - 1):
                return

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

    async def lookup(self, views: Iterable[Mapping[str, Any]]) -> dict[int, TxRecord]:
        """The records carrying any of these views' match-key values (id, version, match keys), found by
        searching instead of scanning — for a few unlinked records outside a full pass.

        Per view, key by key (most reliable first) until one finds something, as matching decides; a
        case-insensitive key is searched once more in lower case when the exact value finds nothing;
        inactive customers are searched as well (the scan lists them too). ``index()`` of the result
        matches these views exactly as the index of a complete scan would.
        """
        out: dict[int, TxRecord] = {}
        for view in views:
            around = view.get("order_date") if self.entity == "order" else None
            window = self.window(_as_date(around)) if around else self.window()
            for match in self.mapping.match_keys(self.entity):
                if normalise_key(view.get(match.key)) is None:
                    continue
                text = str(view[match.key]).strip()
                probes = [text]
                entry = self.mapping.entity(self.entity).entry(match.key)[0]
                if getattr(entry, "compare", None) == "casefold" and text.casefold() != text:
                    probes.append(text.casefold())
                found = await self._probe(match.tripletex_param, probes, window)
                out.update(found)
                if found:
                    break
        return out

    async def _probe(self, param: str, probes: list[str], window: Mapping[str, Any]) -> dict[int, TxRecord]:
        found: dict[int, TxRecord] = {}
        for probe in probes:
            for variant in self._variants():
                filters: dict[str, Any] = {param: probe, **variant, **window}
                async for r in self.resource.iterate(fields=self.scan_fields, **filters):
                    if r.id is not None:
                        found[int(r.id)] = r
            if found:
                break
        return found

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
            self.add_to_index(out, tid, record)
        return out

    def add_to_index(self, index: dict[str, dict[str, list[int]]], tid: int, record: TxRecord) -> None:
        """Add one record to an ``index()``."""
        for key, path in self.match_paths.items():
            value = normalise_key(record_value(record, path))
            if value is not None:
                index[key].setdefault(value, []).append(tid)
