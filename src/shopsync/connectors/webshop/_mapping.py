"""Translate records between a shop's JSON and the contract, driven by ``ResourceConfig.fields``.

Reading walks the contract's fields and pulls each from the shop object (path, value map or table,
"no value" markers, computed expressions, type conversion), then validates the result with the
contract model. Writing walks the same specs backwards. Updates are computed from the current record
merged with the patch (RFC 7396), so computed fields see whole objects and lists can be diffed by id
for shops that append list elements sent without one.

A resource with no ``fields`` already speaks the contract: records pass through the model unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from ._config import FieldSpec, WebshopAPIConfig
from ._exceptions import MappingError, ValidationFailed
from ._expr import Expression, Scope, normalize_key
from ._patch import dump_partial, merge_patch, without_nulls
from ._paths import get_path, set_path
from .models import Record, Resource, ShopSettings, Tombstone, model_for

__all__ = ["SERVER_FIELDS", "RecordMapper"]

#: Assigned by the shop; never written (the contract ignores them on writes).
SERVER_FIELDS = frozenset({"id", "created_at", "updated_at", "version"})
_MISSING = object()


#: What no text field may hold: C0 control characters but tab, line feed and carriage return; DEL;
#: lone surrogates (valid JSON escapes, but not Unicode: no UTF-8 encoder or database takes them).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@lru_cache(maxsize=256)
def _expression(source: str) -> Expression:
    return Expression(source)


def _describe(exc: ValidationError) -> tuple[str, str | None]:
    """A short reason naming every field at fault (no input values: they may be huge), and the first."""
    errors = exc.errors(include_url=False, include_input=False)
    fields = [".".join(str(p) for p in e["loc"]) or "record" for e in errors]
    parts = [f"{field}: {e['msg']}" for field, e in zip(fields, errors, strict=True)]
    more = f" (and {len(parts) - 5} more)" if len(parts) > 5 else ""
    return "; ".join(parts[:5]) + more, (fields[0] if fields else None)


def _bad_text(value: Any, path: str) -> tuple[str, str] | None:
    """(field, reason) of the first string in a validated record that is not text, else None."""
    if isinstance(value, str):
        found = _NOT_TEXT.search(value)
        if found is None:
            return None
        return path, f"holds U+{ord(found.group()):04X} at position {found.start()}, which is not text"
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            problem = _bad_text(getattr(value, name), f"{path}.{name}" if path else name)
            if problem is not None:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = _bad_text(item, f"{path}.{index}")
            if problem is not None:
                return problem
    return None


class RecordMapper:
    """Both directions of the field mapping for one resource of one shop."""

    def __init__(self, resource: Resource, config: WebshopAPIConfig) -> None:
        self.resource = resource
        self.config = config
        self.rc = config.resource(resource)
        self.model = model_for(resource)
        #: True when the shop already speaks the contract (no field mapping configured).
        self.identity = not self.rc.fields

    # ---------------------------------------------------------------- reading

    def shop_id(self, raw: Mapping[str, Any]) -> str:
        """The record's id as the contract's string."""
        spec = self.rc.fields.get("id")
        value = get_path(raw, spec.path or "id") if spec else raw.get("id")
        if value is None or value == "":
            raise MappingError("record without an id", resource=self.resource)
        return str(value)

    def tombstone(self, raw: Mapping[str, Any], flag: str) -> Tombstone | None:
        """The feed item as a tombstone, or None when it is a live record."""
        if not isinstance(raw, Mapping):
            raise MappingError(f"not a record: a JSON {type(raw).__name__}", resource=self.resource)
        if raw.get(flag) is not True:
            return None
        record_id = None if raw.get("id") is None else str(raw.get("id"))
        try:
            if self.identity:
                return Tombstone.model_validate(raw)
            spec = self.rc.fields.get("updated_at", FieldSpec(path="updated_at", type="timestamp"))
            stamp = self._read_field("updated_at", spec, raw, raw, ShopSettings())
            return Tombstone(id=self.shop_id(raw), updated_at=stamp)
        except ValidationError as exc:
            reason, field = _describe(exc)
            raise MappingError(
                f"bad tombstone: {reason}", resource=self.resource, record_id=record_id, field=field
            ) from exc
        except ValueError as exc:
            raise MappingError(f"bad tombstone: {exc}", resource=self.resource, record_id=record_id) from exc

    def to_contract(self, raw: Mapping[str, Any], settings: ShopSettings) -> Record:
        """A shop record as the contract model; ``MappingError`` (naming the field) when it cannot be
        translated: wrong types, missing or out-of-range values, text that is not text."""
        if not isinstance(raw, Mapping):
            raise MappingError(f"not a record: a JSON {type(raw).__name__}", resource=self.resource)
        record_id = None if raw.get("id") is None else str(raw.get("id"))
        try:
            data = raw if self.identity else self._read_object(self.rc.fields, raw, raw, settings)
            record = self.model.model_validate(data)
        except ValidationError as exc:
            reason, field = _describe(exc)
            raise MappingError(
                f"cannot read record: {reason}", resource=self.resource, record_id=record_id, field=field
            ) from exc
        except ValueError as exc:
            raise MappingError(
                f"cannot read record: {exc}", resource=self.resource, record_id=record_id
            ) from exc
        problem = _bad_text(record, "")
        if problem is not None:
            field, reason = problem
            raise MappingError(
                f"cannot read record: {field}: {reason}",
                resource=self.resource,
                record_id=record_id,
                field=field,
            )
        return record

    def _scope(self, current: Mapping[str, Any], root: Mapping[str, Any], settings: ShopSettings) -> Scope:
        return Scope(
            current=current,
            root=root,
            settings=settings.model_dump(),
            tables=self.config.tables,
            timestamps=self.config.timestamps,
        )

    def _read_object(
        self,
        specs: Mapping[str, FieldSpec],
        obj: Mapping[str, Any],
        root: Mapping[str, Any],
        settings: ShopSettings,
    ) -> dict[str, Any]:
        return {name: self._read_field(name, spec, obj, root, settings) for name, spec in specs.items()}

    def _read_field(
        self,
        name: str,
        spec: FieldSpec,
        obj: Mapping[str, Any],
        root: Mapping[str, Any],
        settings: ShopSettings,
    ) -> Any:
        if spec.fields is not None:
            sub = get_path(obj, spec.path) if spec.path else obj
            nested = self._read_object(spec.fields, sub if isinstance(sub, Mapping) else {}, root, settings)
            empty = {k for k, v in nested.items() if v is None or v == ""}
            if spec.nullable and (empty == set(nested) or empty & set(spec.null_unless)):
                return None
            return nested
        if spec.items is not None:
            elements = get_path(obj, spec.path or name) or []
            return [
                self._read_object(spec.items, e, root, settings) for e in elements if isinstance(e, Mapping)
            ]
        if spec.expr is not None:
            value = _expression(spec.expr).evaluate(self._scope(obj, root, settings))
        else:
            value = get_path(obj, spec.path or name)
        if (
            value is not None
            and spec.null_if
            and normalize_key(value) in {normalize_key(v) for v in spec.null_if}
        ):
            value = None
        if value is not None and (spec.values is not None or spec.table is not None):
            table = {normalize_key(k): v for k, v in self._value_map(spec).items()}
            mapped = table.get(normalize_key(value), _MISSING)
            if mapped is _MISSING:
                raise ValueError(f"{name}: no mapping for shop value {value!r}")
            value = mapped
        elif value is not None:
            value = self._from_shop_type(spec, value)
        return spec.default if value is None else value

    def _value_map(self, spec: FieldSpec) -> dict[str, Any]:
        return self.config.tables[spec.table] if spec.table is not None else (spec.values or {})

    def _from_shop_type(self, spec: FieldSpec, value: Any) -> Any:
        if spec.type == "timestamp":
            return self.config.timestamps.parse(value)
        if spec.type == "decimal":
            return Decimal(str(value))
        if spec.type == "int":
            return int(value)
        if spec.type == "string":
            return str(value)
        if spec.type == "bool" and isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return value

    # ---------------------------------------------------------------- writing

    def create_body(self, record: Mapping[str, Any] | BaseModel, settings: ShopSettings) -> dict[str, Any]:
        """The shop's create body for a contract record (validated first: bad input never leaves)."""
        data = self._validated_json(record)
        if self.identity:
            # Absent and null mean the same on a create, except where the shop assigns a value (an
            # order's number, a line's id): leaving empty values out lets it.
            body: dict[str, Any] = without_nulls({k: v for k, v in data.items() if k not in SERVER_FIELDS})
            return body
        out: dict[str, Any] = dict(self.rc.create_defaults)
        self._write_object(
            self.rc.fields, data, out, data, settings, touched=None, create=True, current_raw=None
        )
        return out

    def patch_body(self, patch: Mapping[str, Any]) -> dict[str, Any]:
        """A contract PATCH body (identity shops): the patch validated field by field."""
        return {k: v for k, v in dump_partial(self.model, patch).items() if k not in SERVER_FIELDS}

    def update_body(
        self,
        current: Record,
        current_raw: Mapping[str, Any],
        patch: Mapping[str, Any],
        settings: ShopSettings,
    ) -> tuple[dict[str, Any], bool]:
        """The shop's update body for ``patch`` on ``current``, and whether resending it is harmless."""
        before = current.model_dump(mode="json")
        merged = self._validated_json(merge_patch(before, dump_partial(self.model, patch)))
        # Only what really changes is written: a shop that timestamps every save sees no false edits.
        touched = {k for k in patch if k not in SERVER_FIELDS and merged.get(k) != before.get(k)}
        self._refuse_unwritable(self.rc.fields, before, merged, touched, prefix="")
        out: dict[str, Any] = {}
        idempotent = self._write_object(
            self.rc.fields,
            merged,
            out,
            merged,
            settings,
            touched=touched,
            create=False,
            current_raw=current_raw,
        )
        return out, idempotent

    def _validated_json(self, record: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
        try:
            model = record if isinstance(record, self.model) else self.model.model_validate(record)
        except ValidationError as exc:
            fields = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
            ]
            raise ValidationFailed(f"invalid {self.resource[:-1]}", fields=fields) from exc
        return model.model_dump(mode="json")

    def _refuse_unwritable(
        self,
        specs: Mapping[str, FieldSpec],
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        touched: set[str] | None,
        prefix: str,
    ) -> None:
        problems = []
        for name, spec in specs.items():
            if (touched is not None and name not in touched) or (not prefix and name in SERVER_FIELDS):
                continue
            old, new = before.get(name), after.get(name)
            if spec.fields is not None and isinstance(old, Mapping) and isinstance(new, Mapping):
                self._refuse_unwritable(spec.fields, old, new, None, prefix=f"{prefix}{name}.")
            elif (not spec.write or spec.create_only) and old != new:
                problems.append(
                    {
                        "field": prefix + name,
                        "message": f"cannot be changed through the {self.config.name} API",
                    }
                )
        if problems:
            raise ValidationFailed("change not supported by this shop", fields=problems)

    def _write_object(
        self,
        specs: Mapping[str, FieldSpec],
        data: Mapping[str, Any],
        out: dict[str, Any],
        root: Mapping[str, Any],
        settings: ShopSettings,
        *,
        touched: set[str] | None,
        create: bool,
        current_raw: Mapping[str, Any] | None,
    ) -> bool:
        idempotent = True
        for name, spec in specs.items():
            if touched is not None and name not in touched:
                continue
            if data is root and name in SERVER_FIELDS:
                continue
            if not spec.write or (spec.create_only and not create):
                continue
            value = data.get(name)
            if spec.fields is not None:
                target = out
                if spec.path is not None:
                    if not isinstance(get_path(out, spec.path), dict):
                        set_path(out, spec.path, {})
                    target = get_path(out, spec.path)
                sub = value if isinstance(value, Mapping) else dict.fromkeys(spec.fields)
                self._write_object(
                    spec.fields, sub, target, root, settings, touched=None, create=create, current_raw=None
                )
            elif spec.items is not None:
                elements, fresh = self._write_list(spec, value or [], root, settings, create, current_raw)
                set_path(out, spec.path or name, elements)
                idempotent = idempotent and not fresh
            elif spec.expr is None or spec.path is not None:
                set_path(out, spec.path or name, self._to_shop_value(name, spec, value))
            scope = self._scope(data, root, settings)
            for target_path, source in spec.write_expr.items():
                set_path(out, target_path, _expression(source).evaluate(scope))
        return idempotent

    def _write_list(
        self,
        spec: FieldSpec,
        elements: list[Mapping[str, Any]],
        root: Mapping[str, Any],
        settings: ShopSettings,
        create: bool,
        current_raw: Mapping[str, Any] | None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Shop list elements, and whether any is new (a ``by_id`` shop appends those on every send)."""
        assert spec.items is not None
        existing: dict[str, Any] = {}
        if spec.list_update == "by_id" and current_raw is not None:
            for element in get_path(current_raw, spec.path or "") or []:
                if isinstance(element, Mapping) and element.get(spec.item_id) is not None:
                    existing[str(element[spec.item_id])] = element[spec.item_id]
        out: list[dict[str, Any]] = []
        kept: set[str] = set()
        fresh = False
        for element in elements:
            body: dict[str, Any] = {}
            self._write_object(
                spec.items, element, body, root, settings, touched=None, create=create, current_raw=None
            )
            element_id = element.get("id")
            if spec.list_update == "by_id" and element_id is not None and str(element_id) in existing:
                body[spec.item_id] = existing[str(element_id)]
                kept.add(str(element_id))
            else:
                fresh = True
            out.append(body)
        if spec.list_update == "by_id":
            out.extend(
                {spec.item_id: raw_id, **spec.remove_item}
                for key, raw_id in existing.items()
                if key not in kept
            )
        return out, fresh and not create

    def _to_shop_value(self, name: str, spec: FieldSpec, value: Any) -> Any:
        if value is None:
            return spec.null_if[0] if spec.null_if else None
        if spec.values is not None or spec.table is not None:
            value = self._reverse(name, spec, value)
        try:
            if spec.type == "timestamp":
                moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
                return self.config.timestamps.format(moment)
            if spec.type == "int":
                number = Decimal(str(value))
                if number != number.to_integral_value():
                    raise ValueError(f"{value!r} is not a whole number")
                return int(number)
            if spec.type in ("string", "decimal"):
                return (
                    value
                    if isinstance(value, str)
                    else (f"{value:f}" if isinstance(value, Decimal) else str(value))
                )
        except ValueError as exc:
            raise MappingError(f"{name}: {exc}", resource=self.resource) from exc
        return value

    def _reverse(self, name: str, spec: FieldSpec, value: Any) -> Any:
        wanted = normalize_key(value)
        if spec.write_values is not None:
            table = {normalize_key(k): v for k, v in spec.write_values.items()}
            if wanted in table:
                return table[wanted]
        candidates = [k for k, v in self._value_map(spec).items() if normalize_key(v) == wanted]
        if not candidates:
            raise MappingError(f"{name}: no shop value for {value!r}", resource=self.resource)
        # Prefer the shop value spelled like the contract value when several map to it.
        return next((k for k in candidates if normalize_key(k) == wanted), candidates[0])
