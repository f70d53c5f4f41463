"""Load the official Tripletex spec, pruned to what shopsync uses and normalised for openapi-core 0.23.

The spec file is never committed: it is read from ``tests/conftest.py::tripletex_spec_path()``
(``$TRIPLETEX_OPENAPI``, else ``../shared/tripletex/openapi.json``). All changes happen in memory, here, and
``normalise()`` and its helpers make each one. They fall in three groups:

* Pruning, so loading takes a fraction of a second instead of validating 560 paths and 2,167 schemas:
  only the operations in ``USED_OPERATIONS`` and the schemas reachable from them (plus ``ApiError``) are
  kept. Circular ``$ref`` chains (``VatType.parentType``, ``Customer`` → ``Employee`` → …) stay as
  references; openapi-core resolves them lazily.
* The spec's known quirks, where real Tripletex servers (``shared/research/tripletex-observed.md``) and
  the spec text disagree: every schema is nullable and every enum admits ``null`` (real responses carry
  nulls everywhere); integer parameters' string defaults (``"default": "1000"``) become integers; write
  bodies declared as ``application/json; charset=utf-8`` also match plain ``application/json``; ``204``
  answers declare no body; whole components marked ``readOnly`` (``Currency``, ``Subscription``, …) lose
  that mark, since it would forbid ``{"currency": {"id": 1}}`` on a customer or any subscription body,
  which real Tripletex accepts (read-only *properties* stay read-only); the server is the relative ``/v2``
  so any host (the simulator's) matches.
* What the spec leaves out but every server does: the error envelope. The spec documents no 4xx/5xx
  answers, yet Tripletex answers every error with ``ApiError``; each operation gets ``4XX``/``5XX``
  answers with that schema, and GET operations a bodiless ``304`` (``If-None-Match``).

Validation is also *stricter* than the spec text in one way (see ``load_openapi``): properties the spec does
not declare are forbidden, because real Tripletex rejects unknown request properties (422 code 16000) and
its responses only carry declared ones.
"""

from __future__ import annotations

import copy
import json
import pathlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from openapi_core import Config, OpenAPI

#: The Tripletex operations shopsync calls: path template → methods. Validating anything else is a violation.
USED_OPERATIONS: dict[str, tuple[str, ...]] = {
    "/token/session/:create": ("post", "put"),
    "/customer": ("get", "post"),
    "/customer/{id}": ("get", "put", "delete"),
    "/customer/list": ("post", "put"),
    "/product": ("get", "post"),
    "/product/{id}": ("get", "put", "delete"),
    "/product/list": ("post", "put"),
    "/order": ("get", "post"),
    "/order/{id}": ("get", "put", "delete"),
    "/order/list": ("post",),
    "/order/orderline": ("post",),
    "/order/orderline/{id}": ("get", "put", "delete"),
    "/order/orderline/list": ("post",),
    "/ledger/vatType": ("get",),
    "/ledger/vatType/{id}": ("get",),
    "/currency": ("get",),
    "/currency/{id}": ("get",),
    "/country": ("get",),
    "/country/{id}": ("get",),
    "/event/subscription": ("get", "post"),
    "/event/subscription/{id}": ("get", "put", "delete"),
    "/event/subscription/list": ("post",),
}

#: Where the API lives on every host: the spec's server is ``https://tripletex.no/v2``.
BASE_PATH = "/v2"

SPEC_MISSING = (
    "Tripletex OpenAPI spec not found: set TRIPLETEX_OPENAPI to the path of openapi.json "
    "(2.74.00), or place it at ../shared/tripletex/openapi.json"
)

_JSON = "application/json"
_JSON_UTF8 = "application/json; charset=utf-8"
_ERROR_ENVELOPE = {
    "description": "Tripletex error envelope (not documented in the spec)",
    "content": {_JSON: {"schema": {"$ref": "#/components/schemas/ApiError"}}},
}


@dataclass(frozen=True)
class LoadedSpec:
    """The validating ``OpenAPI`` object plus facts about the load (for the session summary)."""

    openapi: OpenAPI
    raw: dict[str, Any]
    version: str
    path: pathlib.Path
    seconds: float
    schema_count: int


