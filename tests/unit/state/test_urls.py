"""State URLs: paths and URLs map to SQLite or PostgreSQL (psycopg 3); anything else is refused."""

from __future__ import annotations

import pathlib

import pytest

from shopsync.state import StateStore, StateURLError, create_state_engine, display_url, state_url


@pytest.mark.parametrize(
    ("given", "driver", "database"),
    [
        ("state.db", "sqlite+pysqlite", "state.db"),
        ("/var/lib/shopsync/state.db", "sqlite+pysqlite", "/var/lib/shopsync/state.db"),
        ("sqlite:////var/lib/shopsync/state.db", "sqlite+pysqlite", "/var/lib/shopsync/state.db"),
        ("sqlite:///relative.db", "sqlite+pysqlite", "relative.db"),
        ("sqlite://", "sqlite+pysqlite", None),
        ("postgresql://u:pw@db.example:5432/shop", "postgresql+psycopg", "shop"),
        ("postgres://u@db.example/shop", "postgresql+psycopg", "shop"),
        ("postgresql+psycopg://u@db.example/shop", "postgresql+psycopg", "shop"),
    ],
)
def test_state_locations_map_to_a_supported_driver(given: str, driver: str, database: str | None) -> None:
    """Paths and sqlite URLs become pysqlite; postgres URLs become psycopg 3."""
    url = state_url(given)
    assert (url.drivername, url.database) == (driver, database)


def test_a_path_object_and_home_directory_are_expanded() -> None:
    """``~`` in a path or sqlite URL is the user's home directory."""
    home = pathlib.Path("~").expanduser()
    assert state_url(pathlib.Path("~/s.db")).database == str(home / "s.db")
    assert state_url("sqlite:///~/s.db").database == str(home / "s.db")


@pytest.mark.parametrize("given", ["mysql://u@h/db", "postgresql+psycopg2://u@h/db", "  ", "http//x://"])
def test_unsupported_locations_are_refused(given: str) -> None:
    """Other databases, other PostgreSQL drivers and empty locations raise StateURLError."""
    with pytest.raises(StateURLError):
        state_url(given)


def test_display_url_masks_the_password() -> None:
    """The password never appears in the displayed URL."""
    shown = display_url(state_url("postgresql://u:s3cret@db.example/shop"))
    assert "s3cret" not in shown
    assert "db.example" in shown


def test_sqlite_parent_directories_are_created(tmp_path: pathlib.Path) -> None:
    """Opening a state file in a directory that does not exist yet creates the directory."""
    path = tmp_path / "a" / "b" / "state.db"
    with StateStore.open(path) as store:
        store.link("customer", "c-1", 1)
    assert path.is_file()


def test_in_memory_sqlite_keeps_one_database() -> None:
    """``sqlite://`` is one in-memory database shared by every checkout, so the schema stays visible."""
    with StateStore.open("sqlite://") as store:
        store.link("customer", "c-1", 1)
        assert store.tripletex_id_for("customer", "c-1") == 1


def test_store_repr_names_tenant_and_masks_the_password() -> None:
    """A store's repr shows its tenant and database but never the password."""
    store = StateStore.from_engine(create_state_engine("postgresql://u:s3cret@db.example/shop"), "shop-b")
    try:
        text = repr(store)
        assert "shop-b" in text
        assert "db.example/shop" in text
        assert "s3cret" not in text
    finally:
        store.close()
