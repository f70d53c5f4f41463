"""The dataflow document as data: built once from the active mapping, rendered as RST, Markdown or HTML.

It follows the form of Sesam's published dataflow documents (title, ``Generated:`` line, introduction,
one section per entity with the two standard sentences and a property table whose data types come from
the Tripletex spec), and adds what a QA tester needs: each row's direction and notes, how references
and VAT are resolved, how records are matched the first time, and the conflict and delete policies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from shopsync.mapping._contract import SHOP_PREFIX
from shopsync.mapping._mapping import Mapping
from shopsync.mapping._model import Block, EntityMapping, Ref, Row
from shopsync.mapping._resolver import TableResolver
from shopsync.mapping.settings import CONFLICT_POLICIES, DELETE_POLICIES, SyncPolicy

__all__ = ["SOURCE", "TARGET", "DocRow", "DocSection", "Document", "build_document"]

SOURCE = "Custom Webshop"
TARGET = "Tripletex"
_DIRECTION = {"both": "Both ways", "to_tripletex": "To Tripletex", "to_webshop": "To webshop"}
_SIDE = {"webshop": "the webshop", "tripletex": TARGET}
_REF_SHORT = {
    "vat_type": "VAT rate → outgoing VAT type.",
    "country": "ISO country code → country id.",
    "currency": "Currency code → currency id.",
}


@dataclass(frozen=True)
class DocRow:
    """One table row."""

    webshop: str
    tripletex: str
    data_type: str
    direction: str
    notes: str


@dataclass(frozen=True)
class Expression:
    """A transformation shown under the table."""

    label: str
    direction: str
    source: str


@dataclass
class DocSection:
    """One entity pair."""

    entity: str
    rows: list[DocRow] = field(default_factory=list)
    disabled: list[DocRow] = field(default_factory=list)
    expressions: list[Expression] = field(default_factory=list)
    matching: list[str] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """``Custom Webshop Customer to Tripletex Customer``."""
        return f"{SOURCE} {self.entity} to {TARGET} {self.entity}"

    @property
    def sentences(self) -> list[str]:
        """The standard sentences, ending with the one that introduces the table."""
        a, b = f"{SOURCE} {self.entity}", f"{TARGET} {self.entity}"
        return [
            f"Every {a} will be synchronized with a {b}.",
            f"Once a link between a {a} and a {b} is established, it will keep in sync between the two "
            "systems, regardless of where it is edited.",
            f"The following properties are synchronized between a {a} and a {b}:",
        ]

    @property
    def header(self) -> list[str]:
        """The table's header row."""
        return [
            f"{SOURCE} {self.entity} Property",
            f"{TARGET} {self.entity} Property",
            f"{TARGET} Data Type",
            "Direction",
            "Notes",
        ]


@dataclass
class Document:
    """The whole document."""

    title: str
    generated: str
    introduction: list[str]
    sections: list[DocSection]
    references: list[str]
    policies: list[str]


def _type_label(row: Row) -> str:
    return f'"{row.tx.type_label}"'


def _webshop_label(row: Row, block: Block | None) -> str:
    if not row.webshop:
        assert row.to_tripletex is not None
        return f"(computed: {row.to_tripletex.source})"
    labels = []
    for path in row.webshop:
        if path.startswith(SHOP_PREFIX):
            labels.append(f"shop setting {path[len(SHOP_PREFIX) :]}")
        elif block is not None and block.kind == "list":
            labels.append(f"{block.webshop}[].{path}")
        else:
            labels.append(path)
    return ", ".join(labels)


def _notes(row: Row, block: Block | None) -> str:
    parts = [row.note] if row.note else []
    if block is not None and block.kind == "element":
        marker = " and ".join(f'{k} "{v}"' for k, v in block.marker.items())
        parts.append(f"On the order line with {marker}.")
    if row.ref is not None:
        parts.append(f"Linked {row.ref.target}." if row.ref.kind == "link" else _REF_SHORT[row.ref.kind])
    if row.required:
        parts.append("Required by Tripletex.")
    if row.compare == "casefold":
        parts.append("Compared case-insensitively.")
    elif row.compare == "money":
        parts.append("Compared to the øre.")
    if row.when is not None and not row.note:
        parts.append(f"Only when {row.when.source}.")
    owner = row.owner or (block.owner if block is not None else None)
    if owner is not None:
        parts.append(f"Owner: {_SIDE[owner]} (its value wins when both sides change it).")
    return " ".join(parts)


def _doc_row(row: Row, block: Block | None) -> DocRow:
    tx = row.tripletex if block is None else f"{block.tripletex}[].{row.tripletex}"
    return DocRow(
        webshop=_webshop_label(row, block),
        tripletex=tx,
        data_type=_type_label(row),
        direction=_DIRECTION[row.direction],
        notes=_notes(row, block),
    )


def _rows(entity: EntityMapping, disabled: bool) -> list[tuple[Row, Block | None]]:
    out: list[tuple[Row, Block | None]] = []
    for entry in entity.disabled if disabled else entity.entries:
        if isinstance(entry, Row):
            out.append((entry, None))
        else:
            out.extend((row, entry) for row in entry.rows)
    return out


