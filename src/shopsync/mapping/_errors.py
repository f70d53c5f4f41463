"""The errors of the mapping layer.

::

    MappingError                      base of everything raised here
    ├── MappingFileError              a mapping file (defaults or override) is wrong; lists every Problem
    └── RecordMappingError            one record cannot be mapped (names entity, record and field)
        └── UnresolvedReference       a reference (link, VAT type, country, currency) has no partner yet

``MappingFileError`` is raised when a mapping is loaded, never during a sync. ``RecordMappingError``
concerns a single record: the engine dead-letters that record and carries on with the others.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MappingError", "MappingFileError", "Problem", "RecordMappingError", "UnresolvedReference"]


class MappingError(Exception):
    """Base of the mapping layer's errors."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a mapping file: where (file, row) and what."""

    file: str
    row: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        return f"{where}: {self.message}"


class MappingFileError(MappingError):
    """A mapping file is invalid; ``problems`` lists everything found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid mapping ({len(self.problems)} problem(s)):\n{lines}")


class RecordMappingError(MappingError):
    """A record could not be mapped; ``field`` names the property at fault (e.g. ``lines[1].vat_rate``)."""

    def __init__(self, entity: str, record_id: str | int | None, field: str, reason: str) -> None:
        self.entity = entity
        self.record_id = record_id
        self.field = field
        self.reason = reason
        super().__init__(f"{entity} {record_id if record_id is not None else '(new)'}: {field}: {reason}")


class UnresolvedReference(RecordMappingError):
    """A referenced record or code has no counterpart yet (e.g. the order's customer is not linked).

    ``kind`` is ``link``, ``vat_type``, ``country`` or ``currency``; ``target`` the referenced entity for
    links; ``key`` the value that could not be resolved. The engine may sync the target first and retry.
    """

    def __init__(
        self,
        entity: str,
        record_id: str | int | None,
        field: str,
        reason: str,
        *,
        kind: str,
        target: str | None,
        key: object,
    ) -> None:
        super().__init__(entity, record_id, field, reason)
        self.kind = kind
        self.target = target
        self.key = key
