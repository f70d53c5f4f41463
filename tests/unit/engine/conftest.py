"""Unit-test fixtures for the engine's pure parts: the default mapping and sample views."""

from __future__ import annotations

import pytest

from shopsync.mapping import Mapping, load_mapping


@pytest.fixture(scope="module")
def mapping() -> Mapping:
    """The default mapping."""
    return load_mapping()
