"""``PassSummary``: counts, the in-sync verdict, the exit code and its renderings."""

from __future__ import annotations

import datetime as dt
import json

from rich.console import Console

from shopsync.config import ShopsyncConfig
from shopsync.engine import Counts, EngineOptions, PassSummary
from shopsync.state import EntityStatus, StatusSummary

NOW = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)


def summary() -> PassSummary:
    """A summary of a pass over all three entities."""
    return PassSummary(entities=("customer", "product", "order"), started_at=NOW)


def test_counts_add_up_per_side() -> None:
    """Per entity and side counts, totals per side and in all; writes are creates, updates, deactivations."""
    s = summary()
    s.of("customer", "tripletex").created = 3
    s.of("product", "tripletex").updated = 2
    s.of("product", "webshop").deactivated = 1
    assert s.total("tripletex").writes == 5 and s.total().writes == 6
    total = Counts()
    total.add(s.of("customer", "tripletex"))
    assert total.created == 3


def test_in_sync_only_without_anything_needing_attention() -> None:
    """Open issues in the store, a tripped breaker or an error each make the exit code 1."""
    clean = summary()
    clean.note_attention(StatusSummary("t", {"customer": EntityStatus(links=4)}, [], 0, None))
    assert clean.in_sync and clean.exit_code == 0 and clean.attention == {}
    dead = summary()
    dead.note_attention(StatusSummary("t", {"order": EntityStatus(links=2, dead_letters=1)}, [], 0, None))
    assert dead.exit_code == 1 and dead.attention["order"]["dead_letters"] == 1
    tripped = summary()
    tripped.breaker["product"] = "4 of 12 linked product records would be deactivated"
    assert tripped.exit_code == 1 and "mass-delete breaker" in str(tripped)
    failed = summary()
    failed.error = "detect failed for customer"
    assert not failed.in_sync


def test_renderings() -> None:
    """JSON-ready dict, a rich table with a row per entity and side, and readable text."""
    s = summary()
    s.of("order", "tripletex").created = 5
    s.finished_at = NOW
    data = json.loads(json.dumps(s.to_dict()))
    assert data["counts"]["order"]["tripletex"]["created"] == 5 and data["exit_code"] == 0
    console = Console(width=200, record=True)
    console.print(s.table())
    text = console.export_text()
    assert "order" in text and "dead lettered" in text
    assert "order/tripletex: created 5" in str(s)


def test_options_from_config_and_creation_directions() -> None:
    """``creates_on`` follows the entity's direction; orders default to the shop → Tripletex way only."""
    config = ShopsyncConfig.model_validate(
        {
            "webshop": {"url": "http://shop.test"},
            "conflict_policy": "manual",
            "entities": {"product": {"create": "to_webshop"}},
            "mass_delete_share": 0.25,
        }
    )
    from_file = EngineOptions.from_config(config, batch_size=7)
    assert from_file.conflict_policy == "manual" and from_file.mass_delete_share == 0.25
    assert from_file.batch_size == 7
    assert from_file.creates_on("product", "webshop") and not from_file.creates_on("product", "tripletex")
    options = EngineOptions()
    assert options.creates_on("customer", "webshop") and options.creates_on("customer", "tripletex")
    assert options.creates_on("order", "tripletex") and not options.creates_on("order", "webshop")
    assert not EngineOptions(creates={"product": "none"}).creates_on("product", "tripletex")
