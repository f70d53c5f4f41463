"""Build and check Tripletex ``fields`` selections such as ``id,version,name,postalAddress(*)``.

A selection is written as plain strings (passed through), mappings for nested selections and
sequences for lists of either::

    build_fields("id", "version", "name", {"postalAddress": "*"})   -> "id,version,name,postalAddress(*)"
    build_fields("*", {"orderLines": ["*", {"product": "id,number"}]}) -> "*,orderLines(*,product(id,number))"

``check_fields`` parses a selection and rejects names the spec does not know for that object, so a
typo fails before the request instead of as Tripletex's 400 code 11000 ("Illegal field in fields
filter"). Objects the generated schema does not describe are not checked below their name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

from ._schema import SCHEMAS

__all__ = ["FieldSpec", "build_fields", "check_fields", "parse_fields"]

FieldSpec: TypeAlias = "str | Mapping[str, FieldSpec] | Sequence[FieldSpec]"
#: A parsed selection: each name maps to its sub-selection (None when it has none).
Selection: TypeAlias = "dict[str, Selection | None]"


def build_fields(*specs: FieldSpec) -> str:
    """The ``fields`` query value for the given selection."""
    return ",".join(part for spec in specs if (part := _build(spec)))


def _build(spec: FieldSpec) -> str:
    if isinstance(spec, str):
        return spec.replace(" ", "")
    if isinstance(spec, Mapping):
        return ",".join(f"{name}({_build(sub)})" for name, sub in spec.items())
    return ",".join(part for item in spec if (part := _build(item)))


def parse_fields(expr: str) -> Selection:
    """Parse ``a,b(c,d(*))`` into ``{"a": None, "b": {"c": None, "d": {"*": None}}}``."""
    selection, pos = _parse(expr.replace(" ", ""), 0)
    if pos != len(expr.replace(" ", "")):
        raise ValueError(f"unbalanced parentheses in fields {expr!r}")
    return selection


def _parse(text: str, pos: int) -> tuple[Selection, int]:
    selection: Selection = {}
    name = ""
    while pos < len(text):
        char = text[pos]
        if char == ",":
            if name:
                selection.setdefault(name, None)
            name, pos = "", pos + 1
        elif char == "(":
            if not name:
                raise ValueError(f"'(' without a field name at {pos} in fields {text!r}")
            sub, pos = _parse(text, pos + 1)
            if pos >= len(text) or text[pos] != ")":
                raise ValueError(f"missing ')' in fields {text!r}")
            selection[name] = sub
            name, pos = "", pos + 1
        elif char == ")":
            break
        else:
            name, pos = name + char, pos + 1
    if name:
        selection.setdefault(name, None)
    return selection, pos


def check_fields(expr: str, schema: str) -> str:
    """Return ``expr`` unchanged if every name exists on ``schema`` (recursively), else ValueError."""
    _check(parse_fields(expr), schema, "")
    return expr


def _check(selection: Selection, schema: str, where: str) -> None:
    props = SCHEMAS.get(schema)
    if props is None:
        return
    for name, sub in selection.items():
        if name == "*":
            continue
        prop = props.get(name)
        if prop is None:
            raise ValueError(f"unknown field {where}{name} ({schema} has no {name!r})")
        target = prop.get("ref") or prop.get("items_ref")
        if sub and target:
            _check(sub, target, f"{where}{name}.")