def _section(entity: EntityMapping) -> DocSection:
    section = DocSection(entity=entity.title)
    for row, block in _rows(entity, disabled=False):
        section.rows.append(_doc_row(row, block))
        label = row.key if block is None else f"{block.key}.{row.key}"
        if row.to_tripletex is not None:
            section.expressions.append(Expression(label, "to Tripletex", row.to_tripletex.source))
        if row.to_webshop is not None:
            section.expressions.append(Expression(label, "to the webshop", row.to_webshop.source))
    section.disabled = [_doc_row(row, block) for row, block in _rows(entity, disabled=True)]
    for key in entity.match:
        row = next(e for e in entity.entries if isinstance(e, Row) and e.key == key.key)
        shop = f" (webshop filter {key.webshop_param})" if key.webshop_param else ""
        section.matching.append(
            f"{_webshop_label(row, None)} = {TARGET} {row.tripletex} "
            f"(GET /{entity.tripletex_schema.lower()}?{key.tripletex_param}=…){shop}"
        )
    return section


def _references(mapping: Mapping) -> list[str]:
    kinds: dict[str, Ref] = {}
    for entity in mapping.entities.values():
        for row, _ in _rows(entity, disabled=False):
            if row.ref is not None:
                kinds.setdefault(f"{row.ref.kind}:{row.ref.target}", row.ref)
    texts = [ref.describe() for ref in kinds.values()]
    texts += [
        "Prices follow the shop setting prices_include_vat. When prices include VAT, products carry the "
        "shop price as priceIncludingVatCurrency and the price without VAT computed from it, and orders are "
        "sent with isPrioritizeAmountsIncludingVat = true and the shop's unit prices including VAT, so the "
        "order total in Tripletex equals the shop's total to the øre. When prices exclude VAT, the prices "
        "without VAT are sent and Tripletex derives the rest exactly. The cost price is never written.",
        "Money is exact decimal arithmetic end to end; amounts are rounded to the øre only where Tripletex "
        "or the shop rounds (Tripletex line amounts, the shop's two-decimal prices).",
        "Order dates are calendar dates in Europe/Oslo: an order placed at 00:30 Oslo time belongs to that "
        "day, in summer and winter time alike.",
        "A record whose property cannot be mapped (an unknown VAT rate, an invalid organisation number, a "
        "missing required value) is rejected on its own with the property named; the other records go on.",
    ]
    return texts


def _owners(mapping: Mapping) -> list[str]:
    """One sentence listing the rows whose owner decides their conflicts, if any row has one."""
    owned = []
    for entity in mapping.entities.values():
        for entry in entity.entries:
            if entry.owner is not None:
                owned.append(f"{entity.title} {entry.key} ({_SIDE[entry.owner]})")
    if not owned:
        return []
    return [
        "Properties with an owner are decided by it instead, whatever the policy (recorded with policy "
        f"owner:webshop or owner:tripletex): {', '.join(owned)}. A conflict held for a person and then "
        "decided by hand is written at once and does not come back."
    ]


def _policies(mapping: Mapping, policy: SyncPolicy) -> list[str]:
    texts = [
        "Each property is merged three ways against the state of the last synchronization: a property "
        "changed on one side only is copied to the other side. When both sides changed the same property "
        f"to different values (a true conflict), {CONFLICT_POLICIES[policy.conflict_policy]} "
        f"(config key conflict_policy = {policy.conflict_policy}).",
        *_owners(mapping),
        f"When a linked record is deleted on one side, {DELETE_POLICIES[policy.delete_policy]} "
        f"(config key delete_policy = {policy.delete_policy}). Nothing is ever hard-deleted.",
    ]
    if policy.delete_policy == "deactivate":
        resolver = TableResolver()
        for entity in mapping.entities.values():
            pair = mapping.deactivation(entity.name, resolver)
            if pair is None:
                texts.append(
                    f"{entity.title}: there is no active flag; the partner is left unchanged and "
                    "the deletion is recorded."
                )
                continue
            tx, shop = (", ".join(f"{k} = {str(v).lower()}" for k, v in d.items()) for d in pair)
            texts.append(f"{entity.title}: deactivated as {TARGET} {tx} / webshop {shop}.")
    return texts


def build_document(
    mapping: Mapping,
    policy: SyncPolicy | None = None,
    *,
    overrides: Path | None = None,
    generated: dt.datetime | None = None,
) -> Document:
    """The dataflow document of ``mapping`` under ``policy``."""
    policy = policy or SyncPolicy()
    when = (generated or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M:%S")
    source = f"the default Norwegian mapping changed by {overrides}" if overrides else "the default mapping"
    intro = [
        f"This technical document provides a detailed overview of the shopsync data flow between {SOURCE} "
        f"and {TARGET}. It serves as a QA checklist for testing purposes.",
        f"shopsync keeps customers, products and orders in two-way sync between the webshop and {TARGET}. "
        f"The document is generated by shopsync docs from the mapping in force ({source}), so it describes "
        f"exactly what is synchronized. Data types are those of the official {TARGET} API specification.",
    ]
    return Document(
        title=f"{SOURCE} to {TARGET} Dataflow",
        generated=when,
        introduction=intro,
        sections=[_section(e) for e in mapping.entities.values()],
        references=_references(mapping),
        policies=_policies(mapping, policy),
    )
