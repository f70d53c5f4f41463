"""``shopsync run`` as an operator runs it: its own process, both simulators in theirs, SQLite state,
webhooks on both sides; every check made through the systems' APIs, the daemon's status API and
metrics. The poll and the full reconcile are an hour apart here, so whatever arrives quickly arrived
by webhook. Waits are generous polls ("until"), never timing assertions.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from shopsync.connectors.webshop import Customer as ShopCustomer
from shopsync.connectors.webshop import WebshopConnector, sign_webhook
from shopsync.state import PassKind, StateStore
from shopsync.tripletex import Customer, TripletexClient

from .daemon_harness import DAEMON_SECRETS, DaemonProcess, daemon_config, start_daemon, until
from .edits import EditPlan, edit_round, unique_product_names
from .harness import SimProcess, explain, shopsync, start_sims
from .sides import check_sides, clients, read_sides

pytestmark = pytest.mark.e2e

#: Both systems hold data before the daemon's first pass (small: several tests share them).
TRIPLETEX_SEED = {"seed": 11, "customers": 25, "products": 12, "orders": 5}
WEBSHOP_SEED = {"seed": 5, "customers": 30, "products": 20, "orders": 25}
#: A few hundred records, paced by a little latency: the first pass is busy for a while.
BUSY_TRIPLETEX_SEED = {"seed": 21, "customers": 90, "products": 30, "orders": 5, "latency_ms": 10}
BUSY_WEBSHOP_SEED = {"seed": 8, "customers": 110, "products": 40, "orders": 50, "latency_ms": 10}
#: Only webhooks (and the subscription check, every second) act within a test's time.
WEBHOOKS_ONLY: dict[str, float] = {
    "poll_seconds": 3600,
    "full_reconcile_seconds": 3600,
    "subscription_check_seconds": 1,
}


@dataclass
class Live:
    """Both simulators and a running daemon syncing them."""

    tripletex: SimProcess
    webshop: SimProcess
    daemon: DaemonProcess
    config: Path


async def in_sync(tripletex: SimProcess, webshop: SimProcess, plan: EditPlan | None = None) -> bool:
    """Whether both systems agree (every record paired once, every edit on both sides)."""
    async with clients(tripletex.api_url, webshop.api_url) as (tx, shop):
        return check_sides(await read_sides(tx, shop), plan.edits if plan else []).ok


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Seeded simulators and ``shopsync run``, after its first pass brought both sides together."""
    workdir = tmp_path_factory.mktemp("daemon")
    with start_sims(workdir, tripletex=TRIPLETEX_SEED, webshop=WEBSHOP_SEED) as (tripletex, webshop):
        _unique_names(tripletex, webshop)
        config, port = daemon_config(workdir, tripletex, webshop, WEBHOOKS_ONLY)
        with start_daemon(config, port, workdir / "run.log") as daemon:
            synced = "the first pass synced both sides"
            asyncio.run(until(lambda: in_sync(tripletex, webshop), synced, log=daemon.log))
            settled = "the start-up reconcile ended and no work is queued"
            asyncio.run(until(lambda: _settled(daemon, config), settled, log=daemon.log))
            yield Live(tripletex, webshop, daemon, config)


async def _settled(daemon: DaemonProcess, config: Path) -> bool:
    """The start-up passes are over (a full reconcile finished) and no webhook work is queued."""
    with StateStore.open(config.parent / "shopsync.sqlite") as store:
        reconciled = store.last_pass(PassKind.RECONCILE, finished=True) is not None
    return reconciled and daemon.status()["totals"]["pending"] == 0


def _unique_names(tripletex: SimProcess, webshop: SimProcess) -> None:
    async def run() -> None:
        async with clients(tripletex.api_url, webshop.api_url) as (_, shop):
            await unique_product_names(shop)

    asyncio.run(run())


