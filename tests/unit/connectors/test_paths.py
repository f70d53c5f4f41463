"""Dotted paths into shop JSON: nested keys, list indexes and key=value selectors."""

from __future__ import annotations

from typing import Any

import pytest

from shopsync.connectors.webshop._paths import get_path, set_path

DOC = {
    "billing": {"address_1": "Storgata 1"},
    "line_items": [{"sku": "A"}, {"sku": "B"}],
    "meta_data": [{"key": "other", "value": 1}, {"key": "organization_number", "value": "123456785"}],
}


def test_get_reads_nested_indexed_and_selected_values() -> None:
    """Every path form reads its value; anything missing reads as None."""
    assert get_path(DOC, "billing.address_1") == "Storgata 1"
    assert get_path(DOC, "line_items[1].sku") == "B"
    assert get_path(DOC, "meta_data[key=organization_number].value") == "123456785"
    assert get_path(DOC, "shipping.address_1") is None
    assert get_path(DOC, "line_items[5].sku") is None
    assert get_path(DOC, "meta_data[key=missing].value") is None
    assert get_path("not a dict", "a") is None


def test_set_creates_objects_and_selected_list_elements() -> None:
    """Setting builds what is missing: nested objects, list elements matched or appended by key."""
    out: dict[str, Any] = {}
    set_path(out, "billing.address_1", "Storgata 1")
    set_path(out, "meta_data[key=organization_number].value", "123456785")
    set_path(out, "meta_data[key=organization_number].id", 7)
    set_path(out, "line_items[1].sku", "B")
    assert out == {
        "billing": {"address_1": "Storgata 1"},
        "meta_data": [{"key": "organization_number", "value": "123456785", "id": 7}],
        "line_items": [{}, {"sku": "B"}],
    }


@pytest.mark.parametrize("path", ["", "a..b", "a[", "a[x]", "a.[0]"])
def test_bad_path_syntax_is_refused(path: str) -> None:
    """Malformed paths are configuration errors."""
    with pytest.raises(ValueError):
        get_path({}, path)


def test_setting_through_a_scalar_is_refused() -> None:
    """A path cannot descend into a string."""
    with pytest.raises(ValueError, match="not an object"):
        set_path({"billing": "x"}, "billing.city", "Oslo")
