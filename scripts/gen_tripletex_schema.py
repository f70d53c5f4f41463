"""Generate ``src/shopsync/tripletex/_schema.py`` and ``_models.py`` from the official Tripletex spec.

The spec itself is never committed (licence and size); this script reads it from ``$TRIPLETEX_OPENAPI``
or ``../shared/tripletex/openapi.json`` and writes two small Python modules that *are* committed:

* ``_schema.py``: for each schema we use, its properties in the spec's order with type, format,
  referenced schema and read-only flag. The simulator uses it for defaults, ``fields`` checks and
  read-only handling; the mapping layer uses it to take Tripletex data types from the spec.
* ``_models.py``: pydantic v2 models with the same properties (all optional, unknown keys kept).

Run ``make gen`` after updating the spec; ``tests/conformance/test_schema_generated.py`` fails when
the committed modules no longer match the spec.
"""

from __future__ import annotations

import json
import keyword
import os
import pathlib
import pprint
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "src" / "shopsync" / "tripletex"

#: Schemas shopsync reads or writes. Their references to schemas outside this set become ``Ref``.
SCHEMAS = [
    "Change",
    "Country",
    "Currency",
    "VatType",
    "Department",
    "Employee",
    "Address",
    "DeliveryAddress",
    "Customer",
    "Product",
    "OrderLine",
    "Order",
    "Subscription",
    "SessionToken",
    "ApiValidationMessage",
    "ApiError",
    "WebHookWrapper",
]


def spec_path() -> pathlib.Path:
    env = os.environ.get("TRIPLETEX_OPENAPI")
    if env:
        return pathlib.Path(env)
    return ROOT.parent / "shared" / "tripletex" / "openapi.json"


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def describe(prop: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "$ref" in prop:
        out["type"] = "object"
        out["ref"] = ref_name(prop["$ref"])
    else:
        out["type"] = prop.get("type", "object")
        if prop.get("format"):
            out["format"] = prop["format"]
        items = prop.get("items")
        if items:
            if "$ref" in items:
                out["items_ref"] = ref_name(items["$ref"])
            else:
                out["items_type"] = items.get("type", "object")
        if prop.get("enum"):
            out["enum"] = list(prop["enum"])
    if prop.get("readOnly"):
        out["read_only"] = True
    return out


def build(spec: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    schemas = spec["components"]["schemas"]
    return {
        name: {pname: describe(p) for pname, p in schemas[name].get("properties", {}).items()}
        for name in SCHEMAS
    }


def py_type(desc: dict[str, Any]) -> str:
    t = desc["type"]
    if "ref" in desc:
        return desc["ref"] if desc["ref"] in SCHEMAS else "Ref"
    if t == "array":
        if "items_ref" in desc:
            inner = desc["items_ref"] if desc["items_ref"] in SCHEMAS else "Ref"
        else:
            inner = {"string": "str", "integer": "int", "number": "Decimal", "boolean": "bool"}.get(
                desc.get("items_type", ""), "Any"
            )
        return f"list[{inner}]"
    return {"string": "str", "integer": "int", "number": "Decimal", "boolean": "bool"}.get(
        t, "dict[str, Any]"
    )


def render_schema(data: dict[str, Any], source: str) -> str:
    body = pprint.pformat(data, indent=1, sort_dicts=False, width=100)
    return (
        f'"""Tripletex schema facts, generated from {source} by scripts/gen_tripletex_schema.py.\n\n'
        "Do not edit by hand: run ``make gen``. For each schema: its properties in the spec's order, with\n"
        "``type``, ``format``, ``ref`` (referenced schema), ``items_ref``/``items_type``, ``enum`` and\n"
        '``read_only``.\n"""\n\n'
        "from typing import Any\n\n"
        f"SPEC_VERSION = {json.dumps(source)}\n\n"
        f"SCHEMAS: dict[str, dict[str, dict[str, Any]]] = {body}\n"
    )


def render_models(data: dict[str, dict[str, dict[str, Any]]], source: str) -> str:
    lines = [
        f'"""Pydantic models of the Tripletex objects shopsync uses, generated from {source}.',
        "",
        "Do not edit by hand: run ``make gen``. Every field is optional because ``fields`` selection",
        "returns any subset; unknown keys are kept so that a newer API never breaks parsing. Money is",
        '``Decimal``, never float."""',
        "",
        "from __future__ import annotations",
        "",
        "from decimal import Decimal",
        "from typing import Any",
        "",
        "from pydantic import BaseModel, ConfigDict{field_import}",
        "",
        "",
        "class TripletexModel(BaseModel):",
        '    """Base of every Tripletex object: partial, tolerant, and dumped without unset keys."""',
        "",
        '    model_config = ConfigDict(extra="allow", populate_by_name=True)',
        "",
        "    def to_api(self) -> dict[str, Any]:",
        '        """JSON-ready dict of the fields that were set; Decimals become exact strings."""',
        '        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)',
        "",
        "",
        "class Ref(TripletexModel):",
        '    """A reference to another Tripletex object: ``{id, url}`` unless expanded with ``fields``."""',
        "",
        "    id: int | None = None",
        "    url: str | None = None",
        "",
    ]
    for name, props in data.items():
        lines += ["", f"class {name}(TripletexModel):", f'    """Tripletex ``{name}``."""', ""]
        for pname, desc in props.items():
            annotation = py_type(desc)
            field = pname
            extra = ""
            if keyword.iskeyword(pname) or pname in {"model_config", "copy", "json", "schema"}:
                field = pname + "_"
                extra = f' = Field(default=None, alias="{pname}")'
            if not extra:
                extra = " = None"
            lines.append(f"    {field}: {annotation} | None{extra}")
        lines.append("")
    lines.append("")
    for name in data:
        lines.append(f"{name}.model_rebuild()")
    text = "\n".join(lines) + "\n"
    # Import pydantic.Field only when an aliased field needs it (ruff F401 otherwise).
    return text.replace("{field_import}", ", Field" if "Field(" in text else "")


def main() -> int:
    path = spec_path()
    if not path.exists():
        print(f"Tripletex spec not found at {path}; set TRIPLETEX_OPENAPI", file=sys.stderr)
        return 2
    spec = json.loads(path.read_text(encoding="utf-8"))
    source = f"Tripletex API v2 spec {spec['info']['version']}"
    data = build(spec)
    (OUT_DIR / "_schema.py").write_text(render_schema(data, source), encoding="utf-8")
    (OUT_DIR / "_models.py").write_text(render_models(data, source), encoding="utf-8")
    print(f"wrote _schema.py and _models.py for {len(data)} schemas from {source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
