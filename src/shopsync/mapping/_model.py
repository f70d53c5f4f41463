"""The compiled form of a mapping: entities made of rows and blocks, checked against both schemas.

A :class:`Row` maps one Tripletex property to one or more webshop fields. A :class:`Block` maps a
list of Tripletex objects: a *list* block maps a webshop list element by element (order lines), an
*element* block maps one marked element built from the record itself (the shipping line). Everything
here is immutable and produced by the loader; the readers and writers only interpret it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from shopsync.mapping._contract import WebshopField
from shopsync.mapping._expr import Expression
from shopsync.mapping._spec import TxProperty
from shopsync.mapping._values import Compare, CType

__all__ = [
    "DIRECTIONS",
    "REF_CTYPE",
    "REF_SCHEMA",
    "Block",
    "Deactivate",
    "Direction",
    "EntityMapping",
    "MatchKey",
    "Owner",
    "Ref",
    "RefKind",
    "Row",
]

Direction = Literal["both", "to_tripletex", "to_webshop"]
DIRECTIONS: tuple[Direction, ...] = ("both", "to_tripletex", "to_webshop")
#: The side whose value wins when a two-way row changed on both sides (``owner:`` in the mapping).
Owner = Literal["webshop", "tripletex"]
RefKind = Literal["link", "vat_type", "country", "currency"]
#: Tripletex schema a reference's ``id`` must belong to (links: the linked entity's schema).
REF_SCHEMA: dict[str, str] = {"vat_type": "VatType", "country": "Country", "currency": "Currency"}
#: Canonical type of a reference's natural key: VAT rate, ISO code, currency code, webshop id.
REF_CTYPE: dict[str, CType] = {
    "vat_type": "number",
    "country": "string",
    "currency": "string",
    "link": "string",
}


@dataclass(frozen=True)
class Ref:
    """How a Tripletex ``…id`` is resolved from and to a natural key."""

    kind: RefKind
    #: The linked entity (``customer``, ``product``) for ``link`` references.
    target: str | None = None

    def describe(self) -> str:
        """One sentence for the dataflow document."""
        if self.kind == "link":
            return (
                f"The Tripletex {self.target} linked to this webshop {self.target} "
                "(through shopsync's link table; unlinked references wait until the target is synced)."
            )
        return {
            "vat_type": "VAT rate ⇄ outgoing VAT type: the Tripletex VAT type (GET /ledger/vatType, "
            "typeOfVat=OUTGOING, cached) whose percentage equals the rate.",
            "country": "ISO 3166-1 alpha-2 code ⇄ Tripletex country id (GET /country, cached).",
            "currency": "ISO 4217 code ⇄ Tripletex currency id (GET /currency, cached).",
        }[self.kind]


@dataclass(frozen=True)
class Row:
    """One mapped property."""

    key: str
    #: Webshop paths read (the first is the one written unless ``to_webshop`` returns an object).
    webshop: tuple[str, ...]
    webshop_fields: tuple[WebshopField, ...]
    tripletex: str
    tx: TxProperty
    direction: Direction
    ctype: CType
    compare: Compare
    to_tripletex: Expression | None = None
    to_webshop: Expression | None = None
    ref: Ref | None = None
    required: bool = False
    when: Expression | None = None
    note: str = ""
    source: str = ""
    #: Whose value wins a conflict on this row, whatever the global conflict policy (None: the policy).
    owner: Owner | None = None

    @property
    def writes_tripletex(self) -> bool:
        """The row is written into Tripletex bodies."""
        return self.direction in ("both", "to_tripletex")

    @property
    def writes_webshop(self) -> bool:
        """The row is written into webshop patches."""
        return self.direction in ("both", "to_webshop")

    @property
    def readable_from_webshop(self) -> bool:
        """The canonical value can be computed from a webshop record (appears in the webshop view)."""
        return self.to_tripletex is not None or (bool(self.webshop) and self.to_webshop is None)

    @property
    def field_name(self) -> str:
        """The webshop field named in per-record errors."""
        return ", ".join(self.webshop) if self.webshop else self.key


@dataclass(frozen=True)
class Block:
    """A list of Tripletex objects (``orderLines``) mapped by sub-rows."""

    key: str
    kind: Literal["list", "element"]
    #: Webshop list path for ``list`` blocks (``lines``); None for ``element`` blocks (the record itself).
    webshop: str | None
    tripletex: str
    item_schema: str
    #: ``element`` blocks: Tripletex properties and values that identify (and are written on) the element.
    marker: dict[str, Any] = field(default_factory=dict)
    rows: tuple[Row, ...] = ()
    when: Expression | None = None
    note: str = ""
    source: str = ""
    #: Whose lines win a conflict on the block as a whole (None: the global conflict policy).
    owner: Owner | None = None

    @property
    def writes_tripletex(self) -> bool:
        """Some sub-row is written into Tripletex."""
        return any(r.writes_tripletex for r in self.rows)

    @property
    def writes_webshop(self) -> bool:
        """Some sub-row is written into the webshop."""
        return any(r.writes_webshop for r in self.rows)

    @property
    def direction(self) -> Direction:
        """``both`` when sub-rows flow both ways, else the single direction they share."""
        if self.writes_tripletex and self.writes_webshop:
            return "both"
        return "to_tripletex" if self.writes_tripletex else "to_webshop"


Entry = Row | Block


@dataclass(frozen=True)
class MatchKey:
    """A property that finds an existing partner record on first sync (``GET /order?number=…``)."""

    key: str
    tripletex_param: str
    webshop_param: str | None = None


@dataclass(frozen=True)
class Deactivate:
    """What "deactivate" means for an entity: set row ``key`` to the canonical ``value``."""

    key: str
    value: Any


@dataclass(frozen=True)
class EntityMapping:
    """The mapping of one entity pair (webshop Customer ⇄ Tripletex Customer…)."""

    name: str
    title: str
    webshop_model: str
    tripletex_schema: str
    entries: tuple[Entry, ...]
    match: tuple[MatchKey, ...] = ()
    deactivate: Deactivate | None = None
    #: Entries switched off in this installation (validated all the same, listed in the document).
    disabled: tuple[Entry, ...] = ()
    source: str = ""

    def entry(self, key: str) -> tuple[Entry, ...]:
        """The entries with ``key`` (several when they differ by ``when``)."""
        return tuple(e for e in self.entries if e.key == key)

    @property
    def keys(self) -> tuple[str, ...]:
        """Distinct entry keys in file order."""
        return tuple(dict.fromkeys(e.key for e in self.entries))
