"""The ``Mapping``: the one object the sync engine uses, without knowing a single field name.

Per entity (``customer``, ``product``, ``order``; the contract's ``customers`` … work too):

* ``webshop_view`` / ``tripletex_view``: the record's canonical view ``{row key: value}``;
* ``same`` / ``changed``: comparison with each row's semantics (numbers numerically, e-mail
  case-insensitively, strings stripped);
* ``to_tripletex`` / ``to_webshop``: a view (or some of its keys) as a Tripletex body / webshop patch;
* ``fields``: the Tripletex ``fields`` selection that fetches every mapped property;
* ``match_keys``, ``deactivation``: how partners are found on first sync and what "deactivate" means.

Change detection: keep, per side, the view that side had after the last sync and compare each side's
new view with its own base. The two sides' views can legitimately differ after a sync on rows the
other side cannot hold (one shop ``phone`` feeding Tripletex's mobile and landline fields); a single
shared base would mistake that for an edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopsync.mapping._common import Context
from shopsync.mapping._loader import load_entities
from shopsync.mapping._model import Block, EntityMapping, Entry, MatchKey, Row
from shopsync.mapping._read import read_tripletex, read_webshop
from shopsync.mapping._resolver import Resolver
from shopsync.mapping._values import same as same_value
from shopsync.mapping._write import write_tripletex, write_webshop

__all__ = ["Mapping", "load_mapping"]

_RESOURCES = {"customers": "customer", "products": "product", "orders": "order"}


def load_mapping(overrides: Path | None = None) -> Mapping:
    """The default mapping, changed by the installation's ``overrides`` file when given."""
    return Mapping(load_entities(overrides))


