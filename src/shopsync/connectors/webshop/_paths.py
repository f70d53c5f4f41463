"""Dotted paths into a shop's JSON: read a value, or set one while building a request body.

Syntax: ``billing.address_1`` (nested keys), ``line_items[0].sku`` (list index) and
``meta_data[key=org_number].value`` (the first list element whose ``key`` equals ``org_number``: how
WordPress plugins store extra fields). Missing keys read as ``None``; setting creates what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["get_path", "parse_path", "set_path"]

_SEGMENT = re.compile(
    r"^(?P<name>[^.\[\]]+)(?:\[(?:(?P<index>-?\d+)|(?P<key>[^=\]]+)=(?P<value>[^\]]*))\])?$"
)


@dataclass(frozen=True, slots=True)
class _Segment:
    name: str
    index: int | None = None
    match_key: str | None = None
    match_value: str | None = None


@lru_cache(maxsize=1024)
def parse_path(path: str) -> tuple[_Segment, ...]:
    """``path`` split into segments; ``ValueError`` on bad syntax."""
    if not path:
        raise ValueError("empty path")
    segments = []
    for part in path.split("."):
        m = _SEGMENT.match(part)
        if m is None:
            raise ValueError(f"bad path segment {part!r} in {path!r}")
        index = m["index"]
        segments.append(_Segment(m["name"], int(index) if index is not None else None, m["key"], m["value"]))
    return tuple(segments)


def _matches(item: Any, seg: _Segment) -> bool:
    return isinstance(item, dict) and str(item.get(seg.match_key or "")) == seg.match_value


def get_path(data: Any, path: str) -> Any:
    """The value at ``path`` in ``data``, or ``None`` when any part of it is missing."""
    current = data
    for seg in parse_path(path):
        if not isinstance(current, dict):
            return None
        current = current.get(seg.name)
        if seg.index is not None:
            if not isinstance(current, list) or not -len(current) <= seg.index < len(current):
                return None
            current = current[seg.index]
        elif seg.match_key is not None:
            if not isinstance(current, list):
                return None
            current = next((item for item in current if _matches(item, seg)), None)
    return current


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in ``data`` to ``value``, creating dicts and matching list elements on the way."""
    segs = parse_path(path)
    current: Any = data
    for pos, seg in enumerate(segs):
        last = pos == len(segs) - 1
        if seg.index is None and seg.match_key is None:
            if last:
                current[seg.name] = value
                return
            current = current.setdefault(seg.name, {})
            if not isinstance(current, dict):
                raise ValueError(f"cannot set {path!r}: {seg.name!r} is not an object")
            continue
        items = current.setdefault(seg.name, [])
        if not isinstance(items, list):
            raise ValueError(f"cannot set {path!r}: {seg.name!r} is not a list")
        if seg.index is not None:
            while len(items) <= seg.index:
                items.append({})
            if last:
                items[seg.index] = value
                return
            current = items[seg.index]
        else:
            found = next((item for item in items if _matches(item, seg)), None)
            if found is None:
                found = {seg.match_key: seg.match_value}
                items.append(found)
            if last:
                raise ValueError(f"cannot replace a selected element itself in {path!r}; set a key in it")
            current = found
