"""Hypothesis strategies for the fuzz run: good webshop records, and bad ones with a known defect.

A bad record is a valid contract record (``base_*``) with exactly one ``Defect`` applied: a wrong JSON
type, a missing required field, an invalid or unknown VAT rate, a bad organisation number, an
oversized string, a character that is not text (NUL and other control characters, lone surrogates) or
a negative amount. ``Defect.field`` is the dotted contract path the dead letter must name. The
strategies only draw the defect; ``apply_defect`` builds the record, so identities (e-mail, SKU, order
number, organisation number) stay unique whatever hypothesis draws.

Good records use Unicode freely (Norwegian letters, Greek, Cyrillic, CJK, emoji), but only what is
valid text: those must sync unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from shopsync.orgnr import is_valid_orgnr

__all__ = [
    "ADDRESS",
    "Defect",
    "GoodCustomer",
    "GoodOrder",
    "GoodProduct",
    "Kind",
    "Resource",
    "apply_defect",
    "base_customer",
    "base_order",
    "base_product",
    "defects",
    "draw",
    "good_customers",
    "good_orders",
    "good_products",
]

T = TypeVar("T")
Resource = Literal["customers", "products", "orders"]
Kind = Literal[
    "wrong_type", "missing", "invalid_vat", "unknown_vat", "bad_org", "huge", "not_text", "negative"
]

ADDRESS: dict[str, Any] = {
    "line1": "Storgata 1",
    "line2": None,
    "postal_code": "0155",
    "city": "Oslo",
    "country": "NO",
}
#: Valid text of many scripts (no combining marks or conjoining jamo: nothing any layer might normalise).
_LETTERS = (
    "abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅéüöäßçñ"
    "αβγδΩЖжЯяБб山田東京中文字日本語한국어😀🛒🎉🧾✓€"
)
_NOT_TEXT = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]

# ------------------------------------------------------------------ good records


@dataclass(frozen=True)
class GoodCustomer:
    """A valid customer (company when ``company_name`` is set)."""

    first_name: str
    last_name: str
    company_name: str | None


@dataclass(frozen=True)
class GoodProduct:
    """A valid product (the SKU and a unique name suffix are added when it is created)."""

    name: str
    price: Decimal
    vat_rate: str


@dataclass(frozen=True)
class GoodOrder:
    """A valid order: which good customer and products (by index), and quantities."""

    customer: int
    lines: list[tuple[int, int]]
    status: str


def _words(max_words: int = 3) -> st.SearchStrategy[str]:
    word = st.text(alphabet=_LETTERS, min_size=1, max_size=12)
    return st.lists(word, min_size=1, max_size=max_words).map(" ".join)


def good_customers() -> st.SearchStrategy[GoodCustomer]:
    """Private and company customers with Unicode names."""
    return st.builds(
        GoodCustomer,
        first_name=_words(2),
        last_name=_words(2),
        company_name=st.one_of(st.none(), _words(4).map(lambda n: f"{n} AS")),
    )


def good_products() -> st.SearchStrategy[GoodProduct]:
    """Products with Unicode names, prices in øre and the Norwegian VAT rates."""
    return st.builds(
        GoodProduct,
        name=_words(4),
        price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
        vat_rate=st.sampled_from(["25.00", "15.00", "12.00", "0.00"]),
    )


def good_orders(customers: int, products: int) -> st.SearchStrategy[GoodOrder]:
    """Orders of the given good customers and products (indexes), 1-3 lines each."""
    line = st.tuples(st.integers(0, products - 1), st.integers(1, 5))
    return st.builds(
        GoodOrder,
        customer=st.integers(0, customers - 1),
        lines=st.lists(line, min_size=1, max_size=3, unique_by=lambda pair: pair[0]),
        status=st.sampled_from(["pending", "processing", "completed"]),
    )


# ------------------------------------------------------------------ bad records


@dataclass(frozen=True)
class Defect:
    """One thing wrong with a record: ``value`` replaces ``field`` (``remove``: the field is absent;
    ``insert``: the character is put into the base value at ``at`` (0-1); ``repeat``: the value is
    that character ``length`` times)."""

    resource: Resource
    kind: Kind
    field: str
    value: Any = None
    remove: bool = False
    insert: str | None = None
    at: float = 0.0
    repeat: str | None = None
    length: int = 0


_STRING_FIELDS: dict[Resource, list[str]] = {
    "customers": ["email", "company_name", "billing_address.city", "billing_address.country", "language"],
    "products": ["sku", "name", "currency"],
    "orders": ["status", "currency", "lines.0.name", "billing_address.line1"],
}
_DECIMAL_FIELDS: dict[Resource, list[str]] = {
    "customers": [],
    "products": ["price", "vat_rate"],
    "orders": ["lines.0.quantity", "lines.0.unit_price", "lines.0.vat_rate", "shipping_cost"],
}
_OTHER_TYPED: dict[Resource, list[tuple[str, str]]] = {
    "customers": [("billing_address", "object"), ("active", "bool"), ("type", "enum")],
    "products": [("stock_quantity", "int"), ("active", "bool")],
    "orders": [("lines", "list"), ("billing_address", "object"), ("ordered_at", "timestamp")],
}
_REQUIRED: dict[Resource, list[str]] = {
    "customers": [
        "email",
        "billing_address",
        "billing_address.line1",
        "billing_address.postal_code",
        "billing_address.city",
        "billing_address.country",
    ],
    "products": ["sku", "name", "price", "currency", "vat_rate"],
    "orders": [
        "status",
        "ordered_at",
        "currency",
        "billing_address",
        "lines",
        "lines.0.name",
        "lines.0.quantity",
        "lines.0.unit_price",
        "lines.0.vat_rate",
    ],
}
_VAT_FIELDS: dict[Resource, list[str]] = {
    "customers": [],
    "products": ["vat_rate"],
    "orders": ["lines.0.vat_rate", "shipping_vat_rate"],
}
#: Text fields and the contract's maximum length of each.
_TEXT_FIELDS: dict[Resource, list[tuple[str, int]]] = {
    "customers": [
        ("company_name", 200),
        ("first_name", 100),
        ("last_name", 100),
        ("email", 254),
        ("billing_address.line1", 200),
        ("billing_address.city", 100),
    ],
    "products": [("name", 255), ("description", 10_000), ("sku", 64)],
    "orders": [("note", 2000), ("lines.0.name", 255), ("lines.0.sku", 64), ("billing_address.city", 100)],
}
_AMOUNT_FIELDS: dict[Resource, list[str]] = {
    "customers": [],
    "products": ["price"],
    "orders": ["lines.0.quantity", "lines.0.unit_price", "shipping_cost", "lines.0.discount_percent"],
}

_junk_list = st.lists(st.integers(-5, 5), max_size=3)
_junk_dict = st.dictionaries(st.sampled_from(["a", "b", "x"]), st.integers(0, 9), max_size=2)
_WRONG: dict[str, st.SearchStrategy[Any]] = {
    "string": st.one_of(st.booleans(), _junk_list, _junk_dict),
    "decimal": st.one_of(
        st.booleans(), _junk_list, _junk_dict, st.sampled_from(["abc", "", "1,50", "12.3.4", "--1", "ti"])
    ),
    "object": st.one_of(st.text(alphabet="Oslo 1", max_size=6), st.integers(), _junk_list, st.booleans()),
    "list": st.one_of(st.text(alphabet="xyz", max_size=4), st.integers(), _junk_dict),
    "bool": st.sampled_from(["maybe", "ja", "nei", 2, -1, [], {}]),
    "int": st.sampled_from(["lots", "1.5", "ti", [], {}]),
    "timestamp": st.sampled_from(
        ["yesterday", "2026-02-30T10:00:00+01:00", "2026-03-01T10:00:00", "01.03.2026", [], {}]
    ),
    "enum": st.sampled_from(["robot", "", "Company", "PRIVATE", "xx", "lost"]),
}


def _wrong_type(resource: Resource) -> st.SearchStrategy[Defect]:
    fields = [(f, "string") for f in _STRING_FIELDS[resource]]
    fields += [(f, "decimal") for f in _DECIMAL_FIELDS[resource]]
    fields += _OTHER_TYPED[resource]
    return st.sampled_from(fields).flatmap(
        lambda fk: _WRONG[fk[1]].map(lambda v: Defect(resource, "wrong_type", fk[0], value=v))
    )


def _missing(resource: Resource) -> st.SearchStrategy[Defect]:
    return st.sampled_from(_REQUIRED[resource]).map(lambda f: Defect(resource, "missing", f, remove=True))


def _invalid_vat(resource: Resource) -> st.SearchStrategy[Defect]:
    values = ["-25.00", "125.00", "25.001", "NaN", "Infinity", "-0.01", "1e3", "100.01", "sNaN"]
    return st.tuples(st.sampled_from(_VAT_FIELDS[resource]), st.sampled_from(values)).map(
        lambda fv: Defect(resource, "invalid_vat", fv[0], value=fv[1])
    )


def _unknown_vat(resource: Resource) -> st.SearchStrategy[Defect]:
    """A well-formed rate Tripletex has no VAT type for (the contract allows only 25/15/12/0)."""
    values = ["7.00", "33.33", "99.99", "0.01", "11.11"]
    return st.tuples(st.sampled_from(_VAT_FIELDS[resource]), st.sampled_from(values)).map(
        lambda fv: Defect(resource, "unknown_vat", fv[0], value=fv[1])
    )


def _bad_org() -> st.SearchStrategy[Defect]:
    nine = st.integers(100_000_000, 999_999_999).map(str).filter(lambda v: not is_valid_orgnr(v))
    short = st.integers(0, 10**8 - 1).map(str)
    long = st.integers(10**9, 10**12).map(str)
    letters = st.from_regex(r"\A[0-9]{3}[A-Z]{2}[0-9]{4}\Z")
    return st.one_of(nine, short, long, letters).map(
        lambda v: Defect("customers", "bad_org", "organization_number", value=v)
    )


def _huge(resource: Resource) -> st.SearchStrategy[Defect]:
    return st.sampled_from(_TEXT_FIELDS[resource]).flatmap(
        lambda fl: st.builds(
            Defect,
            resource=st.just(resource),
            kind=st.just("huge"),
            field=st.just(fl[0]),
            repeat=st.sampled_from(["x", "Å", "😀", "山"]),
            length=st.integers(fl[1] + 1, fl[1] + 20_000),
        )
    )


def _not_text(resource: Resource) -> st.SearchStrategy[Defect]:
    char = st.one_of(st.sampled_from(_NOT_TEXT), st.integers(0xD800, 0xDFFF).map(chr))
    return st.builds(
        Defect,
        resource=st.just(resource),
        kind=st.just("not_text"),
        field=st.sampled_from([f for f, _ in _TEXT_FIELDS[resource] if f not in ("note", "description")]),
        insert=char,
        at=st.floats(0, 1),
    )


def _negative(resource: Resource) -> st.SearchStrategy[Defect]:
    amount = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("-0.01"), places=2).map(str)
    return st.tuples(st.sampled_from(_AMOUNT_FIELDS[resource]), amount).map(
        lambda fv: Defect(resource, "negative", fv[0], value=fv[1])
    )


def defects() -> st.SearchStrategy[Defect]:
    """Any defect of any resource: the resource and the kind of defect first (evenly), then its details."""
    choices: list[st.SearchStrategy[Defect]] = []
    resources: tuple[Resource, ...] = ("customers", "products", "orders")
    for r in resources:
        choices += [_wrong_type(r), _missing(r), _huge(r), _not_text(r)]
        if _VAT_FIELDS[r]:
            choices += [_invalid_vat(r), _unknown_vat(r)]
        if _AMOUNT_FIELDS[r]:
            choices.append(_negative(r))
    choices.append(_bad_org())
    return st.sampled_from(choices).flatmap(lambda strategy: strategy)


# ------------------------------------------------------------------ building records


def base_customer(index: int, org: str) -> dict[str, Any]:
    """A valid company customer with a unique e-mail and organisation number."""
    return {
        "type": "company",
        "first_name": "Kari",
        "last_name": "Nordmann",
        "company_name": f"Feilfri {index} AS",
        "organization_number": org,
        "email": f"bad{index}@fuzz.example.no",
        "phone": None,
        "language": "nb",
        "billing_address": dict(ADDRESS),
        "shipping_address": None,
        "active": True,
    }


def base_product(index: int) -> dict[str, Any]:
    """A valid product with a unique SKU and name."""
    return {
        "sku": f"BAD-{index}",
        "name": f"Feilvare {index}",
        "description": "Til testing.",
        "price": "199.00",
        "currency": "NOK",
        "vat_rate": "25.00",
        "active": True,
        "stock_quantity": 5,
    }


def base_order(index: int, customer_id: str, product: dict[str, Any]) -> dict[str, Any]:
    """A valid order of one line of a good product, for a good customer; unique number."""
    return {
        "number": f"B{index}",
        "customer_id": customer_id,
        "status": "processing",
        "ordered_at": "2026-03-01T10:00:00+01:00",
        "currency": "NOK",
        "billing_address": dict(ADDRESS),
        "shipping_address": None,
        "lines": [
            {
                "id": "1",
                "product_id": str(product["id"]),
                "sku": product["sku"],
                "name": product["name"],
                "quantity": "1",
                "unit_price": product["price"],
                "vat_rate": product["vat_rate"],
                "discount_percent": "0.00",
            }
        ],
        "shipping_cost": "0.00",
        "shipping_vat_rate": "25.00",
        "note": "Levér på døra.",
    }


def _parent(doc: dict[str, Any], path: list[str]) -> Any:
    node: Any = doc
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def apply_defect(base: dict[str, Any], defect: Defect) -> dict[str, Any]:
    """``base`` with ``defect`` applied (a copy)."""
    doc = copy.deepcopy(base)
    path = defect.field.split(".")
    parent = _parent(doc, path)
    key: Any = int(path[-1]) if isinstance(parent, list) else path[-1]
    if defect.remove:
        del parent[key]
    elif defect.insert is not None:
        text = str(parent[key])
        at = round(defect.at * len(text))
        parent[key] = text[:at] + defect.insert + text[at:]
    elif defect.repeat is not None:
        value = defect.repeat * defect.length
        parent[key] = f"{value}@fuzz.example.no" if path[-1] == "email" else value
    else:
        parent[key] = defect.value
    return doc


def draw(strategy: st.SearchStrategy[T], count: int, *, derandomize: bool, at: int | None = None) -> list[T]:
    """``count`` examples of ``strategy``: deterministic with ``derandomize`` (the short form), else from
    the seed ``at`` (the full form prints it, so a run can be repeated)."""
    out: list[T] = []

    @settings(
        max_examples=count,
        derandomize=derandomize,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def collect(example: T) -> None:
        out.append(example)

    run: Callable[[], None] = collect if derandomize or at is None else seed(at)(collect)
    run()
    assert len(out) >= count, f"hypothesis gave {len(out)} examples, {count} wanted"
    return out[:count]
