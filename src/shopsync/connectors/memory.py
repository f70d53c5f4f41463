"""``MemoryConnector``: a complete in-memory shop behind the ``Connector`` protocol, for engine tests.

It keeps the contract's rules (versions and If-Match, idempotency keys that replay, unique SKUs and
order numbers, tombstones, a change feed ordered by change) and records every protocol call in
``calls`` so tests can assert what the engine did. Faults are injected with ``fail_next``; a fault
``after_commit`` performs the write and then raises (the ambiguous case a lost answer creates).
Setting up data with ``put`` is not recorded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from shopsync.connectors.base import (
    Capabilities,
    ChangePage,
    Conflict,
    NotFound,
    PreconditionFailed,
    Record,
    Resource,
    ShopSettings,
    Tombstone,
    ValidationFailed,
    WebshopError,
)
from shopsync.connectors.webshop._patch import dump_partial, merge_patch
from shopsync.connectors.webshop.models import RESOURCES, model_for

__all__ = ["Call", "MemoryConnector"]

_SERVER_FIELDS = ("id", "created_at", "updated_at", "version")
# Unique among live records, as in the reference shop (e-mail addresses may repeat).
_UNIQUE: dict[Resource, str] = {"products": "sku", "orders": "number"}


@dataclass(frozen=True)
class Call:
    """One protocol call: the method name, the resource (if any) and the arguments."""

    method: str
    resource: Resource | None = None
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Fault:
    error: Exception
    after_commit: bool


@dataclass
class _Stored:
    doc: dict[str, Any] | None  # None once deleted (a tombstone)
    seq: int
    updated_at: dt.datetime


class MemoryConnector:
    """An in-memory shop speaking the ``Connector`` protocol; every call lands in ``calls``."""

    def __init__(
        self,
        settings: ShopSettings | None = None,
        *,
        page_size: int = 100,
        tombstones: bool = True,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.settings = settings or ShopSettings()
        self.page_size = page_size
        self.tombstones = tombstones
        self.calls: list[Call] = []
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._seq = itertools.count(1)
        self._ids = itertools.count(1001)
        self._rows: dict[Resource, dict[str, _Stored]] = {r: {} for r in RESOURCES}
        self._keys: dict[str, tuple[str, Record]] = {}
        self._faults: dict[str, list[_Fault]] = {}

    def __repr__(self) -> str:
        counts = {r: len(self.records(r)) for r in RESOURCES}
        return f"MemoryConnector(records={counts}, calls={len(self.calls)})"

    # ---------------------------------------------------------------- test helpers (not recorded)

    def fail_next(self, method: str, error: Exception, *, times: int = 1, after_commit: bool = False) -> None:
        """Make the next ``times`` calls of ``method`` raise ``error`` (after doing the write, if asked)."""
        self._faults.setdefault(method, []).extend(_Fault(error, after_commit) for _ in range(times))

    def put(self, resource: Resource, record: Mapping[str, Any] | BaseModel) -> Record:
        """Store ``record`` as the shop would on create, without recording a call."""
        return self._store(resource, None, self._validate(resource, record))

    def records(self, resource: Resource) -> list[Record]:
        """Every live record of ``resource``, in id order."""
        model = model_for(resource)
        return [model.model_validate(row.doc) for row in self._rows[resource].values() if row.doc is not None]

    def calls_of(self, method: str) -> list[Call]:
        """The recorded calls of one method."""
        return [c for c in self.calls if c.method == method]

    # ---------------------------------------------------------------- internals

    def _record(self, method: str, resource: Resource | None, **args: Any) -> _Fault | None:
        self.calls.append(Call(method, resource, args))
        queue = self._faults.get(method)
        fault = queue.pop(0) if queue else None
        if fault is not None and not fault.after_commit:
            raise fault.error
        return fault

    def _validate(self, resource: Resource, record: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
        data = record.model_dump(mode="json") if isinstance(record, BaseModel) else dict(record)
        try:
            model = model_for(resource).model_validate(
                {k: v for k, v in data.items() if k not in _SERVER_FIELDS}
            )
        except ValidationError as exc:
            fields = [{"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]
            raise ValidationFailed(
                "invalid input", status=422, code="validation_failed", fields=fields
            ) from exc
        return model.model_dump(mode="json", exclude=set(_SERVER_FIELDS))

    def _now(self, resource: Resource) -> dt.datetime:
        # updated_at never goes backwards within a resource, so feed order and time order agree.
        now = self._clock()
        latest = max((row.updated_at for row in self._rows[resource].values()), default=now)
        return max(now, latest)

    def _store(self, resource: Resource, record_id: str | None, doc: dict[str, Any]) -> Record:
        if resource == "orders" and doc.get("number") is None:
            doc = {**doc, "number": str(100000 + len(self._rows["orders"]) + 1)}
        unique = _UNIQUE.get(resource)
        if unique is not None:
            for other_id, row in self._rows[resource].items():
                if row.doc is not None and other_id != record_id and row.doc.get(unique) == doc.get(unique):
                    raise Conflict(f"duplicate {unique}", status=409, code="conflict")
        now = self._now(resource)
        previous = self._rows[resource].get(record_id) if record_id else None
        if previous is not None and previous.doc is not None:
            stored = {
                **previous.doc,
                **doc,
                "updated_at": now.isoformat(),
                "version": previous.doc["version"] + 1,
            }
        else:
            record_id = record_id or str(next(self._ids))
            stored = {
                **doc,
                "id": record_id,
                "created_at": now.isoformat(),
                "updated_at": now.isoformat(),
                "version": 1,
            }
        assert record_id is not None
        self._rows[resource][record_id] = _Stored(stored, next(self._seq), now)
        return model_for(resource).model_validate(stored)

    def _live(self, resource: Resource, record_id: str) -> dict[str, Any]:
        row = self._rows[resource].get(record_id)
        if row is None or row.doc is None:
            raise NotFound(f"{resource}/{record_id} not found", status=404, code="not_found")
        return row.doc

    @staticmethod
    def _check(doc: dict[str, Any], if_match: int | None) -> None:
        if if_match is not None and doc["version"] != if_match:
            raise PreconditionFailed(
                f"version is {doc['version']}, not {if_match}", status=412, code="precondition_failed"
            )

    @staticmethod
    def _finish(fault: _Fault | None) -> None:
        if fault is not None:
            raise fault.error

    # ---------------------------------------------------------------- the protocol

    async def shop_settings(self) -> ShopSettings:
        self._finish(self._record("shop_settings", None))
        return self.settings

    def capabilities(self, resource: Resource) -> Capabilities:
        return Capabilities(
            tombstones=self.tombstones, conditional_writes="native", natural_key=_UNIQUE.get(resource)
        )

    async def changes(self, resource: Resource, cursor: str | None) -> AsyncIterator[ChangePage]:
        self._finish(self._record("changes", resource, cursor=cursor))
        try:
            after = int(cursor) if cursor else 0
        except ValueError:
            raise WebshopError(f"not a cursor of this connector: {cursor!r}") from None
        model = model_for(resource)
        rows = sorted(
            (row for row in self._rows[resource].items() if row[1].seq > after), key=lambda item: item[1].seq
        )
        if not rows:
            yield ChangePage(resource=resource, cursor=str(after))
            return
        for start in range(0, len(rows), self.page_size):
            chunk = rows[start : start + self.page_size]
            items: list[Record] = []
            tombstones: list[Tombstone] = []
            for record_id, row in chunk:
                if row.doc is not None:
                    items.append(model.model_validate(row.doc))
                elif self.tombstones:
                    tombstones.append(Tombstone(id=record_id, updated_at=row.updated_at))
            yield ChangePage(
                resource=resource, items=items, tombstones=tombstones, cursor=str(chunk[-1][1].seq)
            )

    async def get(self, resource: Resource, id: str) -> Record:
        self._finish(self._record("get", resource, id=id))
        return model_for(resource).model_validate(self._live(resource, id))

    async def create(
        self, resource: Resource, record: Mapping[str, Any] | BaseModel, idempotency_key: str | None = None
    ) -> Record:
        fault = self._record("create", resource, record=record, idempotency_key=idempotency_key)
        doc = self._validate(resource, record)
        fingerprint = json.dumps([resource, doc], sort_keys=True)
        if idempotency_key is not None and idempotency_key in self._keys:
            seen_fingerprint, result = self._keys[idempotency_key]
            if seen_fingerprint != fingerprint:
                raise Conflict(
                    "Idempotency-Key reused with another body", status=409, code="idempotency_conflict"
                )
            return result
        result = self._store(resource, None, doc)
        if idempotency_key is not None:
            self._keys[idempotency_key] = (fingerprint, result)
        self._finish(fault)
        return result

    async def update(
        self, resource: Resource, id: str, patch: Mapping[str, Any], if_match: int | None = None
    ) -> Record:
        fault = self._record("update", resource, id=id, patch=dict(patch), if_match=if_match)
        current = self._live(resource, id)
        self._check(current, if_match)
        clean = {k: v for k, v in dump_partial(model_for(resource), patch).items() if k not in _SERVER_FIELDS}
        merged = merge_patch({k: v for k, v in current.items() if k not in _SERVER_FIELDS}, clean)
        doc = self._validate(resource, merged)
        if doc == {k: v for k, v in current.items() if k not in _SERVER_FIELDS}:
            result = model_for(resource).model_validate(current)  # no effective change: version stays
        else:
            result = self._store(resource, id, doc)
        self._finish(fault)
        return result

    async def delete(self, resource: Resource, id: str, if_match: int | None = None) -> None:
        fault = self._record("delete", resource, id=id, if_match=if_match)
        self._check(self._live(resource, id), if_match)
        self._rows[resource][id] = _Stored(None, next(self._seq), self._now(resource))
        self._finish(fault)

    async def find(self, resource: Resource, **criteria: str) -> list[Record]:
        self._finish(self._record("find", resource, **criteria))
        return [
            r
            for r in self.records(resource)
            if all(str(getattr(r, k)) == str(v) for k, v in criteria.items())
        ]

    async def all_ids(self, resource: Resource) -> set[str]:
        self._finish(self._record("all_ids", resource))
        return {k for k, row in self._rows[resource].items() if row.doc is not None}
