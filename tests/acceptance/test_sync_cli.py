"""``shopsync init`` + ``sync`` + ``status`` as a user runs them: separate processes, both simulators on
real sockets, every check made through the systems' own APIs (and ``status --json`` for the store)."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from shopsync.tripletex import Customer

from .edits import EditPlan, edit_round, unique_product_names
from .harness import SimProcess, explain, init_config, shopsync, start_sims
from .sides import Sides, check_sides, clients, read_sides

pytestmark = pytest.mark.e2e

#: A Tripletex account and a shop that both hold data before the first sync (small: this runs often).
TRIPLETEX_SEED = {"seed": 11, "customers": 25, "products": 12, "orders": 5}
WEBSHOP_SEED = {"seed": 5, "customers": 30, "products": 20, "orders": 25}


@dataclass
class World:
    """Both simulators and a config written by ``shopsync init`` for them."""

    tripletex: SimProcess
    webshop: SimProcess
    config: Path

    def writes(self) -> tuple[int, int]:
        """Successful writes so far: (Tripletex, webshop)."""
        return self.tripletex.writes(), self.webshop.writes()

    def sync(self, *extra: str) -> tuple[int, str]:
        """Run ``shopsync sync``; exit code and output."""
        result = shopsync("sync", "--config", str(self.config), *extra)
        return result.returncode, explain(result)

    def status(self) -> dict[str, object]:
        """``shopsync status --json``."""
        result = shopsync("status", "--config", str(self.config), "--json")
        assert result.returncode in (0, 1), explain(result)
        data: dict[str, object] = json.loads(result.stdout)
        return data

    async def sides(self) -> Sides:
        """Everything both systems hold."""
        async with clients(self.tripletex.api_url, self.webshop.api_url) as (tx, shop):
            return await read_sides(tx, shop)


def make_names_unique(tripletex: SimProcess, webshop: SimProcess) -> None:
    """Give the seeded shop's products unique names, as Tripletex requires."""

    async def rename() -> None:
        async with clients(tripletex.api_url, webshop.api_url) as (_, shop):
            await unique_product_names(shop)

    asyncio.run(rename())


@pytest.fixture
def world(tmp_path: Path, state_location: str) -> Iterator[World]:
    """Seeded simulators (own processes) and ``shopsync init`` for them, on SQLite or PostgreSQL."""
    with ExitStack() as stack:
        tripletex, webshop = stack.enter_context(
            start_sims(tmp_path, tripletex=TRIPLETEX_SEED, webshop=WEBSHOP_SEED)
        )
        make_names_unique(tripletex, webshop)
        yield World(tripletex, webshop, init_config(tmp_path, tripletex, webshop, state_location))


async def test_init_and_sync_bring_seeded_systems_into_sync_then_idle(world: World) -> None:
    """The first sync exits 0 with every record paired once; the second writes nothing on either side."""
    code, output = world.sync()
    assert code == 0, output
    sides = await world.sides()
    check = check_sides(sides)
    assert check.ok, check.describe()
    assert len(sides.shop_customers) == len(sides.tx_customers) >= 55
    assert len(sides.shop_products) == len(sides.tx_products) >= 32
    assert len(sides.shop_orders) == 25

    before = world.writes()
    code, output = world.sync()
    assert code == 0, output
    assert world.writes() == before, "an idle pass wrote to Tripletex or the webshop"


async def test_status_json_reports_what_the_store_holds(world: World) -> None:
    """After a sync, status --json counts one link per record pair, nothing open, and the last pass."""
    assert world.status()["last_pass"] is None
    code, output = world.sync()
    assert code == 0, output
    sides = await world.sides()
    status = world.status()
    entities = status["entities"]
    assert isinstance(entities, dict)
    assert entities["customer"]["links"] == len(sides.shop_customers)
    assert entities["product"]["links"] == len(sides.shop_products)
    assert entities["order"]["links"] == len(sides.shop_orders)
    for counts in entities.values():
        assert counts["dead_letters"] == counts["conflicts"] == counts["reviews"] == counts["pending"] == 0
    assert status["open_intents"] == 0
    last = status["last_pass"]
    assert isinstance(last, dict) and last["finished_at"] is not None
    cursors = status["cursors"]
    assert isinstance(cursors, list) and {c["entity"] for c in cursors if c["side"] == "webshop"} >= {
        "customer",
        "product",
        "order",
    }


