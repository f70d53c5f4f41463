"""Compile one raw mapping row or block into a checked :class:`Row` / :class:`Block`.

Every check that can be made before a sync is made here, so a wrong file fails at start-up with the
file, the row and the reason: Tripletex paths that the spec does not have, read-only Tripletex fields
mapped towards Tripletex, two-way rows with only one expression, unknown webshop fields, plain copies
between incompatible types, bad JSONata, references whose path does not end at the right ``id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from shopsync.mapping import _contract, _spec
from shopsync.mapping._contract import ContractError, WebshopField
from shopsync.mapping._expr import Expression, ExpressionError
from shopsync.mapping._model import REF_CTYPE, REF_SCHEMA, Block, Direction, Owner, Ref, RefKind, Row
from shopsync.mapping._spec import TxProperty, TxSchemaError
from shopsync.mapping._values import Compare, CType, default_compare

__all__ = ["RawRow", "RowError", "Scope", "compile_block", "compile_row", "pydantic_messages"]

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_SCALARS = frozenset({"string", "number", "integer", "boolean"})


class RowError(ValueError):
    """Problems of one row (each message is reported with the file and row)."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


class RawLink(BaseModel):
    """``ref: {link: customer}``."""

    model_config = ConfigDict(extra="forbid")
    link: str


class RawRow(BaseModel):
    """A row or block as written in YAML."""

    model_config = ConfigDict(extra="forbid")

    key: str
    webshop: str | list[str] | None = None
    tripletex: str | None = None
    direction: Direction | None = None
    to_tripletex: str | None = None
    to_webshop: str | None = None
    ref: RefKind | RawLink | None = None
    compare: Compare | None = None
    required: bool = False
    when: str | None = None
    note: str = ""
    owner: Owner | None = None
    disabled: bool = False
    rows: list[dict[str, Any]] | None = None
    marker: dict[str, Any] | None = None


