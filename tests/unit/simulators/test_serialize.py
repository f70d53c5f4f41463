"""Rendering defaults and number handling: what a client sees for unset and decimal values."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from shopsync.simulators.tripletex.serialize import Renderer, dumps, number


class _Empty:
    def lookup(self, schema: str, obj_id: int) -> dict[str, Any] | None:
        return None

    def changes(self, schema: str, obj_id: int) -> list[dict[str, Any]]:
        return []


def test_unset_values_render_as_tripletex_does() -> None:
    """Unset text is "", references/dates/enums null, numbers 0, booleans false, lists []."""
    out = Renderer(_Empty(), "h").render("Order", {"id": 1, "version": 0})
    assert out["reference"] == ""
    assert out["customer"] is None
    assert out["orderDate"] is None
    assert out["invoicesDueInType"] is None
    assert out["markUpOrderLines"] == 0
    assert out["isClosed"] is False
    assert out["orderLines"] == []
    assert out["url"] == "h/v2/order/1"


def test_logistics_fields_are_on_demand() -> None:
    """Product's default set leaves out ean and stock fields; naming them brings them back."""
    r = Renderer(_Empty(), "h")
    default = r.render("Product", {"id": 1, "version": 0, "ean": "7012345678900"})
    assert "ean" not in default and "stockOfGoods" not in default and "incomingStock" in default
    assert r.render("Product", {"id": 1, "ean": "7012345678900"}, {"ean": None}) == {"ean": "7012345678900"}


def test_write_only_fields_never_show() -> None:
    """A subscription's secrets are null even when asked for."""
    doc = {"id": 1, "hmacSharedSecret": "0123456789", "authHeaderValue": "Bearer x"}
    out = Renderer(_Empty(), "h").render(
        "Subscription", doc, {"hmacSharedSecret": None, "authHeaderValue": None}
    )
    assert out == {"hmacSharedSecret": None, "authHeaderValue": None}


def test_numbers_are_normalised_on_read_and_echoed_on_write() -> None:
    """Reads give 5500 / 33562.5; write responses keep the sent scale (5500.00)."""
    assert number("5500.00") == 5500
    assert number("33562.50") == 33562.5
    assert number(None) == 0
    assert number("5500.00", echo=True) == Decimal("5500.00")
    assert dumps({"a": number("5500.00", echo=True)}) == b'{"a":5500.00}'


def test_dumps_keeps_decimals_exact_and_text_intact() -> None:
    """Decimals are exact JSON numbers; text that merely looks like one stays a string."""
    raw = dumps({"price": Decimal("0.1000000001"), "text": "0.5", "name": "Blåbær"})
    assert raw.decode() == '{"price":0.1000000001,"text":"0.5","name":"Blåbær"}'
    assert json.loads(raw, parse_float=Decimal)["price"] == Decimal("0.1000000001")


def test_echoed_whole_numbers_print_as_sent() -> None:
    """A write echoes "0" and "007" exactly as a Decimal would print them, and keeps 5500.00's scale."""
    for text in ("0", "15", "007", "5500.00", "-3", "1E+2"):
        assert dumps({"a": number(text, echo=True)}) == dumps({"a": Decimal(text)})