def _refs(node: Any) -> Iterator[str]:
    """Every component schema name referenced anywhere below ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.rsplit("/", 1)[-1]
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def reachable_schemas(schemas: dict[str, Any], roots: set[str]) -> set[str]:
    """The transitive closure of ``roots`` over ``$ref`` (terminates on the spec's circular references)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(ref for ref in _refs(schemas[name]) if ref not in seen)
    return seen


def _normalise_schema(schema: Any) -> None:
    """Make one schema and its sub-schemas nullable, with null-tolerant enums and typed defaults."""
    if not isinstance(schema, dict) or "$ref" in schema:
        # A $ref's siblings are ignored in OAS 3.0: the referenced component is normalised instead.
        return
    schema["nullable"] = True
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"].append(None)
    default = schema.get("default")
    if isinstance(default, str) and schema.get("type") == "integer":
        schema["default"] = int(default)
    elif isinstance(default, str) and schema.get("type") == "number":
        schema["default"] = float(default)
    for sub in schema.get("properties", {}).values():
        _normalise_schema(sub)
    for key in ("items", "additionalProperties", "not"):
        _normalise_schema(schema.get(key))
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            _normalise_schema(sub)


def _normalise_operation(method: str, operation: dict[str, Any]) -> None:
    """Apply the per-operation quirks: parameter schemas, write media types, 204 bodies, error answers."""
    for parameter in operation.get("parameters", []):
        _normalise_schema(parameter.get("schema"))
    body = operation.get("requestBody")
    if body:
        content = body["content"]
        if _JSON_UTF8 in content and _JSON not in content:
            # Tripletex takes both; openapi-core would only match a request that names the charset.
            content[_JSON] = content.pop(_JSON_UTF8)
        for media in content.values():
            _normalise_schema(media.get("schema"))
    responses = operation.setdefault("responses", {})
    for status, response in responses.items():
        if status == "204":
            # Declared as ``application/json: {}``, but a 204 never has a body.
            response.pop("content", None)
        for media in response.get("content", {}).values():
            _normalise_schema(media.get("schema"))
    responses.setdefault("4XX", _ERROR_ENVELOPE)
    responses.setdefault("5XX", _ERROR_ENVELOPE)
    if method == "get":
        responses.setdefault("304", {"description": "Not Modified (If-None-Match matched versionDigest)"})


def normalise(spec: dict[str, Any]) -> dict[str, Any]:
    """A pruned, normalised deep copy of ``spec`` (the input is left untouched)."""
    paths: dict[str, Any] = {}
    for template, methods in USED_OPERATIONS.items():
        item = spec["paths"][template]
        paths[template] = {method: copy.deepcopy(item[method]) for method in methods}
        for method, operation in paths[template].items():
            _normalise_operation(method, operation)
    all_schemas = spec["components"]["schemas"]
    names = reachable_schemas(all_schemas, set(_refs(paths)) | {"ApiError"})
    schemas = {name: copy.deepcopy(all_schemas[name]) for name in sorted(names)}
    for schema in schemas.values():
        schema.pop("readOnly", None)
        _normalise_schema(schema)
    return {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "servers": [{"url": BASE_PATH}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": spec["components"]["securitySchemes"]},
    }


def load_openapi(path: pathlib.Path) -> LoadedSpec:
    """Read, prune, normalise and load the spec at ``path`` (openapi-spec-validator checks the result)."""
    started = time.perf_counter()
    raw = json.loads(path.read_text(encoding="utf-8"))
    pruned = normalise(raw)
    # "forbid": undeclared properties are violations (real Tripletex rejects or never sends them).
    config = Config(additional_properties_default_policy="forbid")
    openapi = OpenAPI.from_dict(pruned, config=config)
    return LoadedSpec(
        openapi=openapi,
        raw=raw,
        version=str(raw["info"]["version"]),
        path=path,
        seconds=time.perf_counter() - started,
        schema_count=len(pruned["components"]["schemas"]),
    )


@cache
def cached_spec(path: pathlib.Path) -> LoadedSpec:
    """``load_openapi`` once per process: every test shares the same loaded spec."""
    return load_openapi(path)


def spec_or_skip(path: pathlib.Path | None) -> LoadedSpec:
    """The loaded spec at ``path``; the calling test is skipped, saying how to fix it, when there is none."""
    if path is None:
        pytest.skip(SPEC_MISSING)
    return cached_spec(path)