async def _tripletex_customer(tx: TripletexClient, org: str) -> Customer:
    found = [c async for c in tx.customers.iterate(fields="*", organization_number=org)]
    assert len(found) == 1, f"{len(found)} Tripletex customers with organisation number {org}"
    return found[0]


async def _shop_company(shop: WebshopConnector, index: int) -> tuple[str, str]:
    """(id, organisation number) of the ``index``-th company customer of the shop."""
    companies: list[ShopCustomer] = []
    async for page in shop.changes("customers", None):
        found = [c for c in page.items if isinstance(c, ShopCustomer)]
        companies += [c for c in found if c.type == "company" and c.organization_number]
    chosen = sorted(companies, key=lambda c: str(c.id))[index]
    return str(chosen.id), str(chosen.organization_number)


async def test_a_shop_edit_arrives_in_tripletex_by_webhook(live: Live) -> None:
    """A customer renamed in the shop is renamed in Tripletex, and the shop's webhook was delivered."""
    async with clients(live.tripletex.api_url, live.webshop.api_url) as (tx, shop):
        shop_id, org = await _shop_company(shop, 0)
        await shop.update("customers", shop_id, {"company_name": "Fjordkraft Webhook AS"})

        async def arrived() -> bool:
            return (await _tripletex_customer(tx, org)).name == "Fjordkraft Webhook AS"

        await until(arrived, "the shop's edit is in Tripletex", log=live.daemon.log)
    deliveries = httpx2.get(live.webshop.url + "/_sim/webhooks", timeout=10).json()
    mine = [
        d for d in _deliveries(deliveries) if d["record_id"] == shop_id and d["event"] == "customer.updated"
    ]
    assert mine and mine[-1]["state"] == "delivered"


def _deliveries(data: object) -> list[dict[str, object]]:
    items = data.get("deliveries", data) if isinstance(data, dict) else data
    assert isinstance(items, list)
    return items


async def test_a_tripletex_edit_arrives_in_the_shop_by_webhook(live: Live) -> None:
    """A customer renamed through Tripletex's API is renamed in the shop."""
    async with clients(live.tripletex.api_url, live.webshop.api_url) as (tx, shop):
        shop_id, org = await _shop_company(shop, 1)
        customer = await _tripletex_customer(tx, org)
        await tx.customers.update(
            Customer(id=customer.id, version=customer.version, name="Tindefjell Regnskap AS")
        )

        async def arrived() -> bool:
            record = await shop.get("customers", shop_id)
            return getattr(record, "company_name", None) == "Tindefjell Regnskap AS"

        await until(arrived, "the Tripletex edit is in the shop", log=live.daemon.log)


async def test_the_same_webhook_twice_is_processed_once(live: Live) -> None:
    """A shop delivery sent again with its Webhook-Id is answered as a duplicate and syncs nothing; a
    later edit (the barrier) is then the only write Tripletex sees."""
    async with clients(live.tripletex.api_url, live.webshop.api_url) as (tx, shop):
        shop_id, org = await _shop_company(shop, 2)
        await shop.update("customers", shop_id, {"company_name": "Dobbel Levering AS"})

        async def first_arrived() -> bool:
            return (await _tripletex_customer(tx, org)).name == "Dobbel Levering AS"

        await until(first_arrived, "the first delivery was synced", log=live.daemon.log)
        log = _deliveries(httpx2.get(live.webshop.url + "/_sim/webhooks", timeout=10).json())
        delivery = [d for d in log if d["record_id"] == shop_id and d["event"] == "customer.updated"][-1]
        record = (await shop.get("customers", shop_id)).model_dump(mode="json")
        body = json.dumps(
            {
                "event": "customer.updated",
                "resource": "customers",
                "id": shop_id,
                "occurred_at": record["updated_at"],
                "data": record,
            }
        ).encode()
        writes_before = live.tripletex.writes()
        stamp = int(time.time())
        secret = DAEMON_SECRETS["SHOPSYNC_WEBSHOP_WEBHOOK_SECRET"]
        again = httpx2.post(
            live.daemon.url + "/webhooks/webshop",
            content=body,
            headers={
                "Content-Type": "application/json",
                "Webhook-Id": str(delivery["delivery_id"]),
                "Webhook-Timestamp": str(stamp),
                "Webhook-Signature": sign_webhook(secret, body, stamp),
            },
            timeout=10,
        )
        assert again.status_code == 200 and again.json()["status"] == "duplicate", again.text

        barrier_id, barrier_org = await _shop_company(shop, 3)
        await shop.update("customers", barrier_id, {"company_name": "Etter Barrieren AS"})

        async def barrier_arrived() -> bool:
            return (await _tripletex_customer(tx, barrier_org)).name == "Etter Barrieren AS"

        await until(barrier_arrived, "the barrier edit was synced", log=live.daemon.log)
    assert live.tripletex.writes() - writes_before == 1, "the duplicate delivery caused a write"
    metrics = live.daemon.metrics()
    assert re.search(r'shopsync_webhooks_total\{outcome="duplicate",source="webshop"\} 1\.0', metrics), (
        metrics
    )


