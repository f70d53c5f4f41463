"""``Daemon`` in-process against both simulators: start-up, a stop during busy engine work, a taken port."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from structlog.testing import capture_logs

from shopsync.daemon import Daemon, DaemonError, DaemonInfo
from shopsync.engine.summary import PassSummary
from shopsync.state import PassStatus, StateStore
from tests.fixtures.webshop import WebshopFactory, WebshopHandle
from tests.integration.conftest import SimFactory, SimHandle

from .conftest import STATUS_TOKEN, build_config

pytestmark = pytest.mark.e2e


async def test_a_stop_during_the_first_pass_lets_it_finish(
    tmp_path: Path, tripletex_sim_factory: SimFactory, webshop_sim_factory: WebshopFactory
) -> None:
    """Stop requested while the start-up pass writes: the pass ends by itself (nothing cancelled,
    no journal intent left open), then the daemon returns; nothing else starts after the stop."""
    tripletex = tripletex_sim_factory(seed=5, customers=30, products=10, orders=0, latency_ms=15)
    shop = webshop_sim_factory(seed=6, customers=30, products=10, orders=10, latency_ms=5)
    config = build_config(tmp_path, tripletex, shop, shutdown_grace_seconds=60)
    started = asyncio.Event()
    daemon = Daemon(config, handle_signals=False, on_ready=lambda info: started.set())
    with capture_logs() as logs:
        task = asyncio.create_task(daemon.run())
        await asyncio.wait_for(started.wait(), timeout=30)
        with StateStore.open(config.state, config.tenant) as watcher:
            await eventually(lambda: watcher.count_links() > 0)  # the pass committed its first writes
        daemon.request_stop()
        await asyncio.wait_for(task, timeout=60)
    with StateStore.open(config.state, config.tenant) as store:
        passes = store.recent_passes()
        assert len(passes) == 1, "no pass may start after the stop"
        # Stopped at a safe point (interrupted), unless it had finished before the stop came.
        assert passes[0].status in (PassStatus.SUCCEEDED, PassStatus.PARTIAL, PassStatus.INTERRUPTED)
        assert store.open_intents() == []
    stopped = [e for e in logs if e["event"] == "daemon.stopped"]
    assert stopped == [{"event": "daemon.stopped", "clean": True, "log_level": "info"}]


async def test_webhooks_reach_the_engine_and_the_status_page_works(
    tmp_path: Path, sims: tuple[SimHandle, WebshopHandle]
) -> None:
    """With the daemon up: the status API answers with the token, subscriptions exist on both sides,
    and a shop edit is written to Tripletex after its webhook (the poll is an hour away)."""
    tripletex, shop = sims
    config = build_config(tmp_path, tripletex, shop, poll_seconds=3600, full_reconcile_seconds=3600)
    ready: list[DaemonInfo] = []
    first: asyncio.Queue[PassSummary | None] = asyncio.Queue()
    daemon = Daemon(config, handle_signals=False, on_ready=ready.append, on_first_pass=first.put_nowait)
    task = asyncio.create_task(daemon.run())
    try:
        assert await asyncio.wait_for(first.get(), timeout=60) is not None
        info = ready[0]
        async with httpx2.AsyncClient(timeout=10) as http:
            bearer = {"Authorization": f"Bearer {STATUS_TOKEN}"}
            assert (await http.get(info.listen_url + "/api/status")).status_code == 401
            status = (await http.get(info.listen_url + "/api/status", headers=bearer)).json()
            assert status["entities"]["customer"]["linked"] > 0
            hooks = (await http.get(shop.api_url + "/webhooks", headers=shop.headers)).json()["items"]
            assert [h["url"] for h in hooks] == [info.public_url + "/webhooks/webshop"]

            customer = (await http.get(shop.api_url + "/customers?limit=1", headers=shop.headers)).json()[
                "items"
            ][0]
            name = "Webhook Demo AS"
            patch = {"type": "company", "company_name": name, "organization_number": "914778271"}
            reply = await http.patch(
                f"{shop.api_url}/customers/{customer['id']}", json=patch, headers=shop.headers
            )
            reply.raise_for_status()
            names: set[str] = set()
            for _ in range(1200):
                if name in (names := await _tripletex_names(http, tripletex)):
                    break
                await asyncio.sleep(0.05)
            assert name in names
            metrics = (await http.get(info.listen_url + "/metrics", headers=bearer)).text
            assert 'shopsync_webhooks_total{outcome="accepted",source="webshop"}' in metrics
    finally:
        daemon.request_stop()
        await asyncio.wait_for(task, timeout=60)


async def eventually(check: Callable[[], bool], limit: float = 60.0) -> None:
    """Poll ``check`` until it is true (fail after ``limit`` seconds)."""
    for _ in range(int(limit / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never became true")


async def _tripletex_names(http: httpx2.AsyncClient, tripletex: SimHandle) -> set[str]:
    body = {"consumerToken": "sim-consumer", "employeeToken": "sim-employee", "expirationDate": "2099-01-01"}
    session = (await http.post(tripletex.api_url + "/token/session/:create", json=body)).json()["value"]
    auth = httpx2.BasicAuth("0", session["token"])
    page = await http.get(tripletex.api_url + "/customer?fields=name&count=1000", auth=auth)
    return {c["name"] for c in page.json()["values"]}


async def test_a_taken_port_is_a_clear_error(tmp_path: Path, sims: tuple[SimHandle, WebshopHandle]) -> None:
    """Another process on the port: DaemonError naming host and port, before any sync work."""
    tripletex, shop = sims
    config = build_config(tmp_path, tripletex, shop)
    with socket.socket() as taken:
        taken.bind((config.server.host, config.server.port))
        taken.listen()
        with pytest.raises(DaemonError, match=f"cannot listen on 127.0.0.1:{config.server.port}"):
            await Daemon(config, handle_signals=False).run()
    with StateStore.open(config.state, config.tenant) as store:
        assert store.recent_passes() == []