class Mapping:
    """A loaded and validated mapping of every entity pair."""

    def __init__(self, entities: Iterable[EntityMapping]) -> None:
        self.entities: dict[str, EntityMapping] = {e.name: e for e in entities}

    def entity(self, name: str) -> EntityMapping:
        """The entity mapping called ``name`` (or the contract resource ``customers`` …)."""
        found = self.entities.get(name) or self.entities.get(_RESOURCES.get(name, ""))
        if found is None:
            raise KeyError(f"no mapping for entity {name!r} (known: {', '.join(self.entities)})")
        return found

    # ------------------------------------------------------------------ views

    def webshop_view(
        self, entity: str, record: Any, resolver: Resolver, *, record_id: str | None = None
    ) -> dict[str, Any]:
        """Canonical view of a webshop record (contract model or dict); RecordMappingError per bad field."""
        return read_webshop(Context(self.entity(entity), resolver, record_id), record)

    def tripletex_view(
        self, entity: str, record: Any, resolver: Resolver, *, record_id: int | None = None
    ) -> dict[str, Any]:
        """Canonical view of a Tripletex record (generated model or dict with Decimals)."""
        return read_tripletex(Context(self.entity(entity), resolver, record_id), record)

    # ------------------------------------------------------------------ writers

    def to_tripletex(
        self,
        entity: str,
        view: MappingABC[str, Any],
        resolver: Resolver,
        *,
        keys: Iterable[str] | None = None,
        record_id: str | int | None = None,
    ) -> dict[str, Any]:
        """Tripletex JSON body for ``keys`` of ``view`` (every key written to Tripletex when None).

        Without ``id``/``version``: the engine adds ``version`` for an update.
        """
        return write_tripletex(Context(self.entity(entity), resolver, record_id), view, keys)

    def to_webshop(
        self,
        entity: str,
        view: MappingABC[str, Any],
        resolver: Resolver,
        *,
        keys: Iterable[str] | None = None,
        current: Any | None = None,
        record_id: str | int | None = None,
    ) -> dict[str, Any]:
        """Webshop merge patch for ``keys`` of ``view``; with ``current``, equivalent shop values are kept."""
        return write_webshop(Context(self.entity(entity), resolver, record_id), view, keys, current)

    # ------------------------------------------------------------------ comparison

    def same(self, entity: str, key: str, left: Any, right: Any) -> bool:
        """Whether two canonical values of row ``key`` are equal under the row's comparison."""
        entries = self.entity(entity).entry(key)
        if not entries:
            raise KeyError(f"{entity} has no row {key!r}")
        return _same_entry(entries[0], left, right)

    def changed(self, entity: str, old: MappingABC[str, Any], new: MappingABC[str, Any]) -> set[str]:
        """Keys whose values differ between two views of the same side."""
        out = set()
        for key in set(old) | set(new):
            entries = self.entity(entity).entry(key)
            if entries and not _same_entry(entries[0], old.get(key), new.get(key)):
                out.add(key)
        return out

    # ------------------------------------------------------------------ engine helpers

    def fields(self, entity: str, extra: Iterable[str] = ()) -> str:
        """The Tripletex ``fields`` selection for every mapped property (plus ``extra`` top-level names)."""
        mapped = self.entity(entity)
        tree: dict[str, Any] = {"id": {}, "version": {}}
        for name in extra:
            tree.setdefault(name, {})
        for entry in mapped.entries:
            if isinstance(entry, Row):
                _add(tree, entry.tripletex)
            else:
                node = tree
                for part in entry.tripletex.split("."):
                    node = node.setdefault(part, {})
                node.setdefault("id", {})
                for row in entry.rows:
                    _add(node, row.tripletex)
                for name in entry.marker:
                    _add(node, name)
        return _render(tree)

    def owner(self, entity: str, key: str) -> str | None:
        """The side (``webshop``/``tripletex``) whose value wins a conflict on ``key``; None: the policy."""
        for entry in self.entity(entity).entry(key):
            if entry.owner is not None:
                return entry.owner
        return None

    def match_keys(self, entity: str) -> tuple[MatchKey, ...]:
        """Properties that find an existing partner on first sync, most reliable first."""
        return self.entity(entity).match

    def deactivation(self, entity: str, resolver: Resolver) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(Tripletex body, webshop patch) that deactivate a record; None if the entity has no such flag."""
        mapped = self.entity(entity)
        if mapped.deactivate is None:
            return None
        view = {mapped.deactivate.key: mapped.deactivate.value}
        keys = [mapped.deactivate.key]
        return (
            self.to_tripletex(entity, view, resolver, keys=keys),
            self.to_webshop(entity, view, resolver, keys=keys),
        )

    def encode_view(self, entity: str, view: MappingABC[str, Any]) -> dict[str, Any]:
        """A view as plain JSON (Decimals as strings) for storing the last synced state."""
        return {k: _encode(v) for k, v in view.items()}

    def decode_view(self, entity: str, data: MappingABC[str, Any]) -> dict[str, Any]:
        """The inverse of :meth:`encode_view`."""
        mapped = self.entity(entity)
        out: dict[str, Any] = {}
        for key, value in data.items():
            entries = mapped.entry(key)
            out[key] = _decode(entries[0], value) if entries else value
        return out


def _add(tree: dict[str, Any], path: str) -> None:
    node = tree
    for part in path.split("."):
        node = node.setdefault(part, {})


def _render(tree: dict[str, Any]) -> str:
    return ",".join(f"{name}({_render(sub)})" if sub else name for name, sub in tree.items())


def _same_entry(entry: Entry, left: Any, right: Any) -> bool:
    if isinstance(entry, Row):
        return same_value(entry.compare, left, right)
    if entry.kind == "element":
        if left is None or right is None:
            return left is None and right is None
        return _same_element(entry, left, right)
    left, right = left or [], right or []
    return len(left) == len(right) and all(
        _same_element(entry, a, b) for a, b in zip(left, right, strict=True)
    )


def _same_element(block: Block, left: MappingABC[str, Any], right: MappingABC[str, Any]) -> bool:
    rows = {r.key: r for r in block.rows}
    return all(same_value(rows[k].compare, left[k], right[k]) for k in set(left) & set(right) if k in rows)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(entry: Entry, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(entry, Row):
        return Decimal(value) if entry.ctype == "number" and isinstance(value, str) else value
    rows = {r.key: r for r in entry.rows}

    def element(item: MappingABC[str, Any]) -> dict[str, Any]:
        return {k: _decode(rows[k], v) if k in rows else v for k, v in item.items()}

    return [element(i) for i in value] if entry.kind == "list" else element(value)
