"""Who wins a conflict, key by key: a person's decision, the row's owner, the policy; locked records."""

from __future__ import annotations

import datetime as dt

import pytest

from shopsync.engine.conflicts import Verdict
from shopsync.engine.merge import LOCKED_REASON, Analysis, FieldConflict, decide
from shopsync.engine.work import backoff, is_tripletex_id


def _conflict(key: str, *, locked: bool = False) -> FieldConflict:
    return FieldConflict(key, "old", f"shop {key}", f"tx {key}", "changed on both sides", locked=locked)


def test_each_key_gets_its_own_winner_and_label() -> None:
    """A person's decision beats the owner, the owner beats the policy; the labels say which rule won."""
    verdict = Verdict(
        decisions={"email": "tripletex"},
        owners={"sku": "tripletex", "email": "webshop"},
        policy="webshop_wins",
    )
    analysis = Analysis(conflicts=[_conflict("name"), _conflict("sku"), _conflict("email")])
    decision = decide(analysis, verdict)
    assert decision.to_tripletex == {"name": "shop name"}
    assert decision.to_webshop == {"sku": "tx sku", "email": "tx email"}
    assert verdict.labels == {"name": "webshop_wins", "sku": "owner:tripletex", "email": "person"}
    assert not decision.held


@pytest.mark.parametrize(
    ("policy", "newest", "winner"), [("manual", None, None), ("newest_wins", "tripletex", "tripletex")]
)
def test_the_global_policy_decides_keys_without_owner(
    policy: str, newest: str | None, winner: str | None
) -> None:
    """``manual`` holds the key; ``newest_wins`` takes the side the arbiter found edited last."""
    verdict = Verdict(policy=policy, newest=newest)
    decision = decide(Analysis(conflicts=[_conflict("name")]), verdict)
    assert decision.conflicts[0][1] == winner
    assert decision.held == ({"name"} if winner is None else set())


def test_a_locked_record_holds_what_would_flow_into_it_unless_a_person_kept_tripletex() -> None:
    """Keys flowing into a locked order become open "locked" conflicts; a person's decision for
    Tripletex's value sends that value to the shop instead; the owner cannot unlock anything."""
    analysis = Analysis(to_tripletex={"note": "ny", "delivery_city": "Bergen"})
    verdict = Verdict(
        decisions={"note": "tripletex"}, owners={"delivery_city": "webshop"}, policy="webshop_wins"
    )
    decision = decide(analysis, verdict, locked=True, tripletex={"note": "gammel", "delivery_city": "Oslo"})
    assert decision.to_tripletex == {}
    assert decision.to_webshop == {"note": "gammel"}
    assert decision.held == {"delivery_city"}
    reasons = {c.key: (c.reason, c.locked, w) for c, w in decision.conflicts}
    assert reasons == {
        "note": (LOCKED_REASON, True, "tripletex"),
        "delivery_city": (LOCKED_REASON, True, None),
    }
    assert verdict.labels == {"note": "person", "delivery_city": "locked"}


def test_a_plain_winner_still_works() -> None:
    """``decide`` still takes one side (or None) for every conflict."""
    analysis = Analysis(conflicts=[_conflict("name"), _conflict("email")])
    assert decide(analysis, "tripletex").to_webshop == {"name": "tx name", "email": "tx email"}
    assert decide(analysis, None).held == {"name", "email"}


def test_queue_back_off_doubles_up_to_its_cap() -> None:
    """Records waiting again wait 30 s, 60 s, 120 s … at most 30 minutes."""
    assert [backoff(n).total_seconds() for n in range(4)] == [30, 60, 120, 240]
    assert backoff(50) == dt.timedelta(minutes=30)


@pytest.mark.parametrize(
    ("value", "ok"),
    [(17, True), ("17", True), (" 9 ", True), ("0", False), ("abc", False), ("-3", False), ("1.5", False)],
)
def test_tripletex_ids_are_positive_whole_numbers(value: str | int, ok: bool) -> None:
    assert is_tripletex_id(value) is ok
