"""The ``fields`` parser, its checks against the models, and strict projection."""

from __future__ import annotations

from typing import Any

import pytest

from shopsync.simulators.tripletex.errors import ApiError
from shopsync.simulators.tripletex.fields import parse_fields, validate_fields
from shopsync.simulators.tripletex.serialize import Renderer


class _NoRefs:
    """A resolver with one stored address and no change log."""

    def lookup(self, schema: str, obj_id: int) -> dict[str, Any] | None:
        if schema == "Address" and obj_id == 7:
            return {"id": 7, "version": 2, "addressLine1": "Storgata 1", "country": 161}
        return None

    def changes(self, schema: str, obj_id: int) -> list[dict[str, Any]]:
        return [{"employeeId": 1, "timestamp": "2026-01-01T10:00:00+01:00", "changeType": "CREATE"}]


CUSTOMER = {"id": 5, "version": 3, "name": "Kunde AS", "postalAddress": 7, "currency": 1}


def test_blank_fields_means_default_set() -> None:
    """No ``fields`` (or a blank one) selects the default field set."""
    assert parse_fields(None) is None
    assert parse_fields("  ") is None


def test_nested_selection_parses_to_a_tree() -> None:
    """``a,b(*),c(x,y(*))`` nests to any depth and ignores spaces."""
    assert parse_fields("id, version,postalAddress(*),c(x,y(*))") == {
        "id": None,
        "version": None,
        "postalAddress": {"*": None},
        "c": {"x": None, "y": {"*": None}},
    }


def test_repeated_names_merge() -> None:
    """Naming a property twice merges its sub-selections."""
    assert parse_fields("a(x),a(y)") == {"a": {"x": None, "y": None}}


@pytest.mark.parametrize("text", ["id,(name)", "postalAddress(id", "id)", "na-me", "a,,b"])
def test_malformed_fields_are_400_11000(text: str) -> None:
    """Unbalanced parentheses and bad names are an illegal filter."""
    with pytest.raises(ApiError) as info:
        parse_fields(text)
    assert (info.value.status, info.value.code) == (400, 11000)


@pytest.mark.parametrize("text", ["id,bogus", "postalAddress(bogus)", "name(id)"])
def test_unknown_names_are_400_11000(text: str) -> None:
    """A name the model (or the nested model) lacks, or a sub-selection on a plain value, is rejected."""
    with pytest.raises(ApiError) as info:
        validate_fields(parse_fields(text), "Customer")
    assert (info.value.status, info.value.code) == (400, 11000)
    assert "Illegal field in fields filter" in info.value.message


def test_known_nested_names_pass() -> None:
    """Nested names are checked against the referenced model."""
    validate_fields(
        parse_fields("id,postalAddress(addressLine1,country(isoAlpha2Code)),changes(*)"), "Customer"
    )


def test_projection_is_strict() -> None:
    """Only named keys come back at every level; even ``id`` is dropped when not named."""
    r = Renderer(_NoRefs(), "sim.test")
    out = r.render("Customer", CUSTOMER, parse_fields("name,postalAddress(addressLine1)"))
    assert out == {"name": "Kunde AS", "postalAddress": {"addressLine1": "Storgata 1"}}


def test_unexpanded_references_are_stubs_and_star_expands_one_level() -> None:
    """References are ``{id, url}`` stubs; ``x(*)`` expands x with its own references as stubs."""
    r = Renderer(_NoRefs(), "sim.test")
    out = r.render("Customer", CUSTOMER, parse_fields("currency,postalAddress(*)"))
    assert out["currency"] == {"id": 1, "url": "sim.test/v2/currency/1"}
    assert out["postalAddress"]["country"] == {"id": 161, "url": "sim.test/v2/country/161"}
    assert list(out["postalAddress"])[:5] == ["id", "version", "url", "addressLine1", "addressLine2"]


def test_keys_follow_spec_order_whatever_the_fields_order() -> None:
    """Output keys are in the spec's property order, not the order they were asked for."""
    r = Renderer(_NoRefs(), "sim.test")
    assert list(r.render("Customer", CUSTOMER, parse_fields("name,version,id"))) == ["id", "version", "name"]


def test_changes_only_when_asked() -> None:
    """``changes`` is not in the default set or ``*``; ``*,changes`` adds it."""
    r = Renderer(_NoRefs(), "sim.test")
    assert "changes" not in r.render("Customer", CUSTOMER)
    assert "changes" not in r.render("Customer", CUSTOMER, parse_fields("*"))
    out = r.render("Customer", CUSTOMER, parse_fields("*,changes"))
    assert out["changes"] == [
        {"employeeId": 1, "timestamp": "2026-01-01T10:00:00+01:00", "changeType": "CREATE"}
    ]
