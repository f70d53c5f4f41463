"""``open_engine``: the engine of ``shopsync.engine.factory.build_engine``, with metered HTTP clients.

The same parts as ``build_engine`` (state store, Tripletex client, webshop connector, mapping), except
that both clients send through a ``MeteredTransport`` so every API call lands in the metrics. The
transports are the clients' usual ones (the Tripletex client's pool limits are kept).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx2

from shopsync.config import ShopsyncConfig
from shopsync.connectors.webshop import WebshopConnector
from shopsync.engine import SyncEngine
from shopsync.mapping import load_mapping
from shopsync.state import StateStore
from shopsync.tripletex import TripletexClient, TripletexSettings

from .instrument import MeteredTransport
from .ports import MetricsPort

__all__ = ["open_engine", "tripletex_transport"]


def tripletex_transport(settings: TripletexSettings) -> httpx2.AsyncHTTPTransport:
    """The transport ``TripletexClient`` builds for itself when given none."""
    return httpx2.AsyncHTTPTransport(
        limits=httpx2.Limits(
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_connections,
            keepalive_expiry=settings.keepalive_expiry,
        ),
        retries=0,  # the client's retry policy decides what is repeated
    )


@asynccontextmanager
async def open_engine(config: ShopsyncConfig, metrics: MetricsPort) -> AsyncIterator[SyncEngine]:
    """A ``SyncEngine`` for ``config`` whose API calls are counted in ``metrics``; closed on exit.

    Raises ``ConfigError`` (a missing token, a bad webshop API file) before anything is opened.
    """
    tripletex_settings = config.tripletex_settings()
    webshop_config = config.webshop_api()
    mapping = load_mapping(config.mapping)
    async with AsyncExitStack() as stack:
        store = StateStore.open(config.state, config.tenant)
        stack.callback(store.close)
        tripletex = await stack.enter_async_context(
            TripletexClient(
                tripletex_settings,
                transport=MeteredTransport(tripletex_transport(tripletex_settings), "tripletex", metrics),
            )
        )
        webshop = await stack.enter_async_context(
            WebshopConnector(
                webshop_config,
                transport=MeteredTransport(httpx2.AsyncHTTPTransport(), "webshop", metrics),
            )
        )
        yield SyncEngine(config, store=store, tripletex=tripletex, webshop=webshop, mapping=mapping)
