"""Contract patches: JSON merge patch (RFC 7396) and field-by-field validation of partial records.

Used by the webshop connector (PATCH bodies, updates computed on the merged record) and by the
in-memory connector, so both treat a patch exactly alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from ._exceptions import ValidationFailed

__all__ = ["dump_partial", "merge_patch", "without_nulls"]


def merge_patch(target: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """``target`` with ``patch`` applied as a JSON merge patch (objects merged, lists replaced)."""
    merged = dict(target)
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_patch(merged[key], value)
        else:
            merged[key] = dict(value) if isinstance(value, Mapping) else value
    return merged


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside ``Address | None`` style annotations, if any."""
    candidates = (
        get_args(annotation) if get_origin(annotation) in (Union, type(int | None)) else (annotation,)
    )
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)


@lru_cache(maxsize=256)
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    annotation: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    return TypeAdapter(annotation)


def dump_partial(model: type[BaseModel], patch: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``patch`` (a partial contract record) validated field by field and serialised to JSON values."""
    out: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for key, value in patch.items():
        if key not in model.model_fields:
            errors.append({"field": prefix + key, "message": "unknown field"})
            continue
        nested = _nested_model(model.model_fields[key].annotation)
        try:
            if nested is not None and isinstance(value, Mapping):
                # Merge-patch semantics: a nested object may be partial.
                out[key] = dump_partial(nested, value, prefix=f"{prefix}{key}.")
            else:
                adapter = _adapter(model, key)
                out[key] = adapter.dump_python(adapter.validate_python(value), mode="json")
        except ValidationError as exc:
            errors.extend({"field": prefix + key, "message": e["msg"]} for e in exc.errors())
    if errors:
        raise ValidationFailed("invalid patch", fields=errors)
    return out


def without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
