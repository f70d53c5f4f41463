"""Facts the commands' signatures and help texts need, spelled out so that building the command line
(``shopsync --help``) does not import the library. ``tests/unit/cli/test_fast_help.py`` checks that
each one still equals its source.
"""

from __future__ import annotations

__all__ = ["DEFAULT_STATE", "ENTITIES", "TRIPLETEX_SIM_RATE_LIMIT", "TRIPLETEX_SIM_RATE_PERIOD"]

#: ``shopsync.config.ENTITIES``: the synced entities in dependency order.
ENTITIES: tuple[str, ...] = ("customer", "product", "order")
#: ``shopsync.config.DEFAULT_STATE``.
DEFAULT_STATE = "shopsync.sqlite"
#: ``shopsync.simulators.tripletex.DEFAULT_RATE_LIMIT`` and ``DEFAULT_RATE_PERIOD``.
TRIPLETEX_SIM_RATE_LIMIT = 1_000_000
TRIPLETEX_SIM_RATE_PERIOD = 60.0
