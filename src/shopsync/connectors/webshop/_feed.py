"""The change feed: every change exactly once, across pages, ties, resumes and unstable paging.

The connector's cursor (opaque to the engine) is a compressed JSON ``Position``:

- ``since``: the newest ``updated_at`` delivered so far;
- ``seen``: what was delivered at or near ``since`` (``id:digest`` keys grouped by timestamp), so that
  re-reading the boundary (an inclusive filter, the overlap window) delivers nothing twice, while a
  record that changed again within the same (coarse) timestamp still comes through (new digest);
- ``server``: the shop's own cursor while a cursor-style feed is part-way through.

Three ways to scan, picked from the configuration:

- cursor style (the contract): follow the shop's keyset cursor; records sharing one ``updated_at`` are
  neither skipped nor repeated by construction;
- page/offset/link style with a change filter (WooCommerce products, orders): request
  ``filter = since - overlap`` sorted ascending; after each page move the filter up to the newest
  timestamp seen and restart at the first page (keyset emulation, immune to pages shifting while a
  record is modified mid-scan); only when a whole page shares one timestamp go to the next page number;
- no usable filter (WooCommerce customers ignore ``modified_after``): read everything, keep what is at
  or after ``since - overlap``; the position only advances once the scan is complete, because an
  unsorted scan may still hold older changes further on.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import structlog

from ._config import ChangeFeedConfig, WebshopAPIConfig
from ._exceptions import MappingError, WebshopError
from ._http import HttpClient
from ._mapping import RecordMapper
from ._paging import PageRef, fetch_page
from .models import ChangePage, Record, Rejected, ShopSettings, Tombstone

__all__ = ["ChangeFeed", "Position"]

log = structlog.get_logger("shopsync.connectors.webshop")
_UTC = dt.UTC


def _micros(moment: dt.datetime) -> int:
    return int((moment - dt.datetime(1970, 1, 1, tzinfo=_UTC)) // dt.timedelta(microseconds=1))


def _from_micros(value: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=_UTC) + dt.timedelta(microseconds=value)


def _digest(raw: dict[str, Any]) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(canonical.encode(), digest_size=6).hexdigest()


@dataclass
class Position:
    """Where a change feed stands; serialised as the opaque cursor string."""

    since: dt.datetime | None = None
    #: Delivered items near ``since``: timestamp (µs) → ``id:digest`` keys.
    seen: dict[int, set[str]] = field(default_factory=dict)
    server: str | None = None

    def encode(self) -> str:
        data = {
            "v": 1,
            "since": _micros(self.since) if self.since else None,
            "seen": {str(ts): sorted(keys) for ts, keys in sorted(self.seen.items())},
            "server": self.server,
        }
        packed = zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 9)
        return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, cursor: str | None) -> Position:
        if not cursor:
            return cls()
        try:
            packed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            data = json.loads(zlib.decompress(packed))
            return cls(
                since=_from_micros(data["since"]) if data["since"] is not None else None,
                seen={int(ts): set(keys) for ts, keys in data["seen"].items()},
                server=data["server"],
            )
        except (ValueError, KeyError, TypeError, zlib.error) as exc:
            raise WebshopError(f"not a cursor of this connector: {cursor[:40]!r}") from exc

    def was_seen(self, key: str, stamp: int) -> bool:
        return key in self.seen.get(stamp, ())

    def advance(self, stamp: int) -> None:
        if self.since is None or stamp > _micros(self.since):
            self.since = _from_micros(stamp)

    def mark(self, key: str, stamp: int) -> None:
        self.seen.setdefault(stamp, set()).add(key)
        self.advance(stamp)

    def prune(self, overlap: float) -> None:
        """Forget what lies before the window the next scan re-reads."""
        if self.since is None:
            return
        cutoff = _micros(self.since - dt.timedelta(seconds=overlap))
        self.seen = {ts: keys for ts, keys in self.seen.items() if ts >= cutoff}


@dataclass
class _Absorbed:
    """A translated page: what to deliver, and the timestamp of its first item (delivered or not)."""

    items: list[Record] = field(default_factory=list)
    tombstones: list[Tombstone] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    first_stamp: dt.datetime | None = None


class ChangeFeed:
    """Scans one resource's changes and yields ``ChangePage`` objects with a resumable cursor."""

    def __init__(
        self, http: HttpClient, config: WebshopAPIConfig, mapper: RecordMapper, settings: ShopSettings
    ) -> None:
        self.http = http
        self.config = config
        self.mapper = mapper
        self.settings = settings
        self.feed: ChangeFeedConfig = config.feed(mapper.resource)
        rc = config.resource(mapper.resource)
        self.path = rc.path
        self.base_params = {**rc.list_params, **self.feed.params}

    def _bound(self, pos: Position) -> dt.datetime | None:
        return None if pos.since is None else pos.since - dt.timedelta(seconds=self.feed.overlap_seconds)

    def _absorb(self, raw_items: list[dict[str, Any]], pos: Position, floor: dt.datetime | None) -> _Absorbed:
        """Translate a page, dropping what was already delivered (and, for full scans, what is old)."""
        out = _Absorbed()
        for raw in raw_items:
            try:
                tomb = self.mapper.tombstone(raw, self.feed.tombstone_flag) if self.feed.tombstones else None
                entry: Record | Tombstone = tomb or self.mapper.to_contract(raw, self.settings)
            except MappingError as exc:
                # One untranslatable record must not block the feed forever: hand it over as rejected.
                log.warning(
                    "webshop.feed_rejected", resource=self.mapper.resource, id=exc.record_id, error=str(exc)
                )
                out.rejected.append(Rejected(id=exc.record_id, error=str(exc), field=exc.field))
                continue
            moment = entry.updated_at or pos.since or dt.datetime(1970, 1, 1, tzinfo=_UTC)
            if out.first_stamp is None:
                out.first_stamp = moment
            if floor is not None and moment < floor:
                continue
            key, stamp = f"{entry.id}:{_digest(raw)}", _micros(moment)
            if pos.was_seen(key, stamp):
                pos.advance(stamp)
                continue
            pos.mark(key, stamp)
            if isinstance(entry, Tombstone):
                out.tombstones.append(entry)
            else:
                out.items.append(entry)
        return out

    def _page(self, pos: Position, parts: _Absorbed) -> ChangePage:
        return ChangePage(
            resource=self.mapper.resource,
            items=parts.items,
            tombstones=parts.tombstones,
            rejected=parts.rejected,
            cursor=pos.encode(),
        )

    def _params(self, bound: dt.datetime | None) -> dict[str, str]:
        params = dict(self.base_params)
        if bound is not None and self.feed.since_param:
            params[self.feed.since_param] = self.feed.since_format.format(bound)
        return params

    async def pages(self, cursor: str | None) -> AsyncIterator[ChangePage]:
        """The changes after ``cursor`` (from the beginning when None), page by page."""
        pos = Position.decode(cursor)
        if self.feed.since_param is None:
            async for page in self._full_scan(pos):
                yield page
        elif self.config.pagination.style == "cursor":
            async for page in self._keyset(pos):
                yield page
        else:
            async for page in self._window(pos):
                yield page

    async def _keyset(self, pos: Position) -> AsyncIterator[ChangePage]:
        cfg = self.config.pagination
        ref = PageRef(cursor=pos.server) if pos.server else None
        params = self._params(self._bound(pos) if ref is None else None)
        while True:
            raw = await fetch_page(self.http, cfg, self.path, params, ref)
            parts = self._absorb(raw.items, pos, None)
            pos.server = raw.next.cursor if raw.next else None
            pos.prune(self.feed.overlap_seconds)
            yield self._page(pos, parts)
            if raw.next is None:
                return
            ref = raw.next

    async def _window(self, pos: Position) -> AsyncIterator[ChangePage]:
        cfg = self.config.pagination
        pos.server = None
        bound = self._bound(pos)
        ref: PageRef | None = None
        while True:
            raw = await fetch_page(self.http, cfg, self.path, self._params(bound), ref)
            parts = self._absorb(raw.items, pos, None)
            if ref is not None and parts.first_stamp is not None and pos.since is not None:
                # This page was reached by page number: a record modified meanwhile may have shifted an
                # unread one to before this page's start. The position never moves past that start.
                pos.since = min(pos.since, parts.first_stamp)
            pos.prune(self.feed.overlap_seconds)
            yield self._page(pos, parts)
            if raw.next is None:
                return
            new_bound = self._bound(pos)
            if new_bound is not None and (bound is None or new_bound > bound):
                bound, ref = new_bound, None  # the window moved: restart at its first page
            else:
                ref = raw.next  # the window is full of one timestamp range: only the page number can move on

    async def _full_scan(self, pos: Position) -> AsyncIterator[ChangePage]:
        cfg = self.config.pagination
        floor = self._bound(pos)
        start_since = pos.since
        ref: PageRef | None = None
        while True:
            raw = await fetch_page(self.http, cfg, self.path, self.base_params, ref)
            parts = self._absorb(raw.items, pos, floor)
            if raw.next is None:
                pos.prune(self.feed.overlap_seconds)
                yield self._page(pos, parts)
                return
            # Mid-scan the position must not move: later pages may hold older changes.
            mid = Position(since=start_since, seen={ts: set(k) for ts, k in pos.seen.items()})
            yield self._page(mid, parts)
            ref = raw.next
