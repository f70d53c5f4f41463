"""``shopsync init`` + ``sync`` + ``status`` as a user runs them: separate processes, both simulators on
real sockets, every check made through the systems' own APIs (and ``status --json`` for the store).

These run on SQLite; ``test_kill`` runs the same end-to-end checks (exact pairing, every edit, a
zero-write pass, the status) after its kill series on SQLite and PostgreSQL, so PostgreSQL is not
paid for twice.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
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


def fresh_data(tripletex: SimProcess, webshop: SimProcess) -> None:
    """Both simulators back to their seeded data (counters zeroed), the shop's product names unique."""

    async def reset() -> None:
        async with httpx2.AsyncClient(timeout=30) as http:
            for sim in (tripletex, webshop):
                (await http.post(sim.url + "/_sim/reset")).raise_for_status()
        async with clients(tripletex.api_url, webshop.api_url) as (_, shop):
            await unique_product_names(shop)

    asyncio.run(reset())


@pytest.fixture(scope="module")
def simulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SimProcess, SimProcess]]:
    """Seeded simulators in their own processes, shared by this module's tests (each resets them)."""
    with start_sims(tmp_path_factory.mktemp("sims"), tripletex=TRIPLETEX_SEED, webshop=WEBSHOP_SEED) as sims:
        yield sims[0], sims[1]


@pytest.fixture
def world(tmp_path: Path, simulators: tuple[SimProcess, SimProcess]) -> World:
    """Freshly seeded simulators and ``shopsync init`` for them (state: the default SQLite file)."""
    tripletex, webshop = simulators
    fresh_data(tripletex, webshop)
    return World(tripletex, webshop, init_config(tmp_path, tripletex, webshop))


async def test_init_and_sync_bring_seeded_systems_into_sync_then_idle(world: World) -> None:
    """The first sync exits 0 with every record paired once, status --json shows the links and nothing
    open, and the second sync writes nothing on either side."""
    code, output = world.sync()
    assert code == 0, output
    sides = await world.sides()
    check = check_sides(sides)
    assert check.ok, check.describe()
    assert len(sides.shop_customers) == len(sides.tx_customers) >= 55
    assert len(sides.shop_products) == len(sides.tx_products) >= 32
    assert len(sides.shop_orders) == 25

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
    assert isinstance(last, dict) and last["status"] == "succeeded" and last["finished_at"] is not None
    cursors = status["cursors"]
    assert isinstance(cursors, list)
    assert {c["entity"] for c in cursors if c["side"] == "webshop"} == {"customer", "product", "order"}

    before = world.writes()
    code, output = world.sync()
    assert code == 0, output
    assert world.writes() == before, "an idle pass wrote to Tripletex or the webshop"


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


def test_unreachable_tripletex_is_exit_2(tmp_path: Path) -> None:
    """A Tripletex nobody listens on ends the run, after the client's retries, with exit 2 and one line."""
    config = tmp_path / "shopsync.yaml"
    args = [
        "--webshop-url",
        "http://127.0.0.1:9",
        "--tripletex-url",
        "http://127.0.0.1:9/v2",
        "--out",
        str(config),
    ]
    init = shopsync("init", *args)
    assert init.returncode == 0, explain(init)
    unreachable = shopsync("sync", "--config", str(config))
    assert unreachable.returncode == 2, explain(unreachable)
    assert "Traceback" not in unreachable.stderr
    assert "error:" in unreachable.stderr
