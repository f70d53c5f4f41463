"""The public API is exactly what ``__all__`` lists, kept in isort order (CONSTANTS, Classes, functions)."""

from __future__ import annotations

import types

import pytest

import shopsync.connectors.base as base
import shopsync.connectors.webshop as webshop
import shopsync.connectors.webshop.models as models


def isort_key(name: str) -> tuple[int, str]:
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("module", [webshop, base, models])
def test_all_is_sorted_and_complete(module: types.ModuleType) -> None:
    """Every entry exists, and every public class or function of shopsync found in the module is listed."""
    exported = list(module.__all__)
    assert exported == sorted(exported, key=isort_key)
    assert all(hasattr(module, name) for name in exported)
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and isinstance(value, type | types.FunctionType)
        and value.__module__.startswith("shopsync")
    }
    assert public <= set(exported)
