"""Reference resolution: the ``Resolver`` the mapping asks, and a table-backed implementation.

The mapping never calls Tripletex or the database itself. The sync engine fills caches (outgoing VAT
types from ``GET /ledger/vatType?typeOfVat=OUTGOING``, ``GET /country``, ``GET /currency``, its link
table) and hands the mapping a :class:`Resolver` whose methods answer from them synchronously; None means
"unknown", which the mapping turns into a per-record error naming the field.

:class:`TableResolver` is such a resolver over in-memory tables; tests use it directly and the engine
can build one from the reference data it fetched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from shopsync.connectors.webshop.models import ShopSettings

__all__ = ["PREFERRED_VAT_NUMBERS", "Resolver", "TableResolver"]

#: Standard Norwegian outgoing VAT codes, tried first when several VAT types share a rate:
#: 3 = 25 %, 31 = 15 % (food), 33 = 12 % (transport, culture…), 5 = 0 % within the VAT act.
PREFERRED_VAT_NUMBERS: tuple[str, ...] = ("3", "31", "33", "5")


@runtime_checkable
class Resolver(Protocol):
    """Answers the mapping's reference questions from caches; None means unknown."""

    @property
    def shop(self) -> ShopSettings:
        """The shop's settings (``prices_include_vat``, currency, time zone…)."""
        ...

    def vat_type_id(self, rate: Decimal) -> int | None:
        """Id of the outgoing VAT type for ``rate`` percent."""
        ...

    def vat_rate(self, vat_type_id: int) -> Decimal | None:
        """Percentage of VAT type ``vat_type_id``."""
        ...

    def country_id(self, code: str) -> int | None:
        """Tripletex id of the country with ISO 3166-1 alpha-2 ``code``."""
        ...

    def country_code(self, country_id: int) -> str | None:
        """ISO alpha-2 code of Tripletex country ``country_id``."""
        ...

    def currency_id(self, code: str) -> int | None:
        """Tripletex id of the currency with ISO 4217 ``code``."""
        ...

    def currency_code(self, currency_id: int) -> str | None:
        """ISO 4217 code of Tripletex currency ``currency_id``."""
        ...

    def tripletex_id(self, entity: str, webshop_id: str) -> int | None:
        """Tripletex id linked to webshop record ``webshop_id`` of ``entity``."""
        ...

    def webshop_id(self, entity: str, tripletex_id: int) -> str | None:
        """Webshop id linked to Tripletex record ``tripletex_id`` of ``entity``."""
        ...


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _percent(value: Any) -> Decimal:
    # Reference data may come from plain JSON; a percentage is not money, so str() of a float is fine.
    return value if isinstance(value, Decimal) else Decimal(str(value))


class TableResolver:
    """A :class:`Resolver` over in-memory tables of Tripletex reference data and links.

    ``vat_types`` must be the *outgoing* VAT types (records with ``id``, ``number``, ``percentage``);
    when several share a rate, ``preferred_vat_numbers`` decides, then the lowest id.
    """

    def __init__(
        self,
        *,
        shop: ShopSettings | None = None,
        vat_types: Iterable[Any] = (),
        countries: Iterable[Any] = (),
        currencies: Iterable[Any] = (),
        links: Mapping[str, Mapping[str, int]] | None = None,
        preferred_vat_numbers: Iterable[str] = PREFERRED_VAT_NUMBERS,
    ) -> None:
        self._shop = shop or ShopSettings()
        preferred = list(preferred_vat_numbers)
        self._rates: dict[int, Decimal] = {}
        by_rate: dict[Decimal, list[tuple[int, int]]] = {}
        for vat in vat_types:
            vid, rate = int(_get(vat, "id")), _percent(_get(vat, "percentage"))
            number = str(_get(vat, "number") or "")
            rank = preferred.index(number) if number in preferred else len(preferred)
            self._rates[vid] = rate
            by_rate.setdefault(rate.normalize(), []).append((rank, vid))
        self._vat_ids = {rate: min(options)[1] for rate, options in by_rate.items()}
        self._countries = {str(_get(c, "isoAlpha2Code")).upper(): int(_get(c, "id")) for c in countries}
        self._country_codes = {v: k for k, v in self._countries.items()}
        self._currencies = {str(_get(c, "code")).upper(): int(_get(c, "id")) for c in currencies}
        self._currency_codes = {v: k for k, v in self._currencies.items()}
        self._links: dict[str, dict[str, int]] = {}
        self._reverse: dict[str, dict[int, str]] = {}
        for entity, pairs in (links or {}).items():
            for webshop_id, tripletex_id in pairs.items():
                self.link(entity, webshop_id, tripletex_id)

    @property
    def shop(self) -> ShopSettings:
        """The shop's settings."""
        return self._shop

    def link(self, entity: str, webshop_id: str, tripletex_id: int) -> None:
        """Record that webshop ``webshop_id`` and Tripletex ``tripletex_id`` are the same ``entity``."""
        self._links.setdefault(entity, {})[str(webshop_id)] = int(tripletex_id)
        self._reverse.setdefault(entity, {})[int(tripletex_id)] = str(webshop_id)

    def vat_type_id(self, rate: Decimal) -> int | None:
        """Id of the preferred outgoing VAT type with this percentage."""
        return self._vat_ids.get(rate.normalize())

    def vat_rate(self, vat_type_id: int) -> Decimal | None:
        """Percentage of a known VAT type."""
        return self._rates.get(vat_type_id)

    def country_id(self, code: str) -> int | None:
        """Country id by ISO alpha-2 code (case-insensitive)."""
        return self._countries.get(code.upper())

    def country_code(self, country_id: int) -> str | None:
        """ISO alpha-2 code by country id."""
        return self._country_codes.get(country_id)

    def currency_id(self, code: str) -> int | None:
        """Currency id by ISO 4217 code (case-insensitive)."""
        return self._currencies.get(code.upper())

    def currency_code(self, currency_id: int) -> str | None:
        """ISO 4217 code by currency id."""
        return self._currency_codes.get(currency_id)

    def tripletex_id(self, entity: str, webshop_id: str) -> int | None:
        """Linked Tripletex id."""
        return self._links.get(entity, {}).get(str(webshop_id))

    def webshop_id(self, entity: str, tripletex_id: int) -> str | None:
        """Linked webshop id."""
        return self._reverse.get(entity, {}).get(int(tripletex_id))
