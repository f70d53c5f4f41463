"""Faults on both simulators at once during an initial load and incremental edits: 10 % random 5xx,
answers dropped after committed writes, 429 storms and latency spikes. Every ``shopsync sync`` under
fire finishes (exit 0 or 1, never a crash), and once the faults stop both systems hold every record
exactly once with every edit.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.acceptance.edits import EditPlan, edit_round, unique_product_names
from tests.acceptance.harness import explain, init_config, shopsync, start_sims
from tests.acceptance.sides import check_sides, clients, read_sides

from .faults import FaultDriver, injected
from .report import record
from .scale import SCALE
from .state import state_counts

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(900 if SCALE.full else 240)
async def test_faults_on_both_sides_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    """Initial load and edit rounds, each synced under faults on both sides; then one clean pass and
    the natural-key check of both systems."""
    rng = random.Random(8)
    with start_sims(tmp_path, tripletex=SCALE.faults_tripletex, webshop=SCALE.faults_webshop) as sims:
        tripletex, webshop = sims
        async with clients(tripletex.api_url, webshop.api_url) as (_, shop):
            await unique_product_names(shop)
        state = str(tmp_path / "state.sqlite")
        config = init_config(tmp_path, tripletex, webshop, state)
        plan = EditPlan(rng)
        codes: list[int] = []
        with FaultDriver(sims, rng, SCALE.faults_mix) as driver:
            for round_ in range(SCALE.faults_rounds + 1):
                if round_:  # round 0 is the initial load
                    async with clients(tripletex.api_url, webshop.api_url) as (tx, shop):
                        await edit_round(tx, shop, plan, per_kind=3)
                with driver.injecting():
                    run = shopsync("sync", "--config", str(config))
                codes.append(run.returncode)
                assert run.returncode in (0, 1), f"a sync under faults crashed:\n{explain(run)}"
        faults = {sim.kind: injected(sim) for sim in sims}
        under_fire = state_counts(state)

        left = tripletex.writes() + webshop.writes()
        final = shopsync("sync", "--config", str(config))
        async with clients(tripletex.api_url, webshop.api_url) as (tx, shop):
            sides = await read_sides(tx, shop)
        check = check_sides(sides, plan.edits)
        after = state_counts(state)
        before = (tripletex.writes(), webshop.writes())
        left = sum(before) - left
        again = shopsync("sync", "--config", str(config))
        rewrites = tripletex.writes() + webshop.writes() - sum(before)

    print(
        record(
            "faults on both simulators",
            {
                "sync passes under faults": len(codes),
                "exit codes": "/".join(map(str, codes)),
                "faults injected": {
                    **{
                        f"{kind} {fault}": n
                        for kind, per_kind in faults.items()
                        for fault, n in per_kind.items()
                    },
                    **{f"{event} events": n for event, n in sorted(driver.events.items())},
                },
                "edit rounds": plan.rounds,
                "waiting after the last faulty pass": under_fire.pending,
                "records checked": check.records_checked,
                "duplicates": len(check.duplicates),
                "missing": len(check.missing),
                "lost edits": len(check.lost_edits),
                "dead letters": after.dead_letters,
                "writes of the clean pass": left,
                "writes of the pass after": rewrites,
            },
        )
    )
    assert final.returncode == 0, explain(final)
    assert check.ok, check.describe()
    assert after.dead_letters == 0 and after.open_intents == 0 and after.pending == 0, after.raw
    assert again.returncode == 0 and rewrites == 0, "a pass after the faults wrote again"
    # The faults really happened, of every kind, on both sides.
    for kind, counts in faults.items():
        assert all(counts.values()), f"{kind}: not every fault was injected: {counts}"
    assert {e.split()[1] for e in driver.events if driver.events[e]} >= {"spike", "storm"}
