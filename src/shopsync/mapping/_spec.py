"""Tripletex property paths resolved against the schema facts generated from the official spec.

A mapping row names a Tripletex property as a dotted path from the entity's root schema, e.g.
``postalAddress.country.id`` on ``Customer``: ``postalAddress`` refers to ``Address``, ``country`` to
``Country``, whose ``id`` is an ``integer (int64)``. The data type shown in the dataflow document and
checked when rows are copied is the one found here, never one typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shopsync.tripletex._schema import SCHEMAS

__all__ = ["TxProperty", "TxSchemaError", "list_item_schema", "resolve"]


class TxSchemaError(ValueError):
    """A Tripletex path does not exist in the spec (message says which segment and why)."""


@dataclass(frozen=True)
class TxProperty:
    """A resolved Tripletex leaf property."""

    path: str
    #: Schema that owns the leaf (``Country`` for ``postalAddress.country.id``).
    owner: str
    #: Spec type of the leaf: ``string``, ``number``, ``integer``, ``boolean``, ``object`` or ``array``.
    type: str
    format: str | None
    enum: tuple[str, ...] | None
    #: Schema the leaf refers to when it is an object reference (``Country`` for ``…country``).
    ref: str | None
    #: Some segment of the path is read-only in the spec (cannot be written through this path).
    read_only: bool

    @property
    def type_label(self) -> str:
        """The data type as the dataflow document shows it (the spec's ``type``)."""
        return self.type


def _props(schema: str, where: str) -> dict[str, dict[str, Any]]:
    props = SCHEMAS.get(schema)
    if props is None:
        raise TxSchemaError(
            f"{where}: schema {schema} is not in the generated schema facts "
            "(add it to SCHEMAS in scripts/gen_tripletex_schema.py and regenerate)"
        )
    return props


def resolve(root: str, path: str) -> TxProperty:
    """Walk ``path`` from schema ``root`` through references; TxSchemaError if any segment is unknown."""
    if not path or any(not part for part in path.split(".")):
        raise TxSchemaError(f"empty segment in Tripletex path {path!r}")
    schema = root
    read_only = False
    parts = path.split(".")
    for i, name in enumerate(parts):
        props = _props(schema, ".".join(parts[:i]) or root)
        prop = props.get(name)
        if prop is None:
            known = ", ".join(sorted(props))
            raise TxSchemaError(f"{schema} has no property {name!r} (Tripletex path {path}; known: {known})")
        read_only = read_only or bool(prop.get("read_only"))
        last = i == len(parts) - 1
        if last:
            enum = prop.get("enum")
            return TxProperty(
                path=path,
                owner=schema,
                type=str(prop["type"]),
                format=prop.get("format"),
                enum=tuple(enum) if enum else None,
                ref=prop.get("ref"),
                read_only=read_only,
            )
        ref = prop.get("ref")
        if ref is None:
            raise TxSchemaError(f"{schema}.{name} is a {prop['type']}, not an object (Tripletex path {path})")
        schema = ref
    raise AssertionError("unreachable")  # pragma: no cover


def list_item_schema(root: str, path: str) -> tuple[str, bool]:
    """Item schema of the array property ``path`` on ``root`` and whether the array is read-only."""
    head, _, name = path.rpartition(".")
    owner = resolve(root, head).ref if head else root
    if owner is None:
        raise TxSchemaError(f"{root}.{head} is not an object (Tripletex path {path})")
    prop = _props(owner, head or root).get(name)
    if prop is None:
        raise TxSchemaError(f"{owner} has no property {name!r} (Tripletex path {path})")
    items = prop.get("items_ref")
    if prop.get("type") != "array" or not items:
        raise TxSchemaError(f"{owner}.{name} is not a list of objects (Tripletex path {path}[])")
    _props(items, path)
    return str(items), bool(prop.get("read_only"))
