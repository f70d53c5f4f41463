"""Encode list-call arguments as Tripletex query parameters, and cache answers for ``If-None-Match``.

Python names may be snake_case (``order_date_from``) or the API's camelCase; dates become
``YYYY-MM-DD``, datetimes ``YYYY-MM-DDThh:mm:ss`` in Oslo time, booleans ``true``/``false``, and
sequences comma-joined ("List of IDs") unless the spec types the parameter as an array.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._endpoints import Endpoint
from ._paging import Page, Query

__all__ = ["OSLO", "DigestCache", "FilterValue", "encode_filters"]

try:
    #: Tripletex's time zone: session expiry and DateTime parameters are Norwegian local time.
    OSLO: dt.tzinfo = ZoneInfo("Europe/Oslo")
except ZoneInfoNotFoundError:  # pragma: no cover - machines without tz data; CET is close enough
    OSLO = dt.timezone(dt.timedelta(hours=1), "CET")

Scalar: TypeAlias = str | int | float | Decimal | bool | dt.date | dt.datetime
FilterValue: TypeAlias = Scalar | Sequence[Scalar] | None


def camel(name: str) -> str:
    """``order_date_from`` -> ``orderDateFrom``; camelCase names pass unchanged."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _scalar(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(OSLO).replace(tzinfo=None)
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")  # never exponent notation ("1E+3")
    return str(value)


def encode_filters(endpoint: Endpoint, filters: Mapping[str, FilterValue]) -> Query:
    """The query parameters for ``filters`` on ``endpoint``; unknown or missing required names raise."""
    out: Query = {}
    for name, value in filters.items():
        key = camel(name)
        if key not in endpoint.filters:
            known = ", ".join(sorted(endpoint.filters)) or "none"
            raise TypeError(f"GET {endpoint.path} has no filter {name!r} (known: {known})")
        if value is None:
            continue
        if isinstance(value, str) or not isinstance(value, Sequence):
            out[key] = [_scalar(value)] if key in endpoint.array_filters else _scalar(value)
        elif key in endpoint.array_filters:
            out[key] = [_scalar(v) for v in value]
        else:
            out[key] = ",".join(_scalar(v) for v in value)
    missing = endpoint.required_filters - out.keys()
    if missing:
        raise TypeError(f"GET {endpoint.path} requires {', '.join(sorted(missing))}")
    return out


class DigestCache:
    """The last page (and its ``versionDigest``) per exact list query, bounded in size (LRU)."""

    def __init__(self, max_entries: int = 512) -> None:
        self._entries: OrderedDict[tuple[Any, ...], Page[dict[str, Any]]] = OrderedDict()
        self._max = max_entries

    @staticmethod
    def key(path: str, params: Mapping[str, Any]) -> tuple[Any, ...]:
        return (path, *sorted((k, str(v)) for k, v in params.items()))

    def get(self, key: tuple[Any, ...]) -> Page[dict[str, Any]] | None:
        page = self._entries.get(key)
        if page is not None:
            self._entries.move_to_end(key)
        return page

    def put(self, key: tuple[Any, ...], page: Page[dict[str, Any]]) -> None:
        if not page.version_digest:
            return
        self._entries[key] = page
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
