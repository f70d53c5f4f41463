"""``build_engine(config)``: open the state store, the Tripletex client and the webshop connector a
config describes, and close them again — so the CLI and the daemon never repeat the wiring.

Usage::

    async with build_engine(load_config("shopsync.yaml")) as engine:
        summary = await engine.run_pass()
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from shopsync.config import ShopsyncConfig
from shopsync.connectors.webshop import WebshopConnector
from shopsync.mapping import Mapping as FieldMapping
from shopsync.mapping import load_mapping
from shopsync.state import StateStore
from shopsync.tripletex import TripletexClient

from .context import EngineOptions
from .engine import SyncEngine

__all__ = ["build_engine"]


@asynccontextmanager
async def build_engine(
    config: ShopsyncConfig,
    *,
    mapping: FieldMapping | None = None,
    options: EngineOptions | None = None,
) -> AsyncIterator[SyncEngine]:
    """A ``SyncEngine`` on the systems ``config`` names; everything opened here is closed on exit.

    Raises ``shopsync.config.ConfigError`` (missing token, bad webshop API file) before opening anything
    over the network; the state database is created or migrated to the newest schema.
    """
    tripletex_settings = config.tripletex_settings()
    webshop_config = config.webshop_api()
    mapping = mapping or load_mapping(config.mapping)
    async with AsyncExitStack() as stack:
        store = StateStore.open(config.state, config.tenant)
        stack.callback(store.close)
        tripletex = await stack.enter_async_context(TripletexClient(tripletex_settings))
        webshop = await stack.enter_async_context(WebshopConnector(webshop_config))
        yield SyncEngine(
            config, store=store, tripletex=tripletex, webshop=webshop, mapping=mapping, options=options
        )
