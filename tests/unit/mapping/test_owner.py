"""``owner:`` on a mapping row: whose value wins a conflict on it, checked, overridable and documented."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shopsync.mapping import Mapping, MappingFileError, Row, load_mapping
from shopsync.mapping.docs import render


def _load(tmp_path: Path, text: str) -> Mapping:
    path = tmp_path / "mapping.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_mapping(path)


def test_the_defaults_give_each_numbering_to_the_system_that_numbers() -> None:
    """Tripletex owns product numbers, the shop its order numbers; everything else follows the policy."""
    mapping = load_mapping()
    assert mapping.owner("product", "sku") == "tripletex"
    assert mapping.owner("order", "number") == "webshop"
    owned = {
        (name, entry.key)
        for name, entity in mapping.entities.items()
        for entry in entity.entries
        if entry.owner is not None
    }
    assert owned == {("product", "sku"), ("order", "number")}
    assert mapping.owner("customer", "name") is None


def test_an_override_sets_or_clears_an_owner_with_two_lines(tmp_path: Path) -> None:
    """``{key, owner}`` changes only the owner of a default row (and of a new or replaced row)."""
    mapping = _load(
        tmp_path,
        """
        customer:
          rows:
            - {key: name, owner: tripletex}
            - {key: email, webshop: email, tripletex: email, compare: casefold, owner: webshop}
        product:
          rows:
            - {key: sku, owner: null}
        order:
          rows:
            - {key: lines, owner: tripletex}
        """,
    )
    assert mapping.owner("customer", "name") == "tripletex"
    assert mapping.owner("customer", "email") == "webshop"
    assert mapping.owner("product", "sku") is None
    assert mapping.owner("order", "lines") == "tripletex"
    name = mapping.entity("customer").entry("name")[0]
    assert isinstance(name, Row) and name.to_webshop is not None  # the rest of the row is kept


@pytest.mark.parametrize(
    ("override", "message"),
    [
        pytest.param(
            "customer:\n  rows:\n    - {key: invoice_email, owner: webshop}\n",
            "owner: webshop only decides conflicts, and a to_tripletex row never has one",
            id="one-way-row",
        ),
        pytest.param(
            "order:\n  rows:\n    - {key: lines.count, owner: webshop}\n",
            "owner belongs to the block 'lines'",
            id="block-sub-row",
        ),
        pytest.param(
            "customer:\n  rows:\n    - {key: name, owner: both}\n",
            "owner: Input should be 'webshop' or 'tripletex'",
            id="unknown-side",
        ),
        pytest.param(
            "customer:\n  rows:\n    - {key: nickname, owner: webshop}\n",
            "no default row 'nickname' to change",
            id="no-such-row",
        ),
    ],
)
def test_a_wrong_owner_is_a_clear_error(tmp_path: Path, override: str, message: str) -> None:
    with pytest.raises(MappingFileError) as caught:
        _load(tmp_path, override)
    assert any(message in p.message for p in caught.value.problems), caught.value.problems


def test_the_dataflow_document_names_the_owners() -> None:
    """Each owned row's notes say who wins, and the policies list every owned row."""
    text = render(load_mapping(), "md")
    assert "| `sku` | `number` |" in text
    sku_row = next(line for line in text.splitlines() if line.startswith("| `sku` | `number`"))
    assert "Owner: Tripletex (its value wins when both sides change it)." in sku_row
    assert "whatever the policy (recorded with policy owner:webshop or owner:tripletex): Product sku" in text