async def test_a_disabled_tripletex_subscription_is_recreated(live: Live) -> None:
    """Tripletex disables the customer.update subscription; the daemon replaces it, and Tripletex edits
    reach the shop again by webhook."""
    target = live.daemon.url + "/webhooks/tripletex"
    async with clients(live.tripletex.api_url, live.webshop.api_url) as (tx, shop):
        subs = [s for s in await tx.webhooks.list() if s.targetUrl == target and s.event == "customer.update"]
        assert [s.status for s in subs] == ["ACTIVE"]
        old = subs[0]
        await tx.requester.request(
            "PUT", f"/event/subscription/{old.id}", json={"id": old.id, "status": "DISABLED_TOO_MANY_ERRORS"}
        )

        async def replaced() -> bool:
            now = [
                s for s in await tx.webhooks.list() if s.targetUrl == target and s.event == "customer.update"
            ]
            return [s.status for s in now] == ["ACTIVE"] and now[0].id != old.id

        await until(replaced, "the disabled subscription was replaced", log=live.daemon.log)

        shop_id, org = await _shop_company(shop, 4)
        customer = await _tripletex_customer(tx, org)
        await tx.customers.update(Customer(id=customer.id, version=customer.version, name="Gjenopplivet AS"))

        async def arrived() -> bool:
            return getattr(await shop.get("customers", shop_id), "company_name", None) == "Gjenopplivet AS"

        await until(
            arrived, "a Tripletex edit reached the shop through the new subscription", log=live.daemon.log
        )


def test_check_reports_a_wrong_token_in_one_line(live: Live) -> None:
    """`shopsync check` with a wrong employee token: exit 2, one failing line naming the problem, and
    the wrong token itself never printed."""
    wrong = "not-the-employee-token-123"
    result = shopsync("check", "--config", str(live.config), env={"SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN": wrong})
    assert result.returncode == 2, explain(result)
    failed = [line for line in result.stdout.splitlines() if line.startswith("fail")]
    assert len(failed) == 1, explain(result)
    assert "tripletex" in failed[0] and "token" in failed[0]
    assert wrong not in result.stdout + result.stderr
    ok = shopsync("check", "--config", str(live.config), env=DAEMON_SECRETS)
    assert ok.returncode == 0, explain(ok)


def test_the_log_is_json_lines_without_a_secret(live: Live) -> None:
    """stderr is not a terminal here: every line the daemon wrote so far is a JSON object, and none
    holds a token or webhook secret."""
    lines = live.daemon.log.read_text(encoding="utf-8").splitlines()
    assert lines
    events = [json.loads(line) for line in lines]
    assert all(isinstance(e, dict) and "event" in e and "level" in e for e in events)
    assert {"daemon.listening", "daemon.tripletex_subscribed", "daemon.webshop_subscribed"} <= {
        e["event"] for e in events
    }
    text = "\n".join(lines)
    for secret in (*DAEMON_SECRETS.values(), "sim-consumer", "sim-employee", "sim-webshop"):
        assert secret not in text


