"""``conflicts resolve``, ``reviews resolve``, ``replay`` and ``plan`` against both simulators (in this
process, on real sockets), and how engine refusals become exit 2 with one line."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner, Result

from shopsync.cli import _state
from shopsync.cli.main import app
from shopsync.connectors.webshop import Customer as ShopCustomer
from shopsync.connectors.webshop import WebshopAPIConfig, WebshopConnector
from shopsync.engine.errors import AlreadySettled, UnknownItem
from shopsync.engine.summary import PassSummary, PlannedAction
from shopsync.simulators.serve import serve_in_thread
from shopsync.simulators.tripletex import SimulatorConfig, create_app
from shopsync.state import ReviewItem
from shopsync.tripletex import Customer, TripletexClient, TripletexSettings
from tests.fixtures.webshop import WebshopFactory

pytestmark = pytest.mark.e2e

NOW = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def world(tmp_path: Path, webshop_sim_factory: WebshopFactory) -> Iterator[tuple[Path, str, str]]:
    """A small Tripletex and shop, and a config that holds conflicts for a person (policy manual)."""
    with serve_in_thread(create_app(SimulatorConfig(seed=2, customers=4, products=0, orders=0))) as tx_url:
        shop = webshop_sim_factory(seed=3, customers=4, products=0, orders=0)
        config = tmp_path / "shopsync.yaml"
        config.write_text(
            f"""
webshop: {{url: "{shop.url}", token: "{shop.token}", api: {{pacing: {{requests_per_second: 1000}}}}}}
tripletex: {{url: "{tx_url}/v2", consumer_token: sim-consumer, employee_token: sim-employee}}
state: state.sqlite
conflict_policy: manual
""",
            encoding="utf-8",
        )
        yield config, tx_url + "/v2", shop.url


async def _edit_both(tx_url: str, shop_url: str, shop_id: str, tx_id: int) -> None:
    settings = TripletexSettings(
        base_url=tx_url, consumer_token=SecretStr("sim-consumer"), employee_token=SecretStr("sim-employee")
    )
    api = WebshopAPIConfig(base_url=shop_url, auth={"token": "sim-webshop"})
    async with TripletexClient(settings) as tx, WebshopConnector(api) as shop:
        await shop.update("customers", shop_id, {"company_name": "Butikknavn AS"})
        current = await tx.customers.get(tx_id, fields="id,version")
        await tx.customers.update(Customer(id=tx_id, version=current.version, name="Regnskapsnavn AS"))


async def _shop_company_name(shop_url: str, shop_id: str) -> str | None:
    api = WebshopAPIConfig(base_url=shop_url, auth={"token": "sim-webshop"})
    async with WebshopConnector(api) as shop:
        record = await shop.get("customers", shop_id)
        return record.company_name if isinstance(record, ShopCustomer) else None


async def _companies(shop_url: str) -> set[str]:
    api = WebshopAPIConfig(base_url=shop_url, auth={"token": "sim-webshop"})
    async with WebshopConnector(api) as shop:
        found: set[str] = set()
        async for page in shop.changes("customers", None):
            found |= {str(c.id) for c in page.items if isinstance(c, ShopCustomer) and c.type == "company"}
        return found


def test_a_conflict_is_listed_resolved_and_written(world: tuple[Path, str, str]) -> None:
    """Both sides rename the same company: the pass holds it (exit 1), `conflicts` lists it,
    `conflicts resolve --winner tripletex` writes Tripletex's name into the shop; resolving it again is
    refused (exit 2); `replay --all` with nothing to replay is fine."""
    config, tx_url, shop_url = world
    first = invoke("sync", "--config", str(config))
    assert first.exit_code in (0, 1), first.output
    links = json.loads(invoke("links", "--config", str(config), "--entity", "customer", "--json").output)
    companies = asyncio.run(_companies(shop_url))
    link = next(row for row in links if row["webshop_id"] in companies)
    asyncio.run(_edit_both(tx_url, shop_url, link["webshop_id"], link["tripletex_id"]))

    held = invoke("sync", "--config", str(config))
    assert held.exit_code == 1, held.output
    listed = invoke("conflicts", "--config", str(config), "--json")
    assert listed.exit_code == 1
    [conflict] = [c for c in json.loads(listed.output) if c["webshop_id"] == link["webshop_id"]]

    resolved = invoke(
        "conflicts", "resolve", str(conflict["id"]), "--winner", "tripletex", "--config", str(config)
    )
    assert resolved.exit_code == 0, resolved.output
    assert "keeps the tripletex value" in resolved.output
    assert asyncio.run(_shop_company_name(shop_url, link["webshop_id"])) == "Regnskapsnavn AS"

    again = invoke(
        "conflicts", "--config", str(config), "resolve", str(conflict["id"]), "--winner", "webshop"
    )
    assert again.exit_code == 2 and "already" in again.output
    replay = invoke("replay", "--all", "--config", str(config), "--json")
    assert replay.exit_code in (0, 1), replay.output
    assert "counts" in json.loads(replay.output)


class FakeEngine:
    """Answers decisions like the engine would, and refuses like it does."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def resolve_review(self, review_id: int, action: str, candidate: str | None = None) -> ReviewItem:
        self.calls.append((review_id, action, candidate))
        if review_id == 404:
            raise UnknownItem("review item", review_id)
        if review_id == 409:
            raise AlreadySettled("review item", review_id, "linked")
        return ReviewItem(review_id, "customer", "webshop", "c-2", [101, 102], action, NOW, NOW)

    async def plan(self) -> PassSummary:
        summary = PassSummary(entities=("customer",), started_at=NOW, finished_at=NOW, dry_run=True)
        summary.of("customer", "tripletex").created = 60
        summary.planned = [
            PlannedAction("customer", "create", "tripletex", str(1000 + i), None) for i in range(60)
        ]
        return summary

    async def replay(self, ids: list[int] | None) -> PassSummary:
        self.calls.append(("replay", ids))
        return PassSummary(entities=("customer",), started_at=NOW, finished_at=NOW)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[FakeEngine, Path]:
    engine = FakeEngine()

    def with_engine(config: object, work: Any) -> Any:
        return asyncio.run(work(engine))

    monkeypatch.setattr(_state, "with_engine", with_engine)
    config = tmp_path / "shopsync.yaml"
    config.write_text('webshop: {url: "http://127.0.0.1:9"}\n', encoding="utf-8")
    return engine, config


