"""The stored base: JSON round trip, and the write-ahead marks that recognise the engine's own echoes."""

from __future__ import annotations

import datetime as dt

from shopsync.engine.base import Base
from shopsync.engine.merge import analyse
from shopsync.mapping import Mapping
from shopsync.state import Snapshot
from tests.unit.mapping.records import COMPANY, make_resolver


def _base(mapping: Mapping, **changes: object) -> Base:
    view = mapping.webshop_view("customer", COMPANY, make_resolver())
    return Base(webshop=view, tripletex=dict(view), webshop_version="3", tripletex_version=7).with_(**changes)


def _stored(mapping: Mapping, base: Base) -> Base:
    values = base.values(mapping, "customer")
    now = dt.datetime.now(dt.UTC)
    snapshot = Snapshot("customer", "1001", values, "", base.webshop_version, base.tripletex_version, now)
    return Base.from_snapshot(mapping, "customer", snapshot)


def test_bases_survive_storage(mapping: Mapping) -> None:
    """Views, versions, line ids, markers and pending values come back as they went in."""
    base = _base(mapping, locked=True, pending={"tripletex": {"name": "Nytt AS"}}, line_ids={"lines": [1, 2]})
    assert _stored(mapping, base) == base
    assert _stored(mapping, Base.unknown()).initial


def test_a_pending_value_found_on_its_side_counts_as_synced(mapping: Mapping) -> None:
    """After a crash mid-write, Tripletex holding exactly the pending value is our echo: the shop's newer
    edit of the same field flows over it instead of conflicting with it."""
    base = _base(mapping, pending={"tripletex": {"billing_city": "Bergen"}})
    shop = {**base.webshop, "billing_city": "Tromsø"}  # edited again after the lost write
    tx = {**base.tripletex, "billing_city": "Bergen"}  # our write landed
    bw, bt = base.effective(mapping, "customer", shop, tx)
    result = analyse(mapping, "customer", shop, tx, bw, bt)
    assert result.to_tripletex == {"billing_city": "Tromsø"} and not result.conflicts
    untouched = {**base.tripletex}  # the write never landed: a plain shop edit
    bw, bt = base.effective(mapping, "customer", shop, untouched)
    assert analyse(mapping, "customer", shop, untouched, bw, bt).to_tripletex == {"billing_city": "Tromsø"}


def test_pending_values_of_a_first_sync_become_its_base(mapping: Mapping) -> None:
    """A pair never merged before has no base, except for the keys whose pending value is on its side."""
    view = mapping.webshop_view("customer", COMPANY, make_resolver())
    base = Base.unknown().with_(pending={"webshop": {"name": "Fra Tripletex AS"}})
    shop = {**view, "name": "Fra Tripletex AS"}
    tx = {**view, "name": "Fra Tripletex AS"}
    bw, bt = base.effective(mapping, "customer", shop, tx)
    assert bw == {"name": "Fra Tripletex AS"} and bt == {"name": "Fra Tripletex AS"}
