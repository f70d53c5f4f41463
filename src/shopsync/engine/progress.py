"""Progress of a pass, per entity, for whoever watches it (``shopsync sync`` draws bars from it).

The unit is one record of one side that the pass looks at: every webshop record, webshop deletion,
Tripletex record and Tripletex deletion the ``detect`` stage found. ``total`` is known once detection
is done (None before); ``done`` grows as records are settled — created, written, found unchanged,
linked, dead-lettered, queued to wait, left for review — and equals ``total`` when the entity's
commit is stored. ``done`` never decreases and ``total`` never changes once known, so a progress bar
never jumps back. A stopped pass (``SyncEngine.request_stop``) leaves ``done`` below ``total``.

The callback runs in the engine's event loop between records; it must be quick. One that raises is
logged once and not called again: a broken display never breaks a sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import structlog

__all__ = ["PassProgress", "ProgressCallback", "ProgressEvent"]

log = structlog.get_logger("shopsync.engine")


@dataclass(frozen=True)
class ProgressEvent:
    """Where one entity's part of a pass stands.

    ``stage`` is the stage running (``recover``, ``detect``, ``delete``, ``match``, ``create``,
    ``merge``, ``commit``) or ``done`` once the entity's commit is stored; ``done`` of ``total``
    records are settled (``total`` None while it is not known yet).
    """

    entity: str
    stage: str
    done: int
    total: int | None


#: What ``SyncEngine.run_pass(progress=…)`` calls with each event.
ProgressCallback = Callable[[ProgressEvent], None]


@dataclass
class _Entity:
    stage: str = "start"
    universe: set[tuple[str, str]] | None = None
    handled: set[tuple[str, str]] = field(default_factory=set)


class PassProgress:
    """Counts settled records per entity and reports changes to ``callback`` (a no-op without one)."""

    def __init__(self, callback: ProgressCallback | None = None) -> None:
        self._callback = callback
        self._entities: dict[str, _Entity] = {}

    def _of(self, entity: str) -> _Entity:
        return self._entities.setdefault(entity, _Entity())

    def _emit(self, entity: str) -> None:
        if self._callback is None:
            return
        state = self._of(entity)
        total = None if state.universe is None else len(state.universe)
        try:
            self._callback(ProgressEvent(entity, state.stage, len(state.handled), total))
        except Exception:
            log.warning("engine.progress_callback_failed", exc_info=True)
            self._callback = None

    def stage(self, entity: str, stage: str) -> None:
        """``entity`` entered ``stage``."""
        state = self._of(entity)
        if state.stage != stage:
            state.stage = stage
            self._emit(entity)

    def expect(self, entity: str, records: Iterable[tuple[str, str | int]]) -> None:
        """The records (side, id) this pass will settle for ``entity``: the total becomes known."""
        state = self._of(entity)
        if self._callback is None or state.universe is not None:
            return  # the total is fixed once known
        state.universe = {(side, str(i)) for side, i in records}
        state.handled &= state.universe
        self._emit(entity)

    def expect_more(self, entity: str, records: Iterable[tuple[str, str | int]]) -> None:
        """More records this pass will settle (a later window of the feed): the total grows."""
        state = self._of(entity)
        if self._callback is None:
            return
        added = {(side, str(i)) for side, i in records}
        if state.universe is not None and added <= state.universe:
            return
        state.universe = added if state.universe is None else state.universe | added
        self._emit(entity)

    def handled(self, entity: str, side: str, ids: Iterable[str | int]) -> None:
        """These records of ``side`` are settled (ids outside the expected records are ignored)."""
        state = self._of(entity)
        if self._callback is None or state.universe is None:
            return
        before = len(state.handled)
        state.handled |= {(side, str(i)) for i in ids} & state.universe
        if len(state.handled) != before:
            self._emit(entity)

    def finish(self, entity: str) -> None:
        """Everything expected for ``entity`` is settled (its commit is stored)."""
        state = self._of(entity)
        if state.universe is None:
            state.universe = set()
        state.handled = set(state.universe)
        state.stage = "done"
        self._emit(entity)