# ---------------------------------------------------------------------------- a busy first pass


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SimProcess, SimProcess, Path]]:
    """Simulators with a few hundred records that were never synced."""
    workdir = tmp_path_factory.mktemp("busy")
    with start_sims(workdir, tripletex=BUSY_TRIPLETEX_SEED, webshop=BUSY_WEBSHOP_SEED) as (
        tripletex,
        webshop,
    ):
        _unique_names(tripletex, webshop)
        yield tripletex, webshop, workdir


def test_plan_writes_nothing(busy: tuple[SimProcess, SimProcess, Path]) -> None:
    """`shopsync plan` lists creates and links for the first pass, and neither system nor the state
    changes."""
    tripletex, webshop, workdir = busy
    config, _ = daemon_config(workdir / "plan", tripletex, webshop)
    before = (tripletex.writes(), webshop.writes())
    result = shopsync("plan", "--config", str(config), "--json")
    assert result.returncode == 0, explain(result)
    rows = json.loads(result.stdout)["rows"]
    assert sum(row["create"] + row["link"] for row in rows) > 0
    assert (tripletex.writes(), webshop.writes()) == before
    status = shopsync("status", "--config", str(config), "--json")
    state = json.loads(status.stdout)
    assert all(counts["links"] == 0 for counts in state["entities"].values())
    assert state["last_pass"] is None


async def test_sigterm_during_a_busy_pass_loses_nothing(busy: tuple[SimProcess, SimProcess, Path]) -> None:
    """SIGTERM while the first pass writes, with edits made on both sides meanwhile: exit 0 after the
    running work ended cleanly. Then kill -9 right after more edits (their webhooks queued or not
    yet). After a restart every record is linked exactly once and every edit is on both sides."""
    tripletex, webshop, workdir = busy
    config, port = daemon_config(workdir / "run", tripletex, webshop, WEBHOOKS_ONLY)
    plan = EditPlan(random.Random(7))
    with start_daemon(config, port, workdir / "run-1.log") as first:
        started = tripletex.writes() + webshop.writes()
        await until(_moved((tripletex, webshop), started), "the first pass is writing", log=first.log)
        async with clients(tripletex.api_url, webshop.api_url) as (tx, shop):
            await edit_round(tx, shop, plan, per_kind=3)
        code = first.stop(signal.SIGTERM)
        assert code == 0, first.output()
        assert '"clean": true' in first.output(), first.output()

    with start_daemon(config, port, workdir / "run-2.log") as second:
        async with clients(tripletex.api_url, webshop.api_url) as (tx, shop):
            await edit_round(tx, shop, plan, per_kind=2)
        second.stop(signal.SIGKILL)

    with start_daemon(config, port, workdir / "run-3.log") as third:
        await until(
            lambda: in_sync(tripletex, webshop, plan), "both sides agree after the restarts", 120, third.log
        )
        assert third.stop(signal.SIGINT) == 0, third.output()

    status = shopsync("status", "--config", str(config), "--json")
    state = json.loads(status.stdout)
    assert state["open_intents"] == 0
    async with clients(tripletex.api_url, webshop.api_url) as (tx, shop):
        sides = await read_sides(tx, shop)
    links = {entity: counts["links"] for entity, counts in state["entities"].items()}
    assert links["customer"] == len(sides.shop_customers) == len(sides.tx_customers)
    assert links["product"] == len(sides.shop_products) == len(sides.tx_products)
    assert links["order"] == len(sides.shop_orders)


def _moved(sims: tuple[SimProcess, ...], before: int) -> Callable[[], Awaitable[bool]]:
    """True once the simulators counted a write more than ``before``."""

    async def check() -> bool:
        return sum(sim.writes() for sim in sims) > before

    return check
