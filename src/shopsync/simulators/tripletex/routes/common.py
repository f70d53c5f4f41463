"""Small pieces several route modules share."""

from __future__ import annotations

from shopsync.simulators.tripletex import errors
from shopsync.simulators.tripletex.bodies import Mapped
from shopsync.simulators.tripletex.errors import ValidationCollector

__all__ = ["ids_for_update"]


def ids_for_update(items: list[Mapped]) -> list[tuple[int, Mapped]]:
    """Batch PUT items with their ids; an item without an id fails the whole call (422 code 18000)."""
    out: list[tuple[int, Mapped]] = []
    messages: list[errors.Message] = []
    for i, item in enumerate(items):
        obj_id = item.get("id")
        if not isinstance(obj_id, int):
            vc = ValidationCollector(f"[{i}]", i)
            vc.missing("id")
            messages.extend(vc.messages)
            continue
        out.append((obj_id, item))
    if messages:
        raise errors.validation_failed(messages)
    return out
