"""Request mapping: unknown properties, wrong types, read-only properties, numbers kept exact."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shopsync.simulators.tripletex.bodies import map_list, map_object, parse_json
from shopsync.simulators.tripletex.errors import ApiError


def _code(data: Any, schema: str = "Customer") -> tuple[int, int]:
    with pytest.raises(ApiError) as info:
        map_object(schema, data)
    return info.value.status, info.value.code


def test_unknown_property_is_422_16000() -> None:
    """A property the model does not have fails the mapping, nested ones too."""
    assert _code({"name": "A", "nickname": "x"}) == (422, 16000)
    assert _code({"name": "A", "postalAddress": {"street": "x"}}) == (422, 16000)


@pytest.mark.parametrize(
    "body",
    [
        {"name": {"a": 1}},
        {"invoicesDueIn": "fourteen"},
        {"isInactive": 3},
        {"language": "SV"},
        {"currency": 1},
    ],
)
def test_wrong_json_types_are_422_16000(body: dict[str, Any]) -> None:
    """Objects for text, words for numbers, numbers for booleans, bad enums, bare ids for references."""
    assert _code(body) == (422, 16000)


def test_lenient_conversions_and_read_only_drop() -> None:
    """Numeric strings are numbers, numbers are text, read-only properties vanish."""
    mapped = map_object(
        "Customer",
        {"name": 123, "invoicesDueIn": "30", "discountPercentage": "2.50", "isCustomer": False, "url": "x"},
    )
    assert mapped == {"name": "123", "invoicesDueIn": 30, "discountPercentage": "2.50"}


def test_references_keep_only_what_matters() -> None:
    """A reference maps to its id; an unmodelled kind (``ledgerAccount``) keeps only the id."""
    mapped = map_object(
        "Customer", {"currency": {"id": 1, "url": "x/v2/currency/1"}, "ledgerAccount": {"id": 9}}
    )
    assert mapped == {"currency": {"id": 1}, "ledgerAccount": {"id": 9}}


def test_decimals_survive_exactly() -> None:
    """JSON numbers are parsed as Decimal and stored as their exact text."""
    mapped = map_object(
        "Product", parse_json(b'{"priceExcludingVatCurrency": 5500.00, "costExcludingVatCurrency": 1}')
    )
    assert mapped == {"priceExcludingVatCurrency": "5500.00", "costExcludingVatCurrency": "1"}
    assert Decimal(mapped["priceExcludingVatCurrency"]) == Decimal(5500)


def test_bad_json_is_422_22000() -> None:
    """A body that is not JSON at all, or an empty body."""
    for raw in (b"{not json", b""):
        with pytest.raises(ApiError) as info:
            parse_json(raw)
        assert (info.value.status, info.value.code) == (422, 22000)


def test_batch_needs_an_array_and_names_the_item() -> None:
    """Batch bodies are arrays; a bad item is reported with its index in the path."""
    with pytest.raises(ApiError):
        map_list("Customer", {"name": "x"})
    with pytest.raises(ApiError) as info:
        map_list("Customer", [{"name": "ok"}, {"name": "x", "bogus": 1}])
    assert info.value.validation_messages is not None
    assert info.value.validation_messages[0]["path"] == "[1].bogus"
