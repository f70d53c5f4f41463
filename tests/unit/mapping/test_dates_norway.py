"""Norwegian rules: Oslo calendar dates around midnight and DST, organisation numbers, phones, names."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings

from shopsync.mapping import Mapping
from shopsync.mapping.norway import (
    full_name,
    is_mobile,
    is_valid_org_number,
    local_date,
    normalize_org_number,
    split_name,
)
from tests.unit.mapping.records import ORDER, make_resolver, timestamps


@pytest.mark.parametrize(
    ("ordered_at", "oslo_date"),
    [
        ("2026-01-15T23:30:00+00:00", "2026-01-16"),  # 00:30 Oslo (CET): not the previous day
        ("2026-01-15T22:59:59+00:00", "2026-01-15"),  # 23:59:59 Oslo
        ("2026-01-15T23:00:00+00:00", "2026-01-16"),  # midnight Oslo exactly
        ("2026-07-15T22:30:00+00:00", "2026-07-16"),  # 00:30 Oslo (CEST)
        ("2026-07-15T21:59:59+00:00", "2026-07-15"),  # 23:59:59 Oslo in summer
        ("2026-03-28T23:30:00+00:00", "2026-03-29"),  # 00:30 on the night summer time starts
        ("2026-03-29T00:59:59+00:00", "2026-03-29"),  # 01:59:59 CET, just before the jump
        ("2026-03-29T01:00:00+00:00", "2026-03-29"),  # 03:00 CEST, just after it
        ("2026-10-24T22:30:00+00:00", "2026-10-25"),  # 00:30 CEST on the night summer time ends
        ("2026-10-24T21:59:59+00:00", "2026-10-24"),  # 23:59:59 CEST
        ("2026-10-25T00:30:00+00:00", "2026-10-25"),  # 02:30 CEST, the first pass
        ("2026-10-25T01:30:00+00:00", "2026-10-25"),  # 02:30 CET, the repeated hour
        ("2026-10-25T00:30:00+02:00", "2026-10-25"),  # offset given in Oslo time
        ("2026-12-31T23:30:00-05:00", "2027-01-01"),  # an order placed in New York, booked in Oslo
        ("2026-12-31T22:59:00Z", "2026-12-31"),  # Z suffix
    ],
)
def test_order_date_is_the_oslo_calendar_date(mapping: Mapping, ordered_at: str, oslo_date: str) -> None:
    """orderDate and deliveryDate are the Oslo calendar date of the order time, summer time included."""
    resolver = make_resolver()
    view = mapping.webshop_view("order", {**ORDER, "ordered_at": ordered_at}, resolver)
    body = mapping.to_tripletex("order", view, resolver)
    assert (body["orderDate"], body["deliveryDate"]) == (oslo_date, oslo_date)


@settings(max_examples=200, deadline=None)
@given(moment=timestamps)
def test_any_instant_lands_on_its_oslo_date(mapping: Mapping, moment: dt.datetime) -> None:
    """For any instant in any time zone the order date is the wall-clock date in Oslo."""
    view = mapping.webshop_view("order", {**ORDER, "ordered_at": moment.isoformat()}, make_resolver())
    assert view["order_date"] == moment.astimezone(ZoneInfo("Europe/Oslo")).date().isoformat()


def test_local_date_needs_an_offset() -> None:
    """A timestamp without offset cannot be placed in Oslo and is refused."""
    with pytest.raises(ValueError, match="no UTC offset"):
        local_date("2026-01-15T23:30:00")


@pytest.mark.parametrize(
    ("raw", "digits"),
    [("923 609 016", "923609016"), ("923609016", "923609016"), (" 914 778 271 ", "914778271"), ("", None)],
)
def test_org_numbers_lose_spaces(raw: str, digits: str | None) -> None:
    """Organisation numbers are stored as their nine digits."""
    assert normalize_org_number(raw) == digits


@pytest.mark.parametrize(
    ("raw", "reason"), [("923609017", "MOD11"), ("92360901", "nine digits"), ("ABC", "nine")]
)
def test_bad_org_numbers_are_refused(raw: str, reason: str) -> None:
    """A wrong check digit or length is an error, never passed on to Tripletex."""
    with pytest.raises(ValueError, match=reason):
        normalize_org_number(raw)


def test_mod11_check_digit_ten_is_invalid() -> None:
    """Numbers whose check digit would be 10 do not exist."""
    # 00000006: weighted sum 12, remainder 1, check digit 10: no ninth digit makes it valid.
    assert not any(is_valid_org_number(f"00000006{d}") for d in "0123456789")
    assert is_valid_org_number("974760673")  # Brønnøysundregistrene


@pytest.mark.parametrize(
    ("phone", "mobile"),
    [
        ("+47 912 34 567", True),
        ("0047 41234567", True),
        ("98765432", True),
        ("(+47) 412-34-567", True),
        ("22 33 44 55", False),
        ("+46 8 123 456", False),
        ("912 34 56", False),
        (None, False),
    ],
)
def test_mobile_numbers(phone: str | None, mobile: bool) -> None:
    """Norwegian mobiles are 8 digits starting with 4 or 9, optionally after +47 or 0047."""
    assert is_mobile(phone) is mobile


def test_names_join_and_split() -> None:
    """Full names skip blanks; a name from Tripletex splits at its last space."""
    assert full_name("Anne Marie", "Hansen") == "Anne Marie Hansen"
    assert full_name(" ", "Hansen") == "Hansen"
    assert full_name(None, None) is None
    assert split_name("Anne Marie Hansen") == ("Anne Marie", "Hansen")
    assert split_name("Cher") == ("Cher", None)
    assert split_name("") == (None, None)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"phone": "+47 912 34 567"}, {"phoneNumberMobile": "+47 912 34 567", "phoneNumber": ""}),
        ({"phone": "22 33 44 55"}, {"phoneNumberMobile": "", "phoneNumber": "22 33 44 55"}),
        ({"language": "nn"}, {"language": "NO"}),
        ({"language": "de"}, {"language": "EN"}),
        ({"type": "private", "company_name": None}, {"isPrivateIndividual": True, "name": "Ola Nordmann"}),
        ({"active": False}, {"isInactive": True}),
    ],
)
def test_customer_rules(mapping: Mapping, changes: dict[str, Any], expected: dict[str, Any]) -> None:
    """Phones go to the mobile or the general field, languages to NO/EN, names and flags as needed."""
    from tests.unit.mapping.records import COMPANY

    resolver = make_resolver()
    body = mapping.to_tripletex(
        "customer", mapping.webshop_view("customer", {**COMPANY, **changes}, resolver), resolver
    )
    assert {k: body[k] for k in expected} == expected
