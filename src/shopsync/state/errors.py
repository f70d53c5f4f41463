"""Errors the state store raises, as one tree rooted in ``StateError``.

```
StateError
├── StateURLError        the state URL names no database we support
├── NotLinked            a snapshot for a record that has no link
├── LinkConflict         one of the two ids is already linked to another record
├── IntentInFlight       an unresolved intent already exists for the same record and target
├── UnknownRecord        no row with that id for this tenant
└── InvalidTransition    the row is in a state that does not allow the change
```

A class's docstring is its default message. Database driver errors that are not one of these pass
through as SQLAlchemy errors (a broken connection is not a state-store decision).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "IntentInFlight",
    "InvalidTransition",
    "LinkConflict",
    "NotLinked",
    "StateError",
    "StateURLError",
    "UnknownRecord",
]


class StateError(Exception):
    """The state store refused an operation."""

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.details = details
        super().__init__(message or (type(self).__doc__ or "").strip())


class StateURLError(StateError, ValueError):
    """The state URL names no database shopsync supports (a path, sqlite:///… or postgresql://…)."""


class NotLinked(StateError):
    """The record has no link, so it cannot have a snapshot."""


class LinkConflict(StateError):
    """One of the two ids is already linked to a different record."""

    def __init__(self, message: str | None = None, *, existing: Any = None) -> None:
        self.existing = existing
        super().__init__(message, existing=existing)


class IntentInFlight(StateError):
    """An unresolved intent already exists for this record and target; resolve it first."""

    def __init__(self, message: str | None = None, *, existing_id: int | None = None) -> None:
        self.existing_id = existing_id
        super().__init__(message, existing_id=existing_id)


class UnknownRecord(StateError):
    """No row with that id exists for this tenant."""


class InvalidTransition(StateError):
    """The row's current state does not allow this change."""
