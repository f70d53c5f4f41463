"""Render stored objects the way Tripletex does, and encode them as JSON.

Keys come out in the spec's property order; unset text is ``""``, unset dates/enums/references are
null, numbers default to 0, booleans to false. References are ``{id, url}`` stubs unless expanded
through ``fields``; ``url`` has no scheme (``<host>/v2/customer/1``). Decimals are JSON numbers:
write responses echo the scale that was sent (``5500.00``), reads give the normalised value
(``5500``), so clients must compare money as Decimal.
"""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from typing import Any, Protocol

from shopsync.simulators.tripletex.fields import FieldTree
from shopsync.simulators.tripletex.model import (
    BOOL,
    DATE,
    ENUM,
    INT,
    LIST,
    MODELS,
    NUM,
    REF,
    REFS,
    STR,
    Model,
    ref_path,
)

__all__ = ["Renderer", "Resolver", "dumps", "number"]

# Decimals are written as "<mark><digits><mark>" strings, then the quotes and marks are cut out. The
# mark is random per process, so no client text can ever imitate it.
_MARK = "\x00" + secrets.token_hex(6)
_MARK_JSON = json.dumps(_MARK)[1:-1]
_MARK_RE = re.compile('"' + re.escape(_MARK_JSON) + r"([-+0-9.Ee]+)" + re.escape(_MARK_JSON) + '"')


# Rendering-only kinds next to the model's (compared by identity, like the model's constants).
_URL, _CHANGES, _HIDDEN = "url", "changes", "hidden"
#: Kinds rendered from the property's own stored value alone (a reference: as a stub).
_PLAIN = frozenset({STR, ENUM, DATE, INT, NUM, BOOL, REF, _URL, _HIDDEN})


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return f"{_MARK}{obj}{_MARK}"
    raise TypeError(f"cannot encode {type(obj).__name__}")


# One encoder for the process: ``json.dumps`` with options builds a new one on every call.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default).encode


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON with Decimals as exact numbers."""
    text = _encode(obj)
    if _MARK_JSON in text:
        text = _MARK_RE.sub(r"\1", text)
    return text.encode("utf-8")


def number(text: str | None, echo: bool = False) -> int | float | Decimal:
    """A stored decimal as a JSON-ready number: exact scale when echoing a write, else normalised."""
    if text is None:
        return 0
    if echo:
        # Plain digits ("0", "15") print the same as an int, which spares dumps() its Decimal detour.
        if isinstance(text, str) and text.isascii() and text.isdigit():
            return int(text)
        return Decimal(text)
    d = Decimal(text)
    if d == d.to_integral_value():
        return int(d)
    n = d.normalize()
    # Up to 15 significant digits a float prints exactly the same digits and is much cheaper to encode.
    return float(n) if len(n.as_tuple().digits) <= 15 else n


class Resolver(Protocol):
    """Where the renderer finds expanded references and change logs."""

    def lookup(self, schema: str, obj_id: int) -> dict[str, Any] | None:
        """The stored doc of a referenced object, or None if it cannot be expanded."""
        ...

    def changes(self, schema: str, obj_id: int) -> list[dict[str, Any]]:
        """The object's ``changes`` entries (Change docs)."""
        ...


