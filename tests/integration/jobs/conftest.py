"""Job-layer fixtures: a fresh PostgreSQL database per test (state schema at head; procrastinate's
schema is added by the first worker or daemon), a secret key, the registry on that database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import URL

from shopsync.tenants import SecretBox, TenantRegistry, generate_key

__all__ = ["box", "database", "registry"]


@pytest.fixture
def database(postgres_url: URL) -> str:
    """The test's own PostgreSQL database, as a URL string with its password."""
    return postgres_url.render_as_string(hide_password=False)


@pytest.fixture
def secret_key() -> str:
    """A fresh SHOPSYNC_SECRET_KEY."""
    return generate_key()


@pytest.fixture
def box(secret_key: str) -> SecretBox:
    """The box of ``secret_key``."""
    return SecretBox([secret_key])


@pytest.fixture
def registry(database: str) -> Iterator[TenantRegistry]:
    """The tenant registry of the test's database."""
    with TenantRegistry.open(database) as opened:
        yield opened
