"""Load the default mapping files, apply an installation's override file, compile and validate.

Defaults live in ``shopsync/mapping/defaults/<entity>.yaml``. An override file has one section per
entity; its rows are matched to the defaults by ``key`` (``lines.discount`` for a row inside a block)::

    customer:
      rows:
        - key: invoice_email      # a row with only key + disabled switches a default row off (or on)
          disabled: true
        - key: phone              # only key + owner: whose value wins a conflict on it (null: the policy)
          owner: tripletex
        - key: email              # a full row with an existing key replaces the default row(s)
          webshop: email
          tripletex: email
          compare: exact
        - key: website_note       # a new key adds a row
          ...
    order:
      match: [...]                # replaces the entity's match keys (likewise deactivate)

Every problem of every file is collected and raised together as :class:`MappingFileError`.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from shopsync.connectors.webshop.models import ShopSettings
from shopsync.mapping import _contract
from shopsync.mapping._compile import RawRow, RowError, Scope, compile_block, compile_row, pydantic_messages
from shopsync.mapping._errors import MappingFileError, Problem
from shopsync.mapping._model import Block, Deactivate, EntityMapping, Entry, MatchKey, Row
from shopsync.mapping._values import canonical
from shopsync.tripletex._schema import SCHEMAS

__all__ = ["DEFAULTS_DIR", "ENTITY_ORDER", "load_entities"]

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"
#: Order of the entities in the document (others follow alphabetically).
ENTITY_ORDER = ("customer", "product", "order")
_SOURCE = "__source__"


class RawMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    tripletex_param: str
    webshop_param: str | None = None


class RawDeactivate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    value: Any


class RawEntity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: str
    title: str
    webshop: str
    tripletex: str
    match: list[RawMatch] = []
    deactivate: RawDeactivate | None = None
    rows: list[Any]


class RawOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[Any] = []
    match: list[RawMatch] | None = None
    deactivate: RawDeactivate | None = None


def _read(path: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        problems.append(Problem(str(path), None, f"cannot read: {exc.strerror or exc}"))
    except yaml.YAMLError as exc:
        problems.append(Problem(str(path), None, f"invalid YAML: {exc}"))
    return None


def _tag(rows: list[Any], source: str) -> list[Any]:
    """Deep copies of ``rows`` remembering their file (sub-rows of blocks too)."""
    tagged = []
    for row in rows:
        if isinstance(row, dict):
            row = copy.deepcopy(row)
            row[_SOURCE] = source
            if isinstance(row.get("rows"), list):
                row["rows"] = _tag(row["rows"], source)
        tagged.append(row)
    return tagged


def _label(row: Any, index: int) -> str:
    key = row.get("key") if isinstance(row, dict) else None
    return f"{key!r} (#{index + 1})" if key else f"#{index + 1}"


def _apply_override(rows: list[Any], override: list[Any], source: str, problems: list[Problem]) -> list[Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for index, row in enumerate(override):
        if not isinstance(row, dict) or not isinstance(row.get("key"), str):
            problems.append(Problem(source, _label(row, index), "an override row needs a key"))
            continue
        groups.setdefault(row["key"], []).append(row)
    rows = list(rows)
    for key, group in groups.items():
        head, _, sub = key.partition(".")
        if not sub:
            rows = _merge(rows, key, group, source, problems)
            continue
        at = next((i for i, r in enumerate(rows) if isinstance(r, dict) and r.get("key") == head), None)
        if at is None or not isinstance(rows[at].get("rows"), list):
            problems.append(Problem(source, repr(key), f"no block {head!r} to change"))
            continue
        parent = dict(rows[at])
        parent["rows"] = _merge(
            list(parent["rows"]), sub, [{**g, "key": sub} for g in group], source, problems
        )
        rows[at] = parent
    return rows


def _merge(
    rows: list[Any], key: str, group: list[dict[str, Any]], source: str, problems: list[Problem]
) -> list[Any]:
    """Replace the rows with ``key`` by ``group`` (or switch them on/off or set their owner, or append)."""
    matches = [i for i, r in enumerate(rows) if isinstance(r, dict) and r.get("key") == key]
    patch = {k: v for k, v in group[0].items() if k != "key"}
    if len(group) == 1 and set(patch) <= {"disabled", "owner"}:
        if not matches:
            what = "switch on or off" if set(patch) <= {"disabled"} else "change"
            problems.append(Problem(source, repr(key), f"no default row {key!r} to {what}"))
        if not patch:
            patch = {"disabled": True}
        elif "disabled" in patch:
            patch["disabled"] = bool(patch["disabled"])
        for i in matches:
            rows[i] = {**rows[i], **patch}
        return rows
    replacement = _tag(group, source)
    if not matches:
        return [*rows, *replacement]
    # Every default row with this key (all its when-variants) gives way to the override's rows.
    first = matches[0]
    return [*rows[:first], *replacement, *(r for i, r in enumerate(rows[first:], first) if i not in matches)]


def load_entities(overrides: Path | None, defaults_dir: Path = DEFAULTS_DIR) -> list[EntityMapping]:
    """Read, merge, compile and check every entity; MappingFileError lists every problem found."""
    problems: list[Problem] = []
    raws: dict[str, tuple[RawEntity, str, list[Any]]] = {}
    for path in sorted(defaults_dir.glob("*.yaml")):
        data = _read(path, problems)
        try:
            raw = RawEntity.model_validate(data)
        except ValidationError as exc:
            problems.extend(Problem(str(path), None, m) for m in pydantic_messages(exc))
            continue
        raws[raw.entity] = (raw, str(path), _tag(raw.rows, str(path)))
    if overrides is not None:
        _load_override(overrides, raws, problems)
    entities = {name: raw.tripletex for name, (raw, _, _) in raws.items()}
    compiled = []
    order = sorted(raws, key=lambda n: (ENTITY_ORDER.index(n) if n in ENTITY_ORDER else len(ENTITY_ORDER), n))
    for name in order:
        raw, source, rows = raws[name]
        entity = _compile_entity(raw, source, rows, entities, problems)
        if entity is not None:
            compiled.append(entity)
    if problems:
        raise MappingFileError(problems)
    return compiled


def _load_override(
    path: Path, raws: dict[str, tuple[RawEntity, str, list[Any]]], problems: list[Problem]
) -> None:
    data = _read(path, problems)
    if data is None:
        return
    if not isinstance(data, dict):
        problems.append(Problem(str(path), None, "an override file maps entity names to sections"))
        return
    for name, section in data.items():
        if name not in raws:
            problems.append(Problem(str(path), None, f"unknown entity {name!r} (known: {', '.join(raws)})"))
            continue
        try:
            override = RawOverride.model_validate(section or {})
        except ValidationError as exc:
            problems.extend(Problem(str(path), name, m) for m in pydantic_messages(exc))
            continue
        raw, source, rows = raws[name]
        rows = _apply_override(rows, override.rows, str(path), problems)
        changes: dict[str, Any] = {}
        if override.match is not None:
            changes["match"] = override.match
        if override.deactivate is not None:
            changes["deactivate"] = override.deactivate
        raws[name] = (raw.model_copy(update=changes), source, rows)


def _compile_entity(
    raw: RawEntity, source: str, rows: list[Any], entities: dict[str, str], problems: list[Problem]
) -> EntityMapping | None:
    try:
        _contract.model_named(raw.webshop)
    except KeyError:
        problems.append(Problem(source, None, f"webshop: unknown contract record {raw.webshop!r}"))
        return None
    if raw.tripletex not in SCHEMAS:
        problems.append(
            Problem(source, None, f"tripletex: schema {raw.tripletex!r} is not in the generated facts")
        )
        return None
    scope = Scope(entities, raw.webshop, raw.tripletex, raw.webshop)
    entries: list[Entry] = []
    disabled: list[Entry] = []
    failed: set[str] = set()  # keys of rows with problems: no follow-up complaints about them
    for index, data in enumerate(rows):
        label = _label(data, index)
        if not isinstance(data, dict):
            problems.append(Problem(source, label, "a row must be a mapping"))
            continue
        data = dict(data)
        row_source = data.pop(_SOURCE, source)
        sub_sources = {}
        if isinstance(data.get("rows"), list):
            subs = [dict(s) if isinstance(s, dict) else s for s in data["rows"]]
            for s in subs:
                if isinstance(s, dict):
                    sub_sources[s.get("key")] = s.pop(_SOURCE, row_source)
            data["rows"] = subs
        try:
            raw_row = RawRow.model_validate(data)
            entry: Entry
            if raw_row.rows is not None or (raw_row.tripletex or "").endswith("[]"):
                if raw_row.rows is None:
                    raise RowError(["a Tripletex list path ([]) needs rows"])
                block, sub_problems = compile_block(raw_row, scope)
                for sub_label, messages in sub_problems:
                    file = sub_sources.get(sub_label.partition(".")[2], row_source)
                    problems.extend(Problem(file, sub_label, m) for m in messages)
                rows_with_source = tuple(
                    dataclasses.replace(r, source=sub_sources.get(r.key, row_source)) for r in block.rows
                )
                entry = dataclasses.replace(block, rows=rows_with_source, source=row_source)
            else:
                entry = dataclasses.replace(compile_row(raw_row, scope), source=row_source)
        except ValidationError as exc:
            problems.extend(Problem(row_source, label, m) for m in pydantic_messages(exc))
            failed.add(str(data.get("key")))
            continue
        except RowError as exc:
            problems.extend(Problem(row_source, label, m) for m in exc.messages)
            failed.add(str(data.get("key")))
            continue
        (disabled if raw_row.disabled else entries).append(entry)
    problems.extend(_clashes(entries, source))
    known = [e for e in entries if e.key not in failed]
    quiet: list[Problem] = []
    match = _match(raw, source, known, quiet)
    deactivate = _deactivate(raw, source, known, quiet)
    problems.extend(p for p in quiet if not any(f"'{k}'" in p.message for k in failed))
    return EntityMapping(
        name=raw.entity,
        title=raw.title,
        webshop_model=raw.webshop,
        tripletex_schema=raw.tripletex,
        entries=tuple(entries),
        match=match,
        deactivate=deactivate,
        disabled=tuple(disabled),
        source=source,
    )


#: Shop settings the clash check tries: ``when`` conditions normally depend on the VAT setting.
_SHOPS = [ShopSettings(prices_include_vat=True), ShopSettings(prices_include_vat=False)]


def _clashes(entries: list[Entry], source: str) -> list[Problem]:
    """Keys or Tripletex properties claimed by two rows that are active for the same shop settings.

    The problem is reported at the row that came from an override file when there is one.
    """
    found: dict[tuple[str, str], Problem] = {}
    for shop in _SHOPS:
        data = shop.model_dump(mode="json")
        active = [e for e in entries if e.when is None or e.when.evaluate(data, {"shop": data})]
        setting = f"prices_include_vat={str(shop.prices_include_vat).lower()}"
        groups: dict[tuple[str, str], list[Entry]] = {}
        for e in active:
            groups.setdefault(("key", e.key), []).append(e)
            if isinstance(e, Row) and e.writes_tripletex:
                groups.setdefault(("tripletex", e.tripletex), []).append(e)
        for (kind, name), group in groups.items():
            if len(group) < 2 or (kind, name) in found:
                continue
            at = next((e for e in group if e.source != source), group[-1])
            if kind == "key":
                message = f"duplicate key for {setting} (variants need exclusive when conditions)"
            else:
                others = ", ".join(repr(e.key) for e in group if e is not at)
                message = f"Tripletex {name} is also written by row {others} for {setting}"
            found[(kind, name)] = Problem(at.source or source, repr(at.key), message)
    return list(found.values())


def _row(entries: list[Entry], key: str) -> Row | None:
    return next((e for e in entries if isinstance(e, Row) and e.key == key), None)


def _match(
    raw: RawEntity, source: str, entries: list[Entry], problems: list[Problem]
) -> tuple[MatchKey, ...]:
    keys = []
    for m in raw.match:
        if _row(entries, m.key) is None:
            problems.append(Problem(source, None, f"match: no row {m.key!r}"))
        keys.append(MatchKey(key=m.key, tripletex_param=m.tripletex_param, webshop_param=m.webshop_param))
    return tuple(keys)


def _deactivate(
    raw: RawEntity, source: str, entries: list[Entry], problems: list[Problem]
) -> Deactivate | None:
    if raw.deactivate is None:
        return None
    row = _row(entries, raw.deactivate.key)
    if row is None or isinstance(row, Block):
        problems.append(Problem(source, None, f"deactivate: no row {raw.deactivate.key!r}"))
        return None
    try:
        value = canonical(raw.deactivate.value, row.ctype)
    except ValueError as exc:
        problems.append(Problem(source, None, f"deactivate: {exc}"))
        return None
    return Deactivate(key=row.key, value=value)
