"""Dotted paths into nested dicts: read one value, write one value creating the objects on the way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["get", "put"]


def get(data: Any, path: str) -> Any:
    """The value at ``path`` (``a.b.c``); None when any step is missing or null."""
    current = data
    for name in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(name)
        if current is None:
            return None
    return current


def put(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in ``data`` to ``value``, creating intermediate dicts (replacing non-dicts)."""
    *heads, last = path.split(".")
    current = data
    for name in heads:
        nxt = current.get(name)
        if not isinstance(nxt, dict):
            nxt = {}
            current[name] = nxt
        current = nxt
    current[last] = value
