"""What the pair stages share: a linked pair as this pass knows it, the plan made for it, and two helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shopsync.connectors import base as shop

from . import merge
from .base import Base
from .tripletex_side import TxRecord
from .writes import BodyPlan, LineState

__all__ = ["Pair", "Plan", "known", "tripletex_version"]


@dataclass
class Pair:
    """A linked pair and what this pass knows of each side's current state."""

    webshop_id: str
    tripletex_id: int
    base: Base | None = None
    #: The webshop record, when read in this pass (else the base view stands in).
    webshop: shop.Record | None = None
    #: The Tripletex record with the mapped fields, when read in this pass.
    tripletex: TxRecord | None = None
    #: The Tripletex version as last observed (scan, or our own write).
    tripletex_version: int | None = None
    #: The Tripletex view after our own write in this pass (stands in for the record).
    tripletex_view: dict[str, Any] | None = None
    tripletex_lines: LineState | None = None
    #: Tripletex refused a write as locked (a closed or invoiced order).
    locked: bool = False


@dataclass
class Plan:
    """What one pair needs: the merge decision and the bodies that carry it out."""

    pair: Pair
    webshop_view: dict[str, Any]
    tripletex_view: dict[str, Any]
    decision: merge.Decision
    locked: bool
    ids: LineState
    body: BodyPlan | None = None
    patch: dict[str, Any] | None = None
    tripletex_done: TxRecord | None = None
    noted: bool = False
    webshop_done: shop.Record | None = None
    #: Keys whose write failed (dead letter or retry later): their bases stay, so the edit is not lost.
    failed: set[str] = field(default_factory=set)
    #: Sides whose record was dead-lettered while writing (their dead letters stay open).
    dead: set[str] = field(default_factory=set)
    #: Per conflicting key, the rule that picked its winner (see ``conflicts.Verdict.labels``).
    labels: dict[str, str] = field(default_factory=dict)
    #: The name was sent again disambiguated after Tripletex refused it as taken (``names``).
    renamed: bool = False


def known(base: Base | None) -> bool:
    """Whether a base's views can stand in for an unread side: not when a write may be half done, nor
    while a conflict is held (the held keys' bases are older than the sides' current values)."""
    return base is not None and not base.initial and not base.pending and not base.held


def tripletex_version(pair: Pair) -> int | None:
    """The Tripletex record's version as last seen (read, scanned, written, or from the base)."""
    if pair.tripletex is not None and pair.tripletex.version is not None:
        return int(pair.tripletex.version)
    if pair.tripletex_version is not None:
        return pair.tripletex_version
    return pair.base.tripletex_version if pair.base else None