async def test_edits_on_each_side_arrive_after_the_next_sync(world: World) -> None:
    """Names edited and records created on both sides, and a changed order line, all reach the other side."""
    code, output = world.sync()
    assert code == 0, output
    plan = EditPlan(random.Random(3))
    async with clients(world.tripletex.api_url, world.webshop.api_url) as (tx, shop):
        await edit_round(tx, shop, plan, per_kind=3)
        await edit_round(tx, shop, plan, per_kind=2)
    code, output = world.sync()
    assert code == 0, output
    check = check_sides(await world.sides(), plan.edits)
    assert check.ok, check.describe()
    assert len(plan.edits) >= 16

    before = world.writes()
    code, output = world.sync()
    assert code == 0, output
    assert world.writes() == before, "the pass after the edits wrote again (ping-pong)"


@pytest.mark.parametrize("state_location", ["sqlite"], indirect=True)
async def test_a_bad_record_is_dead_lettered_and_the_rest_syncs(world: World) -> None:
    """A Tripletex customer the shop cannot take (no e-mail) exits 1, shows in status, others sync."""
    async with clients(world.tripletex.api_url, world.webshop.api_url) as (tx, _):
        bad = await tx.customers.create(Customer(name="Uten Epost AS", isCustomer=True))
    code, output = world.sync()
    assert code == 1, output
    status = world.status()
    letters = status["dead_letters"]
    assert isinstance(letters, list) and len(letters) == 1
    assert letters[0]["entity"] == "customer" and letters[0]["record_id"] == str(bad.id)
    assert letters[0]["reason"]
    sides = await world.sides()
    sides.tx_customers = [c for c in sides.tx_customers if c.id != bad.id]
    check = check_sides(sides)
    assert check.ok, check.describe()
    # It stays in the dead letters, so later passes keep saying so.
    code, output = world.sync()
    assert code == 1, output


@pytest.mark.parametrize("state_location", ["sqlite"], indirect=True)
def test_refused_credentials_are_exit_2(world: World) -> None:
    """A wrong Tripletex employee token ends the run with exit 2 and one line, no traceback."""
    before = world.writes()
    result = shopsync(
        "sync", "--config", str(world.config), env={"SHOPSYNC_TRIPLETEX_EMPLOYEE_TOKEN": "wrong-token"}
    )
    assert result.returncode == 2, explain(result)
    assert "Traceback" not in result.stderr
    assert "wrong-token" not in result.stderr + result.stdout
    assert world.writes() == before


def test_unreachable_system_and_missing_secret_are_exit_2(tmp_path: Path) -> None:
    """A Tripletex nobody listens on, or an unset token, is exit 2 naming the cause."""
    config = tmp_path / "shopsync.yaml"
    init = shopsync(
        "init",
        "--webshop-url",
        "http://127.0.0.1:9",
        "--tripletex-url",
        "http://127.0.0.1:9/v2",
        "--out",
        str(config),
    )
    assert init.returncode == 0, explain(init)
    unreachable = shopsync("sync", "--config", str(config))
    assert unreachable.returncode == 2, explain(unreachable)
    assert "Traceback" not in unreachable.stderr
    missing = shopsync("sync", "--config", str(config), env={"SHOPSYNC_WEBSHOP_TOKEN": ""})
    assert missing.returncode == 2, explain(missing)
    assert "SHOPSYNC_WEBSHOP_TOKEN" in missing.stderr
