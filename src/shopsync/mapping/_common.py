"""Helpers shared by the readers and writers: active entries, record normalisation, error wrapping."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel, ValidationError

from shopsync.mapping import _contract, _paths
from shopsync.mapping._contract import SHOP_PREFIX
from shopsync.mapping._errors import RecordMappingError
from shopsync.mapping._expr import Expression, to_json
from shopsync.mapping._model import EntityMapping, Entry, Row
from shopsync.mapping._resolver import Resolver
from shopsync.mapping._values import canonical

__all__ = [
    "Context",
    "active",
    "record_failure",
    "shop_value",
    "tripletex_data",
    "view_json",
    "webshop_data",
]


class Context:
    """One mapping call: the entity, the record id for errors, the shop settings as JSON."""

    def __init__(self, entity: EntityMapping, resolver: Resolver, record_id: str | int | None) -> None:
        self.entity = entity
        self.resolver = resolver
        self.record_id = record_id
        self.shop: dict[str, Any] = resolver.shop.model_dump(mode="json")
        self._shop_key = json.dumps(self.shop, sort_keys=True)

    def error(self, field: str, reason: str) -> RecordMappingError:
        """A per-record error for ``field``."""
        return RecordMappingError(self.entity.name, self.record_id, field, reason)

    def is_active(self, entry: Entry | Row) -> bool:
        """Whether the entry's ``when`` holds for this shop."""
        if entry.when is None:
            return True
        return _holds(entry.when, self._shop_key)


@functools.lru_cache(maxsize=1024)
def _holds(when: Expression, shop_key: str) -> bool:
    """A ``when`` depends on the shop settings alone: evaluated once per expression and settings, not
    once per row of every record (``shop_key``: the settings as sorted JSON)."""
    shop = json.loads(shop_key)
    return bool(when.evaluate(shop, {"shop": shop}))


def active(ctx: Context, entries: tuple[Entry, ...] | tuple[Row, ...]) -> Iterator[Any]:
    """The entries whose ``when`` holds."""
    return (e for e in entries if ctx.is_active(e))


@contextmanager
def record_failure(ctx: Context, field: str) -> Iterator[None]:
    """Turn a value or expression failure into a RecordMappingError naming ``field``."""
    try:
        yield
    except RecordMappingError:
        raise
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise ctx.error(field, str(exc)) from exc


def webshop_data(ctx: Context, record: Any) -> dict[str, Any]:
    """A contract record (model or dict) validated and in JSON form; errors name the field."""
    model = _contract.model_named(ctx.entity.webshop_model)
    if type(record) is model:
        # Built by pydantic from the shop's answer, so already valid (dumping and validating it
        # again cost a tenth of a pass).
        data: dict[str, Any] = record.model_dump(mode="json")
        return data
    try:
        if isinstance(record, BaseModel):
            record = record.model_dump(mode="python")
        validated = model.model_validate(record)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
        raise ctx.error(field or "(record)", err["msg"]) from None
    dumped: dict[str, Any] = validated.model_dump(mode="json")
    return dumped


def tripletex_data(record: Any) -> Mapping[str, Any]:
    """A Tripletex record (generated model or dict) as a dict keeping Decimals."""
    if isinstance(record, BaseModel):
        dumped: dict[str, Any] = record.model_dump(mode="python", by_alias=True)
        return dumped
    if not isinstance(record, Mapping):
        raise TypeError(f"expected a Tripletex record (dict or model), got {type(record).__name__}")
    return record


def shop_value(
    ctx: Context, row: Row, scope: Mapping[str, Any], record: Mapping[str, Any], prefix: str
) -> Any:
    """A row's canonical value computed from a webshop record (``scope`` is the record or list element)."""
    with record_failure(ctx, prefix + row.field_name):
        first = row.webshop[0] if row.webshop else None
        if first is None:
            value = None
        elif first.startswith(SHOP_PREFIX):
            value = _paths.get(ctx.shop, first[len(SHOP_PREFIX) :])
        else:
            value = _paths.get(scope, first)
        if row.to_tripletex is not None:
            value = row.to_tripletex.evaluate(
                dict(scope), {"value": value, "shop": ctx.shop, "record": dict(record)}
            )
        value = canonical(value, row.ctype)
        if row.ref is None and row.tx.enum and value is not None and value not in row.tx.enum:
            raise ValueError(f"{value!r} is not one of Tripletex's {', '.join(row.tx.enum)}")
        return value


def view_json(view: Mapping[str, Any]) -> Any:
    """A view as JSONata input (Decimals as strings)."""
    return to_json(dict(view))
