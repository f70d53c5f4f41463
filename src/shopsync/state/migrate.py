"""Schema migrations: bring a state database to the newest Alembic revision, from code.

No ``alembic.ini`` is needed: the Alembic ``Config`` is built here and points at the ``migrations``
directory inside the installed package. ``StateStore.open`` calls :func:`upgrade` itself.

For developers, a new revision after changing ``tables.py``::

    python -c "from shopsync.state.migrate import alembic_config; from alembic import command; \\
        command.revision(alembic_config('sqlite:///dev.db'), autogenerate=True, message='add x')"

(``alembic_config(url)`` gives the ``Config`` for any Alembic command: ``history``, ``current``,
``downgrade``.) Then edit the generated file under ``migrations/versions/`` so that it matches
``tables.py`` on both databases; ``tests/integration/state/test_migrations.py`` checks that.
"""

from __future__ import annotations

import pathlib

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Engine

__all__ = ["MIGRATIONS", "VERSION_TABLE", "alembic_config", "current_revision", "head_revision", "upgrade"]

#: The Alembic script directory shipped inside the package.
MIGRATIONS = pathlib.Path(__file__).resolve().parent / "migrations"
#: Alembic's bookkeeping table; named so it cannot clash with another application's Alembic.
VERSION_TABLE = "shopsync_alembic_version"
#: PostgreSQL advisory lock key ("shopsync" in ASCII, truncated): concurrent openers migrate one at a time.
_PG_LOCK_KEY = 0x73686F7073796E63


def alembic_config(url: str | URL | None = None, connection: sa.Connection | None = None) -> Config:
    """An Alembic ``Config`` for the packaged migrations (``url`` or an open ``connection``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        text = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        # ConfigParser treats % as interpolation; a password may contain one.
        config.set_main_option("sqlalchemy.url", text.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` in one transaction."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two processes opening a fresh database at once would both try to create the tables.
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
        command.upgrade(alembic_config(connection=connection), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version of shopsync."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
