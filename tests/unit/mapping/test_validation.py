"""Bad mapping files: each kind of mistake gives a clear error naming the file, the row and the problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shopsync.mapping import MappingFileError, Problem, load_mapping
from shopsync.mapping._loader import load_entities


def _problems(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "mapping.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(MappingFileError) as caught:
        load_mapping(path)
    problems = caught.value.problems
    assert all(p.file == str(path) for p in problems), problems
    assert str(path) in str(caught.value)
    return problems


@pytest.mark.parametrize(
    ("override", "row", "message"),
    [
        pytest.param(
            """
            customer:
              rows:
                - key: billing_postal_code
                  webshop: billing_address.postal_code
                  tripletex: postalAddress.zip
            """,
            "billing_postal_code",
            "Address has no property 'zip'",
            id="tripletex-path-not-in-spec",
        ),
        pytest.param(
            """
            product:
              rows:
                - {key: stock, webshop: stock_quantity, tripletex: stockOfGoods, direction: both}
            """,
            "stock",
            "Tripletex stockOfGoods is read-only",
            id="read-only-towards-tripletex",
        ),
        pytest.param(
            """
            customer:
              rows:
                - {key: active, webshop: active, tripletex: isInactive, to_tripletex: '$not(active)'}
            """,
            "active",
            "two-way row has to_tripletex but no to_webshop",
            id="two-way-without-inverse",
        ),
        pytest.param(
            """
            customer:
              rows:
                - key: billing_postal_code
                  webshop: billing_address.zip
                  tripletex: postalAddress.postalCode
            """,
            "billing_postal_code",
            "unknown webshop field: Address has no field 'zip'",
            id="unknown-webshop-field",
        ),
        pytest.param(
            """
            product:
              rows:
                - {key: weight, webshop: active, tripletex: weight}
            """,
            "weight",
            "type mismatch: webshop active is boolean, Tripletex weight is number",
            id="boolean-into-number",
        ),
        pytest.param(
            """
            order:
              rows:
                - {key: order_date, webshop: ordered_at, tripletex: orderDate, direction: to_tripletex}
            """,
            "order_date",
            "type mismatch: webshop ordered_at is datetime",
            id="datetime-without-transform",
        ),
        pytest.param(
            """
            customer:
              rows:
                - {key: language, webshop: language, tripletex: language}
            """,
            "language",
            "(one of NO, EN)",
            id="values-outside-the-tripletex-enum",
        ),
        pytest.param(
            """
            customer:
              rows:
                - key: private
                  webshop: type
                  tripletex: isPrivateIndividual
                  to_tripletex: 'type = '
                  to_webshop: '$value'
            """,
            "private",
            "to_tripletex: invalid JSONata",
            id="bad-jsonata",
        ),
        pytest.param(
            """
            customer:
              rows:
                - key: private
                  webshop: type
                  tripletex: isPrivateIndividual
                  to_tripletex: '$is_private(type)'
                  to_webshop: '$value'
            """,
            "private",
            "unknown function $is_private",
            id="unknown-function",
        ),
        pytest.param(
            """
            customer:
              rows:
                - key: billing_country
                  webshop: billing_address.country
                  tripletex: postalAddress.country.id
                  ref: currency
            """,
            "billing_country",
            "ref: currency needs a Tripletex path ending at a Currency's id",
            id="reference-of-the-wrong-kind",
        ),
        pytest.param(
            """
            product:
              rows:
                - {key: currency, webshop: currency, tripletex: currency}
            """,
            "currency",
            "is an object; map one of its properties (e.g. currency.id with a ref)",
            id="object-without-ref",
        ),
        pytest.param(
            """
            customer:
              rows:
                - {key: email, webshop: email, tripletx: email}
            """,
            "email",
            "unknown property 'tripletx'",
            id="typo-in-a-row",
        ),
        pytest.param(
            """
            customer:
              rows:
                - {key: display, webshop: id, tripletex: displayName, direction: to_webshop}
            """,
            "display",
            "webshop id cannot be written",
            id="writing-a-shop-assigned-field",
        ),
        pytest.param(
            """
            order:
              rows:
                - {key: lines.count, webshop: amount, tripletex: count}
            """,
            "lines.count",
            "OrderLine has no field 'amount'",
            id="unknown-field-in-a-block-row",
        ),
        pytest.param(
            """
            product:
              rows:
                - {key: price, webshop: price, tripletex: priceExcludingVatCurrency}
            """,
            "price",
            "priceExcludingVatCurrency is also written by row 'derived_price' for prices_include_vat=true",
            id="two-rows-writing-one-property",
        ),
        pytest.param(
            """
            customer:
              rows:
                - {key: invoice_email_2, disabled: true}
            """,
            "invoice_email_2",
            "no default row 'invoice_email_2' to switch on or off",
            id="switching-off-an-unknown-row",
        ),
    ],
)
def test_each_kind_of_mistake_is_reported(tmp_path: Path, override: str, row: str, message: str) -> None:
    """The error names the override file, the row's key and what is wrong."""
    problems = _problems(tmp_path, override)
    assert any(row in (p.row or "") and message in p.message for p in problems), problems


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    """Several wrong rows in several entities are listed together, not one per run."""
    problems = _problems(
        tmp_path,
        """
        customer:
          rows:
            - {key: a, webshop: nope, tripletex: name}
            - {key: b, webshop: email, tripletex: nope}
        product:
          rows:
            - {key: c, webshop: active, tripletex: weight}
        """,
    )
    assert [p.row for p in problems] == ["'a' (#20)", "'b' (#21)", "'c' (#12)"]


def test_invalid_yaml_and_unknown_entities(tmp_path: Path) -> None:
    """A file that is not YAML, or names an entity that does not exist, is reported as such."""
    assert "invalid YAML" in _problems(tmp_path, "customer: [rows\n")[0].message
    assert "unknown entity 'invoice'" in _problems(tmp_path, "invoice: {rows: []}\n")[0].message


def test_missing_override_file(tmp_path: Path) -> None:
    """A missing override file is an error, not silently the defaults."""
    with pytest.raises(MappingFileError, match="cannot read"):
        load_mapping(tmp_path / "missing.yaml")


def test_broken_defaults_are_reported(tmp_path: Path) -> None:
    """Duplicate keys, unknown match keys and bad deactivation values in an entity file are caught."""
    (tmp_path / "thing.yaml").write_text(
        textwrap.dedent(
            """
            entity: thing
            title: Thing
            webshop: Product
            tripletex: Product
            match: [{key: nope, tripletex_param: number}]
            deactivate: {key: active, value: maybe}
            rows:
              - {key: active, webshop: active, tripletex: isInactive, to_tripletex: '$not(active)',
                 to_webshop: '$not($value)'}
              - {key: name, webshop: name, tripletex: name}
              - {key: name, webshop: description, tripletex: description}
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(MappingFileError) as caught:
        load_entities(None, defaults_dir=tmp_path)
    messages = [p.message for p in caught.value.problems]
    assert any("duplicate key" in m for m in messages)
    assert any("match: no row 'nope'" in m for m in messages)
    assert any("deactivate: 'maybe' is not a valid boolean" in m for m in messages)