def pydantic_messages(exc: ValidationError) -> list[str]:
    """Short messages for a raw model's validation errors."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            out.append(f"unknown property {loc!r}")
        else:
            out.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return out


@dataclass(frozen=True)
class Scope:
    """Where a row's paths start: the contract model and Tripletex schema of the row's level."""

    entities: dict[str, str]  # entity name → Tripletex schema, for links
    webshop_model: str
    tripletex_schema: str
    #: Webshop paths of element blocks start at the record, not at the list element.
    record_model: str


def _compatible_to_tripletex(field: WebshopField, ctype: CType, tx: TxProperty | None) -> bool:
    enum = set(tx.enum) if tx and tx.enum else None
    if field.kind == "literal":
        return ctype == "string" and (enum is None or set(field.literals or ()) <= enum)
    return (field.kind, ctype) in {
        ("string", "string"),
        ("decimal", "number"),
        ("integer", "integer"),
        ("integer", "number"),
        ("boolean", "boolean"),
    } and not (ctype == "string" and enum is not None)


def _compatible_to_webshop(field: WebshopField, ctype: CType, tx: TxProperty | None) -> bool:
    if field.kind == "literal":
        enum = set(tx.enum) if tx and tx.enum else None
        return ctype == "string" and enum is not None and enum <= set(field.literals or ())
    return (ctype, field.kind) in {
        ("string", "string"),
        ("number", "decimal"),
        ("number", "integer"),
        ("integer", "integer"),
        ("integer", "decimal"),
        ("boolean", "boolean"),
    }


def _expr(source: str | None, name: str, errors: list[str]) -> Expression | None:
    if source is None:
        return None
    try:
        return Expression(source)
    except ExpressionError as exc:
        errors.append(f"{name}: {exc}")
        return None


def _ref(raw: RawRow, tx: TxProperty, scope: Scope, errors: list[str]) -> Ref | None:
    if raw.ref is None:
        return None
    if isinstance(raw.ref, RawLink):
        kind: RefKind = "link"
        target: str | None = raw.ref.link
        schema = scope.entities.get(raw.ref.link)
        if schema is None:
            errors.append(
                f"ref: cannot link to unknown entity {raw.ref.link!r} (known: {', '.join(scope.entities)})"
            )
            return None
    else:
        kind, target, schema = raw.ref, None, REF_SCHEMA[raw.ref]
    leaf = tx.path.split(".")[-1]
    if tx.owner != schema or leaf != "id":
        errors.append(
            f"ref: {kind} needs a Tripletex path ending at a {schema}'s id; {tx.path} is {tx.owner}.{leaf}"
        )
        return None
    return Ref(kind=kind, target=target)


def _webshop_fields(paths: tuple[str, ...], model: str, errors: list[str]) -> tuple[WebshopField, ...]:
    found = []
    for path in paths:
        try:
            found.append(_contract.resolve(model, path))
        except ContractError as exc:
            errors.append(f"unknown webshop field: {exc}")
    return tuple(found)


def compile_row(raw: RawRow, scope: Scope, *, in_element: bool = False) -> Row:
    """A checked row; RowError lists everything wrong with it."""
    errors: list[str] = []
    if not _KEY.match(raw.key):
        errors.append(f"key {raw.key!r} must be lower_snake_case")
    if raw.rows is not None or raw.marker is not None:
        errors.append("rows and marker belong to blocks (whose tripletex path ends in [])")
    if raw.tripletex is None:
        raise RowError([*errors, "tripletex path is missing"])
    direction: Direction = raw.direction or "both"
    paths = tuple([raw.webshop] if isinstance(raw.webshop, str) else raw.webshop or [])
    fields = _webshop_fields(paths, scope.record_model if in_element else scope.webshop_model, errors)
    try:
        tx: TxProperty | None = _spec.resolve(scope.tripletex_schema, raw.tripletex)
    except TxSchemaError as exc:
        errors.append(f"unknown Tripletex property: {exc}")
        tx = None
    to_tx = _expr(raw.to_tripletex, "to_tripletex", errors)
    to_shop = _expr(raw.to_webshop, "to_webshop", errors)
    when = _expr(raw.when, "when", errors)
    ref = _ref(raw, tx, scope, errors) if tx else None
    ctype: CType = "string"
    if tx is not None:
        if ref is not None:
            ctype = REF_CTYPE[ref.kind]
        elif tx.type in _SCALARS:
            ctype = tx.type  # type: ignore[assignment]
        else:
            errors.append(
                f"Tripletex {tx.owner}.{tx.path.split('.')[-1]} is an {tx.type}; map one of its properties"
                + (f" (e.g. {tx.path}.id with a ref)" if tx.ref else "")
            )
        if direction != "to_webshop" and tx.read_only:
            errors.append(
                f"Tripletex {tx.path} is read-only and cannot be written; use direction: to_webshop"
            )
    _check_directions(raw, direction, paths, fields, to_tx, to_shop, errors)
    if raw.owner is not None and direction != "both":
        errors.append(
            f"owner: {raw.owner} only decides conflicts, and a {direction} row never has one "
            "(it follows its source side); remove owner or make the row two-way"
        )
    if tx is not None and ref is None and len(fields) == 1 and tx.type in _SCALARS:
        _check_types(fields[0], ctype, tx, direction, to_tx, to_shop, errors)
    if ref is not None and len(fields) == 1 and to_tx is None:
        kind = fields[0].kind
        if (ctype == "number") != (kind == "decimal") or kind not in ("string", "decimal"):
            errors.append(
                f"type mismatch: ref {ref.kind} needs a webshop "
                f"{'decimal' if ctype == 'number' else 'string'}, but {fields[0].path} is {kind}"
            )
    if errors or tx is None:
        raise RowError(errors)
    return Row(
        key=raw.key,
        webshop=paths,
        webshop_fields=fields,
        tripletex=raw.tripletex,
        tx=tx,
        direction=direction,
        ctype=ctype,
        compare=raw.compare or default_compare(ctype),
        to_tripletex=to_tx,
        to_webshop=to_shop,
        ref=ref,
        required=raw.required,
        when=when,
        note=raw.note.strip(),
        owner=raw.owner,
    )


def _check_directions(
    raw: RawRow,
    direction: Direction,
    paths: tuple[str, ...],
    fields: tuple[WebshopField, ...],
    to_tx: Expression | None,
    to_shop: Expression | None,
    errors: list[str],
) -> None:
    if direction == "both" and (raw.to_tripletex is None) != (raw.to_webshop is None):
        given, missing = (
            ("to_tripletex", "to_webshop") if raw.to_tripletex else ("to_webshop", "to_tripletex")
        )
        errors.append(
            f"two-way row has {given} but no {missing}: give the inverse expression or make the row one-way"
        )
    if direction == "to_tripletex" and raw.to_webshop is not None:
        errors.append("to_webshop is never used on a to_tripletex row")
    if not paths:
        if direction != "to_tripletex" or raw.to_tripletex is None:
            errors.append("a row without a webshop path must be to_tripletex with a to_tripletex expression")
    elif len(paths) > 1 and raw.to_tripletex is None and direction != "to_webshop":
        errors.append("a row reading several webshop fields needs a to_tripletex expression")
    if direction != "to_tripletex":
        if len(paths) > 1 and raw.to_webshop is None:
            errors.append(
                "a row with several webshop fields needs a to_webshop expression "
                "(giving a value for the first field, or an object)"
            )
        for f in fields:
            if f.read_only:
                errors.append(f"webshop {f.path} cannot be written (assigned by the shop or a shop setting)")


def _check_types(
    field: WebshopField,
    ctype: CType,
    tx: TxProperty,
    direction: Direction,
    to_tx: Expression | None,
    to_shop: Expression | None,
    errors: list[str],
) -> None:
    enum = f" (one of {', '.join(tx.enum)})" if tx.enum else ""
    if (
        to_tx is None
        and not _compatible_to_tripletex(field, ctype, tx)
        and (direction != "to_webshop" or to_shop is None)
    ):
        errors.append(
            f"type mismatch: webshop {field.path} is {field.kind}, Tripletex {tx.path} is {ctype}{enum}; "
            "add a to_tripletex expression"
        )
    elif direction != "to_tripletex" and to_shop is None and not _compatible_to_webshop(field, ctype, tx):
        allowed = f" ({', '.join(field.literals)})" if field.literals else ""
        errors.append(
            f"type mismatch: Tripletex {tx.path} is {ctype}{enum}, "
            f"webshop {field.path} is {field.kind}{allowed}; add a to_webshop expression"
        )


def compile_block(raw: RawRow, scope: Scope) -> tuple[Block, list[tuple[str, list[str]]]]:
    """A block and the problems of its sub-rows (``(sub-row label, messages)``); RowError if unusable."""
    errors: list[str] = []
    assert raw.tripletex is not None and raw.rows is not None
    if not _KEY.match(raw.key):
        errors.append(f"key {raw.key!r} must be lower_snake_case")
    for name in ("direction", "to_tripletex", "to_webshop", "ref", "compare"):
        if getattr(raw, name) not in (None, False):
            errors.append(f"{name} belongs to the block's rows, not to the block")
    tx_list = raw.tripletex.removesuffix("[]")
    try:
        item_schema, read_only = _spec.list_item_schema(scope.tripletex_schema, tx_list)
        if read_only:
            errors.append(f"Tripletex {tx_list} is read-only")
    except TxSchemaError as exc:
        raise RowError([*errors, f"unknown Tripletex property: {exc}"]) from None
    kind: Literal["list", "element"] = "list" if raw.webshop is not None else "element"
    item_model = scope.webshop_model
    if kind == "list":
        if not isinstance(raw.webshop, str) or not raw.webshop.endswith("[]"):
            raise RowError([*errors, "a list block's webshop path must be one list path ending in []"])
        try:
            item_model = _contract.list_item_model(scope.webshop_model, raw.webshop.removesuffix("[]"))
        except ContractError as exc:
            raise RowError([*errors, f"unknown webshop field: {exc}"]) from None
        if raw.marker:
            errors.append("marker is for element blocks (without a webshop path)")
    elif not raw.marker:
        errors.append("an element block needs a marker: the Tripletex properties that identify its element")
    for name in raw.marker or {}:
        try:
            prop = _spec.resolve(item_schema, name)
            if prop.read_only or prop.type not in _SCALARS:
                errors.append(f"marker {name}: must be a writable scalar Tripletex property")
        except TxSchemaError as exc:
            errors.append(f"marker: {exc}")
    sub_scope = Scope(scope.entities, item_model, item_schema, scope.webshop_model)
    rows: list[Row] = []
    problems: list[tuple[str, list[str]]] = []
    for i, data in enumerate(raw.rows):
        label = (
            f"{raw.key}.{data.get('key', f'#{i + 1}')}" if isinstance(data, dict) else f"{raw.key}.#{i + 1}"
        )
        try:
            sub = RawRow.model_validate(data)
            if sub.rows is not None:
                raise RowError(["blocks cannot be nested"])
            if sub.owner is not None:
                raise RowError([f"owner belongs to the block {raw.key!r} (its lines conflict as a whole)"])
            if not sub.disabled:
                rows.append(compile_row(sub, sub_scope, in_element=kind == "element"))
        except ValidationError as exc:
            problems.append((label, pydantic_messages(exc)))
        except RowError as exc:
            problems.append((label, exc.messages))
    keys = [r.key for r in rows if r.when is None]
    for dup in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(
            (f"{raw.key}.{dup}", ["duplicate key (rows sharing a key need a when condition each)"])
        )
    when = _expr(raw.when, "when", errors)
    if errors:
        raise RowError(errors)
    block = Block(
        key=raw.key,
        kind=kind,
        webshop=raw.webshop.removesuffix("[]") if isinstance(raw.webshop, str) else None,
        tripletex=tx_list,
        item_schema=item_schema,
        marker=dict(raw.marker or {}),
        rows=tuple(rows),
        when=when,
        note=raw.note.strip(),
        owner=raw.owner,
    )
    if block.owner is not None and block.direction != "both":
        raise RowError(
            [f"owner: {block.owner} only decides conflicts, and a {block.direction} block never has one"]
        )
    return block, problems
