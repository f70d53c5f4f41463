"""Alembic on SQLite and PostgreSQL: ``upgrade head`` builds exactly the tables in ``tables.py``."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import URL

from shopsync.state import StateStore, migrate
from shopsync.state.tables import metadata
from shopsync.state.urls import create_state_engine, state_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> URL:
    """An empty database (no tables), on each of the two databases."""
    if request.param == "sqlite":
        return state_url(tmp_path / "empty.db")
    url: URL = request.getfixturevalue("empty_postgres_url")
    return url


@pytest.fixture
def engine(empty_url: URL) -> Iterator[sa.Engine]:
    """An engine on the empty database."""
    created = create_state_engine(empty_url)
    yield created
    created.dispose()


def _diff(engine: sa.Engine, target: sa.MetaData = metadata) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "version_table": migrate.VERSION_TABLE,
                "compare_type": True,
                "include_name": lambda name, kind, _parent: kind != "table" or name in target.tables,
            },
        )
        return list(compare_metadata(context, target))


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_head_matches_the_metadata(engine: sa.Engine) -> None:
    """After ``upgrade head``, Alembic's autogenerate finds no difference from ``tables.metadata``."""
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert _diff(engine) == []


def test_the_comparison_notices_a_difference(engine: sa.Engine) -> None:
    """The check above can fail: a column missing from the migrations shows up as a difference."""
    migrate.upgrade(engine)
    changed = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["links"].append_column(sa.Column("note", sa.Text, nullable=True))
    assert [entry[0] for entry in _diff(engine, changed)] == ["add_column"]


def test_open_creates_the_schema_and_reopening_is_a_no_op(empty_url: URL, engine: sa.Engine) -> None:
    """StateStore.open migrates an empty database; opening again keeps the data."""
    with StateStore.open(empty_url) as store:
        store.link("customer", "c-1", 1)
    with StateStore.open(empty_url) as store:
        assert store.tripletex_id_for("customer", "c-1") == 1
    assert metadata.tables.keys() <= _tables(engine)


def test_downgrade_to_base_and_back(empty_url: URL, engine: sa.Engine) -> None:
    """Downgrading to base drops every state table; upgrading again restores the schema."""
    migrate.upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(migrate.alembic_config(connection=conn), "base")
    assert _tables(engine) & metadata.tables.keys() == set()
    migrate.upgrade(engine)
    assert _diff(engine) == []


def test_alembic_commands_work_from_a_url_without_alembic_ini(empty_url: URL, engine: sa.Engine) -> None:
    """``alembic_config(url)`` drives Alembic on its own connection, as a developer would from a shell."""
    command.upgrade(migrate.alembic_config(empty_url), "head")
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert _diff(engine) == []


def test_the_migrations_ship_inside_the_package() -> None:
    """The script directory sits in the package next to the code, with env.py and the first revision."""
    assert (migrate.MIGRATIONS / "env.py").is_file()
    assert (migrate.MIGRATIONS / "versions" / "0001_initial.py").is_file()
    assert migrate.head_revision() == "0003"
