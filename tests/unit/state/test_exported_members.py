"""The public API of ``shopsync.state`` is exactly what ``__all__`` lists, in isort order."""

from __future__ import annotations

import types

import pytest

import shopsync.state as state
import shopsync.state.errors as errors
import shopsync.state.records as records
import shopsync.state.tables as tables
import shopsync.state.urls as urls


def isort_key(name: str) -> tuple[int, str]:
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("module", [state, errors, records, urls, tables])
def test_all_is_sorted_and_complete(module: types.ModuleType) -> None:
    """Every entry exists, and every public class or function it defines (or re-exports) is listed."""
    exported = list(module.__all__)
    assert exported == sorted(exported, key=isort_key)
    assert all(hasattr(module, name) for name in exported)
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and isinstance(value, type | types.FunctionType)
        and value.__module__.startswith("shopsync" if module is state else module.__name__)
    }
    assert public <= set(exported)


def test_errors_share_one_root_and_default_to_their_docstring() -> None:
    """Every state error is a StateError whose message defaults to the class docstring."""
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.StateError)
        assert str(cls()) == (cls.__doc__ or "").strip()
