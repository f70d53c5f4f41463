"""The ``fields`` query parameter: parse ``a,b(*),c(x,y(*))`` into a tree and check it against a model.

A tree maps each named property to its sub-selection (None when the name has none); ``*`` stands for
the model's default field set at that level. Projection is strict, as on real servers: only named
keys come back, even ``id`` is dropped if not named. Unknown names are a 400 code 11000.
"""

from __future__ import annotations

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.model import OBJ, REF, REFS, model

__all__ = ["FieldTree", "parse_fields", "validate_fields"]

FieldTree = dict[str, "FieldTree | None"]


def parse_fields(text: str | None) -> FieldTree | None:
    """Parse a ``fields`` value; None or blank means "the default field set"."""
    if text is None or not text.strip():
        return None
    tree, pos = _parse_list(text, 0, depth=0)
    if pos != len(text):
        raise errors.illegal_fields(text[pos:], "fields")
    return tree


def _parse_list(text: str, pos: int, depth: int) -> tuple[FieldTree, int]:
    tree: FieldTree = {}
    while True:
        start = pos
        while pos < len(text) and text[pos] not in ",()":
            pos += 1
        name = text[start:pos].strip()
        sub: FieldTree | None = None
        if pos < len(text) and text[pos] == "(":
            sub, pos = _parse_list(text, pos + 1, depth + 1)
            if pos >= len(text) or text[pos] != ")":
                raise errors.illegal_fields(text, "fields")
            pos += 1
            # Whitespace after a closing parenthesis is harmless.
            while pos < len(text) and text[pos] == " ":
                pos += 1
        if not name or not (name == "*" or name.replace("_", "").isalnum()):
            raise errors.illegal_fields(name or text, "fields")
        tree[name] = _merge(tree.get(name), sub) if name in tree else sub
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        if pos < len(text) and text[pos] == ")" and depth == 0:
            raise errors.illegal_fields(text, "fields")
        return tree, pos


def _merge(a: FieldTree | None, b: FieldTree | None) -> FieldTree | None:
    if a is None:
        return b
    if b is None:
        return a
    merged: FieldTree = dict(a)
    for key, sub in b.items():
        merged[key] = _merge(merged.get(key), sub) if key in merged else sub
    return merged


def validate_fields(tree: FieldTree | None, schema: str) -> None:
    """Raise 400 code 11000 for a name the model (or a nested model) does not have."""
    if tree is None:
        return
    m = model(schema)
    if m is None:
        # A reference to an object kind the simulator does not model: any name may exist there.
        return
    for name, sub in tree.items():
        if name == "*":
            continue
        prop = m.props.get(name)
        if prop is None:
            raise errors.illegal_fields(name, schema)
        if sub is not None:
            if prop.kind in (REF, REFS) and prop.target:
                validate_fields(sub, prop.target)
            elif prop.kind != OBJ:
                raise errors.illegal_fields(f"{name}({','.join(sub)})", schema)
