"""The scan's match index holds only Tripletex records not linked yet: a linked record is never a match
candidate, so indexing it would only cost memory (0.3 KB a record, 27 MB of an idle pass of 100,000
customers). Matching must behave exactly as before."""

from __future__ import annotations

from typing import Any

import pytest

from shopsync.engine import EngineOptions, tripletex_side
from shopsync.engine.tripletex_side import TripletexSide
from shopsync.tripletex import Customer

from .conftest import Worlds

ONLY = {"entities": ("customer",)}


def shop_customer(email: str) -> dict[str, Any]:
    address = {"line1": "Storgata 1", "postal_code": "0155", "city": "Oslo", "country": "NO"}
    return {
        "type": "private",
        "first_name": "Kari",
        "last_name": "Kø",
        "email": email,
        "billing_address": address,
    }


async def test_linked_records_are_left_out_of_the_index_and_matching_is_unchanged(
    world: Worlds, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tripletex_side, "INDEX_BLOCK", 2)  # links asked for in several blocks
    w = await world(
        shop={"customers": 5, "products": 0, "orders": 0},
        tripletex={"seed": 3, "customers": 0, "products": 0, "orders": 0},
        options=ONLY,
    )
    assert (await w.sync()).in_sync
    linked = await w.shop_list("customers")
    taken_email = next(c["email"] for c in linked if c.get("email"))
    free = await w.admin.customers.create(
        Customer(name="Fri Kunde", email="fri.kunde@example.no", isPrivateIndividual=True)
    )

    side = TripletexSide(w.client, w.mapping, "customer", EngineOptions(entities=("customer",)))
    scan = await side.scan_compact(linked=lambda ids: w.store.webshop_ids_for("customer", ids).keys())
    assert len(scan) == 6 and free.id in scan  # every record listed, linked or not
    assert scan.index["email"] == {"fri.kunde@example.no": [free.id]}  # only the unlinked one indexed
    everything = await side.scan_compact()
    assert len(everything.index["email"]) == 6

    # A shop customer with the linked customer's e-mail is not matched to it (it is taken): created;
    # one with the free customer's e-mail is linked to it, not created.
    await w.shop_call("POST", "/customers", shop_customer(taken_email))
    twin = await w.shop_call("POST", "/customers", shop_customer("fri.kunde@example.no"))
    summary = await w.sync()
    assert summary.in_sync, summary.attention
    assert summary.of("customer", "tripletex").created == 1
    assert w.store.tripletex_id_for("customer", str(twin["id"])) == free.id
