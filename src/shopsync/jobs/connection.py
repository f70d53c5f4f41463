"""PostgreSQL locations for the job layer: a ``--queue``/``--state`` URL as psycopg's conninfo.

The same spellings as state URLs (``postgresql://``, ``postgres://``, ``postgresql+psycopg://``);
anything else — SQLite above all — is a ``QueueURLError``: procrastinate, the shared rate limit and
the tenant leases all live in PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy.engine import URL

from shopsync.state import StateURLError, display_url, state_url

from .errors import QueueURLError

__all__ = ["conninfo", "postgres_url"]


def postgres_url(location: str | URL) -> URL:
    """The SQLAlchemy URL of a PostgreSQL location; ``QueueURLError`` for anything else."""
    try:
        url = state_url(location)
    except StateURLError as exc:
        raise QueueURLError(f"{exc}; the queue must be postgresql://…") from None
    if not url.drivername.startswith("postgresql"):
        raise QueueURLError(
            f"the queue and the shared state must be PostgreSQL, not {display_url(url)!r} "
            "(postgresql://user:password@host:port/database)"
        )
    return url


def conninfo(location: str | URL) -> str:
    """psycopg's connection string for a PostgreSQL location (password included: never log it)."""
    return postgres_url(location).set(drivername="postgresql").render_as_string(hide_password=False)
