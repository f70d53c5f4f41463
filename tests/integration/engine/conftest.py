"""The engine over real sockets: both simulators served by uvicorn, the state on SQLite or PostgreSQL.

``world(shop=…, tripletex=…, options=…)`` returns a :class:`World`: a reference webshop (seeded, small)
and a Tripletex simulator (empty unless seeded), the store (``state_url`` is parametrised over sqlite
and postgres), the connector and Tripletex client the engine uses, a second Tripletex client and an
HTTP client for the test's own edits, and the simulators' counters (``/_sim/stats``).

Starting and stopping two uvicorn servers costs about half a second, so servers are pooled for the
session by configuration and handed out reset (``POST /_sim/reset``: data re-seeded, counters, faults,
idempotency keys and webhook deliveries cleared) — a test always sees simulators as if just started.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
import stamina

from shopsync.connectors.webshop import WebshopAPIConfig, WebshopConnector
from shopsync.engine import EngineOptions, PassSummary, SyncEngine
from shopsync.mapping import Mapping, load_mapping
from shopsync.simulators.serve import serve_in_thread
from shopsync.simulators.tripletex import SimulatorConfig
from shopsync.simulators.tripletex import create_app as create_tripletex_app
from shopsync.simulators.webshop import WebshopConfig
from shopsync.simulators.webshop import create_app as create_shop_app
from shopsync.state import StateStore
from shopsync.tripletex import TripletexClient, TripletexSettings
from tests.fixtures.webshop import TEST_DEFAULTS, WebshopHandle
from tests.integration.conftest import SimHandle

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


class SimPool:
    """Running simulators by configuration; ``take`` hands one out reset, ``give_back`` returns it."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._idle: dict[tuple[str, str], list[Any]] = {}

    @staticmethod
    def _key(kind: str, overrides: dict[str, Any]) -> tuple[str, str]:
        return kind, repr(sorted(overrides.items()))

    def shop(self, overrides: dict[str, Any]) -> WebshopHandle:
        """A reference webshop with ``TEST_DEFAULTS | overrides``, freshly reset."""
        key = self._key("shop", overrides)
        if self._idle.get(key):
            handle: WebshopHandle = self._idle[key].pop()
            _admin(handle.url, "POST", "/_sim/reset")
            return handle
        config = WebshopConfig(**(TEST_DEFAULTS | overrides))
        app = create_shop_app(config)
        url = self._stack.enter_context(serve_in_thread(app))
        token = config.token.get_secret_value()
        return WebshopHandle(url=url, api_url=f"{url}/api/v1", config=config, app=app, token=token)

    def tripletex(self, overrides: dict[str, Any]) -> SimHandle:
        """A Tripletex simulator with ``SimulatorConfig(**overrides)``, freshly reset."""
        key = self._key("tripletex", overrides)
        if self._idle.get(key):
            sim: SimHandle = self._idle[key].pop()
            _admin(sim.url, "POST", "/_sim/reset")
            return sim
        config = SimulatorConfig(**overrides)
        app = create_tripletex_app(config)
        url = self._stack.enter_context(serve_in_thread(app))
        return SimHandle(url=url, api_url=url + "/v2", config=config, app=app)

    def give_back(self, kind: str, overrides: dict[str, Any], handle: Any) -> None:
        """Return a simulator for the next test with the same configuration."""
        self._idle.setdefault(self._key(kind, overrides), []).append(handle)


@pytest.fixture(scope="session")
def sim_pool() -> Iterator[SimPool]:
    """Simulators shared by the engine tests (stopped at the end of the session)."""
    with ExitStack() as stack:
        yield SimPool(stack)


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
async def world(sim_pool: SimPool, state_url: str) -> AsyncIterator[Worlds]:
    """Start a world: ``await world(shop={...}, tripletex={...}, options={...})``."""
    async with AsyncExitStack() as stack:
        mapping = load_mapping()

        async def start(
            shop: dict[str, Any] | None = None,
            tripletex: dict[str, Any] | None = None,
            options: dict[str, Any] | None = None,
            client: dict[str, Any] | None = None,
        ) -> World:
            shop_overrides, tx_overrides = dict(shop or {}), dict(tripletex or {})
            handle = sim_pool.shop(shop_overrides)
            stack.callback(sim_pool.give_back, "shop", shop_overrides, handle)
            sim = sim_pool.tripletex(tx_overrides)
            stack.callback(sim_pool.give_back, "tripletex", tx_overrides, sim)
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
