"""Fills the mapping's ``Resolver``: Tripletex reference data (VAT types, countries, currencies) and links.

Reference data costs three list calls, so it is loaded only when a pass actually maps a Tripletex
record or writes one (an idle pass never needs it): ``References.resolver()`` loads it on first use.
Webshop views need only the shop settings, so ``References.shop_resolver`` is there from the start.
Links come from the state store, cached per entity; ``prefetch`` reads many at once before a batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import structlog

from shopsync.connectors.base import ShopSettings
from shopsync.mapping import Block, TableResolver
from shopsync.mapping import Mapping as FieldMapping
from shopsync.state import StateStore
from shopsync.tripletex import TripletexClient

__all__ = ["EngineResolver", "References"]

log = structlog.get_logger("shopsync.engine")


class EngineResolver(TableResolver):
    """A ``TableResolver`` whose link lookups fall back to the state store (and remember the answer)."""

    def __init__(self, store: StateStore | None = None, **tables: object) -> None:
        super().__init__(**tables)  # type: ignore[arg-type]
        self._store = store

    def tripletex_id(self, entity: str, webshop_id: str) -> int | None:
        """Linked Tripletex id (from the cache, else the store)."""
        found = super().tripletex_id(entity, webshop_id)
        if found is None and self._store is not None:
            found = self._store.tripletex_id_for(entity, str(webshop_id))
            if found is not None:
                self.link(entity, str(webshop_id), found)
        return found

    def webshop_id(self, entity: str, tripletex_id: int) -> str | None:
        """Linked webshop id (from the cache, else the store)."""
        found = super().webshop_id(entity, tripletex_id)
        if found is None and self._store is not None:
            found = self._store.webshop_id_for(entity, int(tripletex_id))
            if found is not None:
                self.link(entity, found, int(tripletex_id))
        return found

    def prefetch(
        self, entity: str, *, webshop_ids: Iterable[str] = (), tripletex_ids: Iterable[int] = ()
    ) -> None:
        """Read the links of many records in two queries instead of one per record."""
        if self._store is None:
            return
        for webshop_id, tripletex_id in self._store.tripletex_ids_for(entity, webshop_ids).items():
            self.link(entity, webshop_id, tripletex_id)
        for tripletex_id, webshop_id in self._store.webshop_ids_for(entity, tripletex_ids).items():
            self.link(entity, webshop_id, tripletex_id)

    def prefetch_views(self, mapping: FieldMapping, entity: str, views: Iterable[Mapping[str, Any]]) -> None:
        """Prefetch the links every ``link`` reference of these webshop views points at."""
        wanted: dict[str, set[str]] = {}
        for entry in mapping.entity(entity).entries:
            rows = entry.rows if isinstance(entry, Block) else (entry,)
            for row in rows:
                if row.ref is None or row.ref.kind != "link" or row.ref.target is None:
                    continue
                for view in views:
                    values = view.get(entry.key)
                    items = values if isinstance(values, list) else [values]
                    for item in items:
                        value = (
                            item.get(row.key)
                            if isinstance(entry, Block) and isinstance(item, Mapping)
                            else item
                        )
                        if value is not None and not isinstance(value, Mapping | list):
                            wanted.setdefault(row.ref.target, set()).add(str(value))
        for target, ids in wanted.items():
            self.prefetch(target, webshop_ids=ids)

    def vat_rates(self) -> dict[int, Decimal]:
        """Every known VAT type id and its percentage (for order totals)."""
        return dict(self._rates)


class References:
    """Per pass: the shop-settings resolver now, the full resolver when first needed."""

    def __init__(self, tripletex: TripletexClient, store: StateStore, shop: ShopSettings) -> None:
        self._tripletex = tripletex
        self._store = store
        self.shop = shop
        #: Enough for webshop views (they only read the shop settings).
        self.shop_resolver = EngineResolver(None, shop=shop)
        self._full: EngineResolver | None = None
        self._loading = asyncio.Lock()  # concurrent first users share one load

    @property
    def loaded(self) -> bool:
        """Whether the Tripletex reference data has been fetched in this pass."""
        return self._full is not None

    async def resolver(self) -> EngineResolver:
        """The full resolver, fetching outgoing VAT types, countries and currencies the first time."""
        async with self._loading:
            if self._full is None:
                await self._load()
        assert self._full is not None
        return self._full

    async def _load(self) -> None:
        tx = self._tripletex
        vat_types = [v async for v in tx.vat_types.iterate(type_of_vat="OUTGOING")]
        countries = [c async for c in tx.countries.iterate(fields="id,isoAlpha2Code")]
        currencies = [c async for c in tx.currencies.iterate(fields="id,code")]
        self._full = EngineResolver(
            self._store, shop=self.shop, vat_types=vat_types, countries=countries, currencies=currencies
        )
        log.debug(
            "engine.references_loaded",
            vat_types=len(vat_types),
            countries=len(countries),
            currencies=len(currencies),
        )
