"""kill -9 of ``shopsync sync`` at random points of the initial load and of incremental syncs, on SQLite
and PostgreSQL: after one final uninterrupted sync every record has exactly one counterpart and every
edit arrived.

``make test`` runs the short form: ``SHOPSYNC_CHAOS_KILLS`` kills per database (default 10, so 20 in all;
a third during the initial load, the rest during incremental syncs with fresh edits on both sides
before each run). ``SHOPSYNC_CHAOS_KILLS=100`` is the long form for ``make chaos``.
"""

from __future__ import annotations

import json
import os
import random
from contextlib import ExitStack
from pathlib import Path

import pytest

from .edits import EditPlan, edit_round, unique_product_names
from .harness import explain, init_config, shopsync, start_sims
from .killing import KillReport, kill_once, timelines
from .sides import check_sides, clients, read_sides

pytestmark = pytest.mark.e2e

# Read at import: the autouse fixture removes SHOPSYNC_* variables before each test.
KILLS = int(os.environ.get("SHOPSYNC_CHAOS_KILLS") or 10)
#: Large enough that the initial load spans several kills; latency makes each call cost like a real one.
TRIPLETEX_SEED = {"seed": 21, "customers": 40, "products": 20, "orders": 5, "latency_ms": 10}
WEBSHOP_SEED = {"seed": 8, "customers": 60, "products": 30, "orders": 50, "latency_ms": 10}


@pytest.mark.timeout(max(600, KILLS * 30))
async def test_kill_9_never_duplicates_and_never_loses_an_edit(
    tmp_path: Path, state_location: str, kill_reports: list[KillReport]
) -> None:
    """Random SIGKILLs during the initial load and incremental syncs, then one clean sync: no duplicate
    on either side, no record missing, every edit on both systems."""
    rng = random.Random(KILLS)
    label = "postgresql" if state_location.startswith("postgresql") else "sqlite"
    report = KillReport(label=label)
    log = tmp_path / "sync-runs.log"
    with ExitStack() as stack:
        tripletex, webshop = stack.enter_context(
            start_sims(tmp_path, tripletex=TRIPLETEX_SEED, webshop=WEBSHOP_SEED)
        )
        sims = (tripletex, webshop)
        async with clients(tripletex.api_url, webshop.api_url) as (_, shop):
            await unique_product_names(shop)
        config = init_config(tmp_path, tripletex, webshop, state_location)

        initial = max(1, KILLS // 3)
        for _ in range(initial):
            await kill_once(config, sims, rng, report, log, initial=True)
        plan = EditPlan(rng)
        async with clients(tripletex.api_url, webshop.api_url) as (tx, shop):
            for _ in range(KILLS - initial):
                await edit_round(tx, shop, plan, per_kind=3)
                await kill_once(config, sims, rng, report, log, initial=False)
        report.edit_rounds = plan.rounds

        final = shopsync("sync", "--config", str(config))
        async with clients(tripletex.api_url, webshop.api_url) as (tx, shop):
            sides = await read_sides(tx, shop)
        check = check_sides(sides, plan.edits)
        report.records_checked = check.records_checked
        report.duplicates = len(check.duplicates)
        report.missing = len(check.missing)
        report.lost_edits = len(check.lost_edits)
        kill_reports.append(report)
        print(report.line())

        assert final.returncode == 0, explain(final)
        assert check.ok, check.describe() + "\n" + timelines(state_location, check.suspects)
        assert set(report.completed_codes) <= {0, 1}, "runs after a kill crashed:\n" + "\n".join(
            report.crashes
        )
        assert report.kills >= KILLS // 2, f"most runs finished before their kill: {report.line()}"

        # The state the kills left behind holds nothing half-done, and a further pass writes nothing.
        status = shopsync("status", "--config", str(config), "--json")
        assert status.returncode == 0, explain(status)
        state = json.loads(status.stdout)
        assert state["open_intents"] == 0
        links = {entity: counts["links"] for entity, counts in state["entities"].items()}
        assert links["customer"] == len(sides.shop_customers) == len(sides.tx_customers)
        assert links["product"] == len(sides.shop_products) == len(sides.tx_products)
        assert links["order"] == len(sides.shop_orders)
        before = (tripletex.writes(), webshop.writes())
        again = shopsync("sync", "--config", str(config))
        assert again.returncode == 0, explain(again)
        assert (tripletex.writes(), webshop.writes()) == before, "a pass after recovery wrote again"
