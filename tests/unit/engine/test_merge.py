"""The 3-way merge per row key: what flows where, what conflicts, what is held back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopsync.engine.merge import analyse, decide, is_empty, same
from shopsync.mapping import Mapping
from tests.unit.mapping.records import COMPANY, ORDER, make_resolver


def views(mapping: Mapping) -> tuple[dict[str, Any], dict[str, Any]]:
    """A company customer's webshop view and the Tripletex view of its partner, as after a sync."""
    resolver = make_resolver()
    shop = mapping.webshop_view("customer", COMPANY, resolver)
    tx = mapping.tripletex_view("customer", mapping.to_tripletex("customer", shop, resolver), resolver)
    return shop, tx


def test_a_change_on_one_side_flows_to_the_other(mapping: Mapping) -> None:
    """A shop edit goes to Tripletex, a Tripletex edit to the shop; unchanged keys write nothing."""
    shop, tx = views(mapping)
    result = analyse(
        mapping, "customer", {**shop, "billing_city": "Bergen"}, {**tx, "name": "Nytt AS"}, shop, tx
    )
    assert result.to_tripletex == {"billing_city": "Bergen"}
    assert result.to_webshop == {"name": "Nytt AS"}
    assert not result.conflicts
    assert analyse(mapping, "customer", shop, tx, shop, tx).to_tripletex == {}


def test_equal_edits_on_both_sides_are_agreed(mapping: Mapping) -> None:
    """Both sides changed a key to equal values (e-mail case aside): nothing to write, no conflict."""
    shop, tx = views(mapping)
    result = analyse(
        mapping, "customer", {**shop, "email": "Ny@Firma.no"}, {**tx, "email": "ny@firma.no"}, shop, tx
    )
    assert (result.to_tripletex, result.to_webshop, result.conflicts) == ({}, {}, [])


def test_different_edits_conflict_and_the_winner_decides(mapping: Mapping) -> None:
    """Both sides changed the name differently: a conflict; the winner's value goes to the loser."""
    shop, tx = views(mapping)
    result = analyse(
        mapping, "customer", {**shop, "name": "Butikk AS"}, {**tx, "name": "Regnskap AS"}, shop, tx
    )
    [conflict] = result.conflicts
    assert (conflict.key, conflict.webshop, conflict.tripletex) == ("name", "Butikk AS", "Regnskap AS")
    assert decide(result, "webshop").to_tripletex == {"name": "Butikk AS"}
    assert decide(result, "tripletex").to_webshop == {"name": "Regnskap AS"}
    held = decide(result, None)
    assert held.held == {"name"} and not held.writes and held.conflicts[0][1] is None


def test_first_link_never_overwrites_with_an_empty_value(mapping: Mapping) -> None:
    """Without a base, the filled side wins over the empty one; two filled values conflict."""
    shop, tx = views(mapping)
    result = analyse(
        mapping,
        "customer",
        {**shop, "billing_line2": None, "name": "Fjordkaffe AS"},
        {**tx, "billing_line2": "Postboks 5", "name": "Fjordkaffe Oslo AS"},
        None,
        None,
    )
    assert result.to_webshop == {"billing_line2": "Postboks 5"}
    assert [c.key for c in result.conflicts] == ["name"]
    assert result.to_tripletex == {}


def test_one_way_rows_follow_their_source_only(mapping: Mapping) -> None:
    """``invoice_email`` flows to Tripletex only: a Tripletex edit of it is left alone, never a conflict."""
    shop, tx = views(mapping)
    edited_in_tripletex = analyse(
        mapping, "customer", shop, {**tx, "invoice_email": "faktura@x.no"}, shop, tx
    )
    assert (edited_in_tripletex.to_webshop, edited_in_tripletex.conflicts) == ({}, [])
    new_shop_mail = {**shop, "email": "ny@x.no", "invoice_email": "ny@x.no"}
    both = analyse(mapping, "customer", new_shop_mail, {**tx, "invoice_email": "faktura@x.no"}, shop, tx)
    assert both.to_tripletex == {"email": "ny@x.no", "invoice_email": "ny@x.no"} and not both.conflicts


def test_views_that_legitimately_differ_are_not_changes(mapping: Mapping) -> None:
    """Tripletex holds a landline the shop cannot (one phone field): unchanged since the base, no write."""
    shop, tx = views(mapping)
    tx = {**tx, "phone": "22 22 22 22"}
    result = analyse(mapping, "customer", shop, tx, shop, tx)
    assert (result.to_tripletex, result.to_webshop) == ({}, {})


def test_a_locked_record_turns_its_writes_into_open_conflicts(mapping: Mapping) -> None:
    """Edits for a closed Tripletex order become open conflicts holding their key; the shop still gets its."""
    resolver = make_resolver()
    shop = mapping.webshop_view("order", ORDER, resolver)
    tx = mapping.tripletex_view("order", mapping.to_tripletex("order", shop, resolver), resolver)
    result = analyse(mapping, "order", {**shop, "note": "Ny"}, {**tx, "delivery_city": "Bodø"}, shop, tx)
    decision = decide(result, None, locked=True, tripletex=tx)
    assert decision.to_tripletex == {} and decision.to_webshop == {"delivery_city": "Bodø"}
    assert decision.held == {"note"}
    [(conflict, winner)] = decision.conflicts
    assert conflict.key == "note" and winner is None and "locked" in conflict.reason


def test_lists_compare_regardless_of_order(mapping: Mapping) -> None:
    """Order lines listed in another order are the same lines; a changed line is not."""
    lines = mapping.webshop_view("order", ORDER, make_resolver())["lines"]
    assert same(mapping, "order", "lines", lines, list(reversed(lines)))
    changed = [{**lines[0], "count": Decimal(9)}, lines[1]]
    assert not same(mapping, "order", "lines", lines, changed)


def test_emptiness() -> None:
    """None, blank text and empty lists are empty; False and zero are values."""
    empty: tuple[Any, ...] = (None, "", "  ", [], {})
    filled: tuple[Any, ...] = (False, 0, Decimal(0), "x", [1])
    assert all(is_empty(v) for v in empty)
    assert not any(is_empty(v) for v in filled)
