"""Alembic environment for the state store: runs on the connection ``shopsync.state.migrate`` hands in.

Works without ``alembic.ini``: with no connection in ``config.attributes`` it connects to the
``sqlalchemy.url`` main option (set by ``migrate.alembic_config(url)``), so ``alembic`` commands work
from a shell too. Only the tables in ``shopsync.state.tables.metadata`` are compared when
autogenerating: other applications may share a PostgreSQL database.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from shopsync.state.migrate import VERSION_TABLE
from shopsync.state.tables import metadata
from shopsync.state.urls import create_state_engine


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    return type_ != "table" or name in metadata.tables


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        include_name=_include_name,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new one to ``sqlalchemy.url``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_state_engine(context.config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("shopsync migrations run online only (they need to know the database)")
run_migrations_online()
