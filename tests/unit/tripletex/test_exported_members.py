"""The public surface of ``shopsync.tripletex`` is exactly its sorted ``__all__``."""

from __future__ import annotations

import types

import shopsync.tripletex as tripletex


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def test_all_is_sorted() -> None:
    """``__all__`` is kept sorted (ruff's isort-style order) so diffs of the public API stay readable."""
    assert tripletex.__all__ == sorted(tripletex.__all__, key=_isort_key)


def test_all_matches_public_names() -> None:
    """Every public name is in ``__all__`` and every ``__all__`` entry exists."""
    public = {
        name
        for name, obj in vars(tripletex).items()
        if not name.startswith("_") and not isinstance(obj, types.ModuleType)
    }
    assert public == set(tripletex.__all__)


def test_public_classes_report_the_package() -> None:
    """Exceptions and the client show ``shopsync.tripletex`` as their module, like httpx."""
    assert tripletex.TripletexClient.__module__ == "shopsync.tripletex"
    assert tripletex.VersionConflict.__module__ == "shopsync.tripletex"
    assert tripletex.verify_callback.__module__ == "shopsync.tripletex"