class Renderer:
    """Turns stored docs into response objects for one request (host and write/read mode fixed)."""

    def __init__(self, resolver: Resolver, host: str, *, echo: bool = False) -> None:
        self.resolver = resolver
        self.base = f"{host}/v2/"
        self.echo = echo
        self._plans: dict[tuple[str, int], list[tuple[str, str, str]]] = {}

    def stub(self, schema: str, obj_id: int) -> dict[str, Any]:
        """A reference as Tripletex sends it unless expanded."""
        return {"id": obj_id, "url": f"{self.base}{ref_path(schema)}/{obj_id}"}

    def _selected(self, m: Model, tree: FieldTree | None) -> list[tuple[str, str, str]]:
        """(name, kind, target) of every selected property, computed once per model and selection."""
        key = (m.name, id(tree))
        plan = self._plans.get(key)
        if plan is None:
            if tree is None:
                names = list(m.default)
            else:
                default = set(m.default) if "*" in tree else set()
                names = [p for p in m.props if p in default or p in tree]
            plan = []
            for name in names:
                prop = m.props[name]
                kind = _URL if name == "url" else _CHANGES if name == "changes" else prop.kind
                if name in m.write_only:
                    kind = _HIDDEN
                plan.append((name, kind, prop.target or ""))
            self._plans[key] = plan
        return plan

    def columns(self, schema: str, tree: FieldTree | None) -> list[str] | None:
        """The stored properties a selection shows, when each is a plain value (None: it needs whole docs).

        Plain values (text, numbers, booleans, dates, enums, reference ids shown as stubs) can be read
        with SQLite's ``json_extract`` instead of decoding every document in Python: a sync's scan
        (``fields=id,version,organizationNumber,email``) needs four values of a 45-property customer.
        ``id`` and ``version`` are never listed: they are table columns, always read.
        """
        m = MODELS.get(schema)
        if m is None or tree is None:
            return None
        names = []
        for name, kind, _ in self._selected(m, tree):
            if kind is REF and tree.get(name) is not None:
                return None  # expanded: the referenced object is needed
            if kind not in _PLAIN:
                return None
            if kind is not _URL and kind is not _HIDDEN and name not in ("id", "version"):
                names.append(name)
        return names

    def render(self, schema: str, doc: dict[str, Any], tree: FieldTree | None = None) -> dict[str, Any]:
        """One object, projected on ``tree`` (None: the default field set)."""
        m = MODELS.get(schema)
        if m is None:
            return self.stub(schema, doc["id"])
        return self._render(schema, doc, tree, self._selected(m, tree))

    def render_many(
        self, schema: str, docs: list[dict[str, Any]], tree: FieldTree | None = None
    ) -> list[dict[str, Any]]:
        """Several objects of one kind, as :meth:`render` renders each (the plan is worked out once)."""
        m = MODELS.get(schema)
        if m is None:
            return [self.stub(schema, doc["id"]) for doc in docs]
        plan = self._selected(m, tree)
        if all(kind is INT for _, kind, _ in plan):
            # Integers only (``fields=id,version``): the bulk read of a sync, one small dict per row.
            names = [name for name, _, _ in plan]
            return [{name: 0 if (v := doc.get(name)) is None else v for name in names} for doc in docs]
        return [self._render(schema, doc, tree, plan) for doc in docs]

    def _render(
        self, schema: str, doc: dict[str, Any], tree: FieldTree | None, plan: list[tuple[str, str, str]]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        get = doc.get
        for name, kind, target in plan:
            value = get(name)
            if kind is STR:
                out[name] = "" if value is None else value
            elif kind is REF:
                out[name] = (
                    None if value is None else self._ref(target, value, tree.get(name) if tree else None)
                )
            elif kind is BOOL:
                out[name] = bool(value)
            elif kind is INT:
                out[name] = 0 if value is None else value
            elif kind is NUM:
                out[name] = number(value, self.echo)
            elif kind is REFS:
                sub = tree.get(name) if tree else None
                out[name] = [self._ref(target, v, sub) for v in value or ()]
            elif kind is LIST:
                out[name] = list(value or ())
            elif kind is _URL:
                out[name] = f"{self.base}{ref_path(schema)}/{doc['id']}" if "id" in doc else ""
            elif kind is _CHANGES:
                sub = tree.get(name) if tree else None
                entries = self.resolver.changes(schema, doc["id"]) if "id" in doc else []
                out[name] = [self.render("Change", e, sub) for e in entries]
            elif kind is _HIDDEN:
                out[name] = None
            else:  # ENUM, DATE, OBJ: null when unset
                out[name] = value
        return out

    def _ref(self, schema: str, obj_id: int, sub: FieldTree | None) -> dict[str, Any] | None:
        if sub is None:
            return self.stub(schema, obj_id)
        doc = self.resolver.lookup(schema, obj_id)
        if doc is None:
            # Not an object the simulator stores: show what a stub knows, projected.
            stub = self.stub(schema, obj_id)
            if "*" in sub:
                return stub
            return {k: v for k, v in stub.items() if k in sub}
        return self.render(schema, doc, sub)
