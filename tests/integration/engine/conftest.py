"""The engine over real sockets: both simulators served by uvicorn, the state on SQLite or PostgreSQL.

``world(**shop_overrides)`` starts a reference webshop (seeded, small) and an empty Tripletex simulator
and returns a :class:`World`: the store (``state_backend`` is parametrised over sqlite and postgres),
the connector and Tripletex client the engine uses, a second Tripletex client and an HTTP client for
the test's own edits, and the simulators' write counters (``/_sim/stats``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
import stamina

from shopsync.connectors.webshop import WebshopAPIConfig, WebshopConnector
from shopsync.engine import EngineOptions, PassSummary, SyncEngine
from shopsync.mapping import Mapping, load_mapping
from shopsync.state import StateStore
from shopsync.tripletex import TripletexClient, TripletexSettings
from tests.fixtures.webshop import WebshopFactory, WebshopHandle
from tests.integration.conftest import SimFactory, SimHandle

pytestmark = pytest.mark.e2e

#: Fast connector retries for tests (Retry-After is still honoured).
FAST_SHOP: dict[str, Any] = {
    "retry": {"attempts": 6, "wait_initial": 0.005, "wait_max": 0.02, "wait_jitter": 0.0},
    "pacing": {"requests_per_second": 5000},
}
ENTITIES_CUSTOMERS = ("customer",)


def tripletex_settings(sim: SimHandle, **overrides: Any) -> TripletexSettings:
    """Client settings for ``sim`` with its default tokens and no retry waits."""
    values: dict[str, Any] = {
        "base_url": sim.api_url,
        "consumer_token": "sim-consumer",
        "employee_token": "sim-employee",
        "retry_wait_initial": 0.0,
        "retry_wait_max": 0.0,
        "rate_limit_backoff_initial": 0.01,
    }
    return TripletexSettings(**(values | overrides))


def _admin(url: str, method: str, path: str, body: Any = None) -> Any:
    with httpx2.Client(base_url=url, timeout=10) as http:
        response = http.request(method, path, json=body)
        response.raise_for_status()
        return response.json()


@dataclass
class World:
    """Two running simulators, the state store and everything a test needs to drive and inspect them."""

    shop: WebshopHandle
    tx: SimHandle
    store: StateStore
    connector: WebshopConnector
    client: TripletexClient
    admin: TripletexClient
    http: httpx2.AsyncClient
    mapping: Mapping
    options: dict[str, Any] = field(default_factory=dict)

    def engine(self, **options: Any) -> SyncEngine:
        """An engine on this world (``options`` override ``World.options`` and the defaults)."""
        return SyncEngine(
            store=self.store,
            tripletex=self.client,
            webshop=self.connector,
            mapping=self.mapping,
            options=EngineOptions(**(self.options | options)),
        )

    async def sync(self, **options: Any) -> PassSummary:
        """Run one pass."""
        allow = options.pop("allow_mass_delete", False)
        return await self.engine(**options).run_pass(allow_mass_delete=allow)

    # -------------------------------------------------------------- simulator admin

    def tx_admin(self, method: str, path: str, body: Any = None) -> Any:
        """The Tripletex simulator's ``/_sim`` API."""
        return _admin(self.tx.url, method, path, body)

    def shop_admin(self, method: str, path: str, body: Any = None) -> Any:
        """The webshop simulator's ``/_sim`` API."""
        return _admin(self.shop.url, method, path, body)

    def tx_writes(self) -> int:
        """Company-data writes Tripletex has answered so far."""
        return int(self.tx_admin("GET", "/_sim/stats")["writes"])

    def shop_writes(self) -> int:
        """Writes the webshop has answered so far."""
        return int(self.shop_admin("GET", "/_sim/stats")["writes"])

    def tx_requests(self) -> dict[str, int]:
        """Tripletex requests per method and path template so far."""
        return dict(self.tx_admin("GET", "/_sim/stats")["requests"])

    # -------------------------------------------------------------- the shop's API

    async def shop_call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        """Call the webshop API as a shop admin would; returns the JSON (None for 204)."""
        response = await self.http.request(method, path, json=body, headers=headers or None)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def shop_list(self, resource: str) -> list[dict[str, Any]]:
        """Every live record of a webshop resource."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query = f"?limit=500&cursor={cursor}" if cursor else "?limit=500"
            page = await self.shop_call("GET", f"/{resource}{query}")
            items += [i for i in page["items"] if not i.get("deleted")]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


Worlds = Callable[..., Awaitable[World]]


@pytest.fixture(autouse=True)
def _stamina_testing() -> Iterator[None]:
    """No backoff sleeps in stamina; the policies' own budgets bound the attempts."""
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield


@pytest.fixture(params=["sqlite", "postgres"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the state lives: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "state.sqlite")
    url = request.getfixturevalue("postgres_url")
    return str(url.render_as_string(hide_password=False))


@pytest.fixture
async def world(
    webshop_sim_factory: WebshopFactory, tripletex_sim_factory: SimFactory, state_url: str
) -> AsyncIterator[Worlds]:
    """Start a world: ``await world(shop={...}, tripletex={...}, options={...})``."""
    async with AsyncExitStack() as stack:
        mapping = load_mapping()

        async def start(
            shop: dict[str, Any] | None = None,
            tripletex: dict[str, Any] | None = None,
            options: dict[str, Any] | None = None,
            client: dict[str, Any] | None = None,
        ) -> World:
            handle = webshop_sim_factory(**(shop or {}))
            sim = tripletex_sim_factory(**(tripletex or {}))
            store = StateStore.open(state_url)
            stack.callback(store.close)
            config = WebshopAPIConfig.model_validate(
                {"base_url": handle.url, "auth": {"token": handle.token}, **FAST_SHOP}
            )
            connector = await stack.enter_async_context(WebshopConnector(config))
            engine_client = await stack.enter_async_context(
                TripletexClient(tripletex_settings(sim, **(client or {})))
            )
            admin = await stack.enter_async_context(TripletexClient(tripletex_settings(sim)))
            http = await stack.enter_async_context(
                httpx2.AsyncClient(base_url=handle.api_url, headers=handle.headers, timeout=10)
            )
            return World(
                shop=handle,
                tx=sim,
                store=store,
                connector=connector,
                client=engine_client,
                admin=admin,
                http=http,
                mapping=mapping,
                options=dict(options or {}),
            )

        yield start