def test_review_decisions_reach_the_engine(fake: tuple[FakeEngine, Path]) -> None:
    """--link passes the candidate, --create and --dismiss none; refusals are exit 2 in one line."""
    engine, config = fake
    linked = invoke("reviews", "resolve", "7", "--link", "101", "--config", str(config))
    assert linked.exit_code == 0 and "linked to 101" in linked.output
    assert invoke("reviews", "resolve", "8", "--dismiss", "--config", str(config)).exit_code == 0
    assert engine.calls == [(7, "link", "101"), (8, "dismiss", None)]
    unknown = invoke("reviews", "resolve", "404", "--create", "--config", str(config))
    assert unknown.exit_code == 2 and "there is no review item with id 404" in unknown.output
    settled = invoke("reviews", "resolve", "409", "--create", "--config", str(config))
    assert settled.exit_code == 2 and "already linked" in settled.output


def test_replay_passes_the_ids(fake: tuple[FakeEngine, Path]) -> None:
    """`replay 3 4` replays those two; `replay --all` every open one."""
    engine, config = fake
    assert invoke("replay", "3", "4", "--config", str(config)).exit_code == 0
    assert invoke("replay", "--all", "--config", str(config)).exit_code == 0
    assert engine.calls == [("replay", [3, 4]), ("replay", None)]


def test_plan_prints_counts_and_actions(fake: tuple[FakeEngine, Path]) -> None:
    """The table per entity and side, the first PLAN_LIST_LIMIT actions, how many more, and --json."""
    _, config = fake
    shown = invoke("plan", "--config", str(config))
    assert shown.exit_code == 0, shown.output
    assert "create customer in tripletex (webshop 1000)" in shown.output
    assert "… and 10 more" in shown.output and "(webshop 1059)" not in shown.output
    data = json.loads(invoke("plan", "--config", str(config), "--json").output)
    assert {
        "entity": "customer",
        "side": "tripletex",
        "create": 60,
        "update": 0,
        "link": 0,
        "deactivate": 0,
    } in data["rows"]
    assert len(data["summary"]["planned"]) == 60
