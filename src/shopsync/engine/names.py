"""Names Tripletex wants unique: a product refused because another product already has its name is sent
once more as ``name (SKU)`` — the way a shop owner tells two "Kaffe, 500 g" apart in the ledger.

Tripletex refuses a second product with a name in use ('Produktnavnet "Kaffe" er allerede registrert.'),
while shops commonly sell several products under one name (sizes, colours, suppliers). A create or an
update of the name that is refused *for that reason* is retried once with the SKU (the product number,
which Tripletex keeps unique anyway) appended; anything else, or a second refusal, is a dead letter as
before. The retry is recorded in the record's timeline (``renamed``).

Only Tripletex carries the suffix. The pair's base holds each side's own view (the shop's ``Kaffe``,
Tripletex's ``Kaffe (KAFFE-17)``), so neither side looks changed afterwards: the suffix never flows
back to the shop and nothing ping-pongs. A later rename in the shop flows as usual (and is
disambiguated again if that name is taken too). A create's journal entry remembers the name sent
(``SENT_KEY`` in its payload), so a create whose answer was lost is recovered with the right base too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shopsync.mapping import Mapping as FieldMapping
from shopsync.mapping import Row
from shopsync.tripletex import ApiError as TripletexApiError

__all__ = ["SENT_KEY", "UNIQUE_NAMES", "Rename", "disambiguate", "journalled_views", "name_in_use"]

#: Entity → (row key of the name Tripletex keeps unique, row key whose value tells two apart).
UNIQUE_NAMES: dict[str, tuple[str, str]] = {"product": ("name", "sku")}
#: Key of a journalled create's payload holding view values sent to Tripletex instead of the shop's.
SENT_KEY = "_sent_to_tripletex"
#: How Tripletex says a value is taken (Norwegian and English wordings).
_IN_USE = re.compile(r"allerede|i bruk|er registrert|already|in use|exists|duplicate", re.IGNORECASE)


class Rename:
    """A disambiguated name: the row ``key``, its Tripletex body ``path`` and the ``value`` to send."""

    def __init__(self, key: str, path: str, value: str) -> None:
        self.key = key
        self.path = path
        self.value = value

    def __repr__(self) -> str:
        return f"Rename({self.key!r}, {self.value!r})"


def _name_row(mapping: FieldMapping, entity: str) -> Row | None:
    if entity not in UNIQUE_NAMES:
        return None
    rows = [e for e in mapping.entity(entity).entry(UNIQUE_NAMES[entity][0]) if isinstance(e, Row)]
    # Only a plain top-level property can be swapped in the body.
    return rows[0] if rows and "." not in rows[0].tripletex and rows[0].writes_tripletex else None


def name_in_use(mapping: FieldMapping, entity: str, cause: BaseException, index: int | None = None) -> bool:
    """Whether Tripletex refused the write (item ``index`` of a batch) because the name is taken."""
    row = _name_row(mapping, entity)
    if row is None or not isinstance(cause, TripletexApiError):
        return False
    for message in cause.validation_messages:
        if index is not None and message.rootId not in (None, index):
            continue
        where = (message.field or message.path or "").rsplit(".", 1)[-1]
        if where == row.tripletex and _IN_USE.search(message.message or ""):
            return True
    return False


def disambiguate(
    mapping: FieldMapping, entity: str, view: Mapping[str, Any], record_id: str, name: Any = None
) -> Rename | None:
    """``name`` (default: the view's) with the view's SKU (or the record id) appended; None if the entity
    has no unique name or there is no name to change."""
    row = _name_row(mapping, entity)
    if row is None:
        return None
    current = view.get(row.key) if name is None else name
    if current is None or not str(current).strip():
        return None
    tag = view.get(UNIQUE_NAMES[entity][1]) or record_id
    suffix = f" ({tag})"
    text = str(current).strip()
    if text.endswith(suffix):
        return None  # already told apart: a second refusal is a real problem
    return Rename(row.key, row.tripletex, text + suffix)


def journalled_views(
    mapping: FieldMapping, entity: str, payload: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the webshop view, the view sent to Tripletex) of a journalled Tripletex create's payload."""
    raw = dict(payload)
    sent = raw.pop(SENT_KEY, None)
    view = mapping.decode_view(entity, raw)
    overrides = mapping.decode_view(entity, sent) if isinstance(sent, Mapping) else {}
    return view, {**view, **overrides}
