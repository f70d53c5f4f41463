"""Addresses embedded in customers and orders: created, patched and checked through their parent.

Postal and physical addresses are their own objects (own id and version) but are only written
through ``/customer``; an address without a country gets Norway. Delivery addresses work the same way
for ``Customer.deliveryAddress`` and ``Order.deliveryAddress``, and may also be referenced by id.
"""

from __future__ import annotations

from typing import Any

from shopsync.simulators.tripletex.bodies import Mapped
from shopsync.simulators.tripletex.errors import ValidationCollector
from shopsync.simulators.tripletex.refdata import NORWAY_ID
from shopsync.simulators.tripletex.state import Simulator, Write
from shopsync.simulators.tripletex.writes import apply, check_lengths, check_refs, ref_id

__all__ = ["AddressPlan", "plan_address", "save_address"]


class AddressPlan:
    """What a write will do to one embedded address: keep, create, patch, or link an existing one."""

    def __init__(self, schema: str, doc: dict[str, Any] | None, old: dict[str, Any] | None) -> None:
        self.schema = schema
        self.doc = doc  # the address after the write (None: no address)
        self.old = old  # the stored address before the write (None: a new one)

    @property
    def id(self) -> int | None:
        """Id of the address the parent will reference."""
        return None if self.doc is None else int(self.doc["id"])


def _derive(doc: dict[str, Any], sim: Simulator) -> None:
    country = sim.refdata.get("Country", doc.get("country") or NORWAY_ID)
    parts = [doc.get("addressLine1"), doc.get("addressLine2")]
    place = " ".join(p for p in (doc.get("postalCode"), doc.get("city")) if p)
    text = ", ".join(p for p in [*parts, place] if p)
    if country and country["id"] != NORWAY_ID and text:
        text = f"{text}, {country['name']}"
    doc["addressAsString"] = text
    doc["displayName"] = text


def plan_address(
    sim: Simulator,
    schema: str,
    field: str,
    sent: Mapped | None,
    current_id: int | None,
    vc: ValidationCollector,
    *,
    create_empty: bool = False,
    may_link: bool = False,
) -> AddressPlan:
    """Decide what happens to the address in ``field`` (``sent`` is the mapped body value).

    ``create_empty`` makes an address even when none was sent (customer postal/physical);
    ``may_link`` lets ``{"id": n}`` point at another existing address (delivery addresses).
    """
    current = sim.store.get(schema, current_id) if current_id else None
    if sent is None:
        if current is None and create_empty:
            empty: dict[str, Any] = {"id": sim.store.next_id(schema), "version": 0, "country": NORWAY_ID}
            _derive(empty, sim)
            return AddressPlan(schema, empty, None)
        return AddressPlan(schema, current, current)
    sent_id = ref_id(sent)
    if may_link and sent_id is not None and (current is None or sent_id != current["id"]):
        linked = sim.store.get(schema, sent_id)
        if linked is None:
            vc.field(f"{field}.id", f"Fant ikke objekt med id {sent_id}.")
            return AddressPlan(schema, current, current)
        current = linked
    check_refs(sim, schema, sent, vc, prefix=f"{field}.")
    if current is None:
        doc: dict[str, Any] = {"id": sim.store.next_id(schema), "version": 0}
    else:
        doc = dict(current)
    apply(schema, doc, sent)
    if not doc.get("country"):
        doc["country"] = NORWAY_ID
    _derive(doc, sim)
    check_lengths(schema, doc, vc, prefix=f"{field}.")
    return AddressPlan(schema, doc, current)


def save_address(sim: Simulator, w: Write, plan: AddressPlan) -> bool:
    """Store a planned address; True when it was created or changed."""
    if plan.doc is None:
        return False
    if plan.old is None:
        sim.insert(w, plan.schema, plan.doc)
        return True
    if plan.old["id"] != plan.doc["id"]:
        return False
    return sim.save(w, plan.schema, plan.old, plan.doc, None)
