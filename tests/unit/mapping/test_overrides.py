"""An installation changes the mapping with a YAML file alone: replace, add, switch off or on rows."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

from shopsync.mapping import Mapping, Row, load_mapping
from tests.unit.mapping.records import COMPANY, ORDER, PRODUCT, make_resolver


def _load(tmp_path: Path, text: str) -> tuple[Mapping, Path]:
    path = tmp_path / "mapping.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_mapping(path), path


def test_replace_add_and_switch_off(tmp_path: Path) -> None:
    """A row with a known key replaces it, a new key adds one, key + disabled switches one off."""
    mapping, path = _load(
        tmp_path,
        """
        customer:
          rows:
            - {key: email, webshop: email, tripletex: email, compare: exact}
            - {key: invoice_email, disabled: true}
        order:
          rows:
            - {key: reference, webshop: number, tripletex: reference, direction: to_tripletex,
               to_tripletex: '"Nettordre " & number'}
        """,
    )
    email = mapping.entity("customer").entry("email")[0]
    assert isinstance(email, Row) and email.compare == "exact" and email.source == str(path)
    assert not mapping.same("customer", "email", "A@b.no", "a@b.no")
    assert [e.key for e in mapping.entity("customer").disabled] == ["invoice_email"]
    resolver = make_resolver()
    customer = mapping.to_tripletex("customer", mapping.webshop_view("customer", COMPANY, resolver), resolver)
    assert "invoiceEmail" not in customer
    order = mapping.to_tripletex("order", mapping.webshop_view("order", ORDER, resolver), resolver)
    assert order["reference"] == "Nettordre 100045"
    assert mapping.entity("order").entries[-1].key == "reference"


def test_switch_on_a_default_row(tmp_path: Path) -> None:
    """The disabled stock row comes alive with two lines of YAML and flows to the shop only."""
    mapping, _ = _load(tmp_path, "product:\n  rows:\n    - {key: stock, disabled: false}\n")
    resolver = make_resolver()
    body = mapping.to_tripletex("product", mapping.webshop_view("product", PRODUCT, resolver), resolver)
    view = mapping.tripletex_view("product", {**body, "stockOfGoods": Decimal("7.0000000000")}, resolver)
    assert view["stock"] == Decimal(7)
    assert mapping.to_webshop("product", view, resolver, keys=["stock"]) == {"stock_quantity": 7}
    assert "stockOfGoods" not in body


def test_rows_inside_a_block_and_when_variants(tmp_path: Path) -> None:
    """``lines.discount`` addresses a block's row; one override row replaces every when-variant of a key."""
    mapping, _ = _load(
        tmp_path,
        """
        order:
          rows:
            - {key: lines.discount, disabled: true}
        product:
          rows:
            - {key: price, webshop: price, tripletex: priceExcludingVatCurrency, compare: money}
            - {key: derived_price, disabled: true}
        """,
    )
    resolver = make_resolver()
    body = mapping.to_tripletex("order", mapping.webshop_view("order", ORDER, resolver), resolver)
    assert all("discount" not in line for line in body["orderLines"])
    prices = mapping.entity("product").entry("price")
    assert len(prices) == 1 and prices[0].when is None
    product = mapping.to_tripletex("product", mapping.webshop_view("product", PRODUCT, resolver), resolver)
    assert product["priceExcludingVatCurrency"] == Decimal("99.99")


def test_match_and_deactivation_can_be_replaced(tmp_path: Path) -> None:
    """An entity's match keys and deactivation rule are overridable too."""
    mapping, _ = _load(
        tmp_path,
        """
        customer:
          match: [{key: email, tripletex_param: email, webshop_param: email}]
        """,
    )
    assert [k.key for k in mapping.match_keys("customer")] == ["email"]
    assert mapping.entity("customer").deactivate is not None
