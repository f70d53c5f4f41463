"""Fixtures for mapping tests: the default mapping (loaded once) and resolvers for both VAT settings."""

from __future__ import annotations

import pytest

from shopsync.mapping import Mapping, TableResolver, load_mapping
from tests.unit.mapping.records import make_resolver


@pytest.fixture(scope="session")
def mapping() -> Mapping:
    """The default mapping."""
    return load_mapping()


@pytest.fixture
def resolver() -> TableResolver:
    """A resolver for a shop whose prices include VAT."""
    return make_resolver(prices_include_vat=True)


@pytest.fixture
def excl_resolver() -> TableResolver:
    """A resolver for a shop whose prices exclude VAT."""
    return make_resolver(prices_include_vat=False)
