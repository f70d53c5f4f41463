"""The simulated company: storage, reference data, clock and the hooks every write goes through.

``Simulator`` is the one object routes, admin and webhooks share. ``write()`` wraps one API write:
a single SQLite transaction plus the webhook events it produces, which are handed to the dispatcher
only once the transaction has committed (so a rolled-back write never notifies anyone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shopsync.simulators.tripletex.config import SimulatorConfig
from shopsync.simulators.tripletex.model import BOOL, INT, LIST, MODELS, NUM, REFS, STR
from shopsync.simulators.tripletex.refdata import SESSION_EMPLOYEE_ID, RefData
from shopsync.simulators.tripletex.store import TABLES, Store

__all__ = ["OSLO", "Event", "Simulator", "Stamp", "Write"]

#: Tripletex runs on Norwegian time: change timestamps carry the Oslo offset, sessions end at Oslo midnight.
OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True, slots=True)
class Stamp:
    """One moment in both forms the simulator needs."""

    #: Sortable UTC form stored in ``changed_at`` (microseconds, so close writes still order).
    sortable: str
    #: Oslo local time with offset, as in ``changes[].timestamp`` (``2025-03-12T15:09:57+01:00``).
    display: str


@dataclass(frozen=True, slots=True)
class Event:
    """A webhook event produced by a committed write (``deleted`` sends value null)."""

    name: str
    schema: str
    obj_id: int
    deleted: bool = False


@dataclass
class Write:
    """What one write request has done so far: its timestamp and the events to publish on commit."""

    stamp: Stamp
    employee_id: int
    events: list[Event] = field(default_factory=list)


def stamp_at(moment: datetime) -> Stamp:
    """Both forms of ``moment`` (an aware datetime)."""
    utc = moment.astimezone(UTC)
    local = moment.astimezone(OSLO).replace(microsecond=0)
    return Stamp(utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), local.isoformat())


class Simulator:
    """Shared state of one simulator instance."""

    def __init__(self, config: SimulatorConfig, clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))
        self.store = Store(config.db)
        self.refdata = RefData(config.company_id)
        #: Called with the events of each committed write (set by the webhook dispatcher).
        self.publish: Callable[[list[Event], str], None] = lambda events, host: None
        self._order_number: int | None = None

    def reset(self) -> None:
        """Forget every stored object (reference data stays)."""
        self.store.clear()
        self._order_number = None

    def next_order_number(self) -> int:
        """The next automatic order number (kept in memory: orders numbers are text in storage)."""
        if self._order_number is None:
            top = self.store.max_value("Order", "number", as_integer=True)
            self._order_number = int(top or 0) + 1
        value = self._order_number
        self._order_number += 1
        return value

    def now(self) -> Stamp:
        """The current moment."""
        return stamp_at(self.clock())

    def today_oslo(self) -> Any:
        """Today's date in Norway."""
        return self.clock().astimezone(OSLO).date()

    @contextmanager
    def write(self, host: str, employee_id: int = SESSION_EMPLOYEE_ID) -> Iterator[Write]:
        """One atomic write; its events are published after the commit."""
        unit = Write(self.now(), employee_id)
        with self.store.transaction():
            yield unit
        if unit.events:
            self.publish(unit.events, host)

    # --- the renderer's Resolver ------------------------------------------------------------------

    def lookup(self, schema: str, obj_id: int) -> dict[str, Any] | None:
        """Stored or reference object for an expanded reference."""
        if schema in TABLES:
            return self.store.get(schema, obj_id)
        return self.refdata.get(schema, obj_id)

    def changes(self, schema: str, obj_id: int) -> list[dict[str, Any]]:
        """The ``changes`` list of a stored object."""
        if schema not in TABLES:
            return []
        return [
            {"employeeId": emp, "timestamp": ts, "changeType": kind}
            for emp, ts, kind in self.store.changes(schema, obj_id)
        ]

    def exists(self, schema: str, obj_id: int) -> bool:
        """Whether a referenced object exists (stored or reference data)."""
        if schema in TABLES:
            return self.store.exists(schema, obj_id)
        return self.refdata.exists(schema, obj_id)

    # --- helpers shared by every stored kind ------------------------------------------------------

    def insert(self, w: Write, schema: str, doc: dict[str, Any], event: str | None = None) -> None:
        """Store a new object, log its CREATE and queue its create event."""
        self.store.insert(schema, doc, w.stamp.sortable)
        self.store.add_change(schema, doc["id"], "CREATE", w.employee_id, w.stamp.display)
        if event:
            w.events.append(Event(event, schema, doc["id"]))

    def save(
        self,
        w: Write,
        schema: str,
        old: dict[str, Any],
        new: dict[str, Any],
        event: str | None,
        *,
        force: bool = False,
    ) -> bool:
        """Store ``new`` if it differs from ``old`` (or ``force``): version + 1, UPDATE logged, event."""
        if not force and _same(schema, old, new):
            return False
        new["version"] = int(old.get("version", 0)) + 1
        self.store.update(schema, new, w.stamp.sortable)
        self.store.add_change(schema, new["id"], "UPDATE", w.employee_id, w.stamp.display)
        if event:
            w.events.append(Event(event, schema, new["id"]))
        return True

    def remove(self, w: Write, schema: str, obj_id: int, event: str | None) -> None:
        """Delete an object and queue its delete event."""
        self.store.delete(schema, obj_id)
        if event:
            w.events.append(Event(event, schema, obj_id, deleted=True))


def _same(schema: str, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two docs render the same: "" equals unset text, 5500.00 equals 5500, and so on."""
    props = MODELS[schema].props
    for key in (set(old) | set(new)) - {"version"}:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        prop = props.get(key)
        kind = prop.kind if prop else None
        if kind == NUM:
            if Decimal(a or 0) != Decimal(b or 0):
                return False
        elif kind == STR:
            if (a or "") != (b or ""):
                return False
        elif kind == BOOL:
            if bool(a) != bool(b):
                return False
        elif kind == INT:
            if (a or 0) != (b or 0):
                return False
        elif kind in (REFS, LIST):
            if list(a or ()) != list(b or ()):
                return False
        else:
            return False
    return True
