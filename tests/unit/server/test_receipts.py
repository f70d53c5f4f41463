"""WebhookReceipts: the earliest untaken receipt per record, taken once, bounded in size."""

from __future__ import annotations

import pytest

from shopsync.server import WebhookReceipts


def test_the_earliest_receipt_is_kept_until_taken() -> None:
    """A second webhook before the worker takes the first keeps the first time; take forgets it."""
    now = iter([10.0, 11.0, 12.0])
    receipts = WebhookReceipts(clock=lambda: next(now))
    receipts.record("customer", "webshop", "7")
    receipts.record("customer", "webshop", 7)
    assert receipts.take("customer", "webshop", "7") == 10.0
    assert receipts.take("customer", "webshop", "7") is None
    receipts.record("customer", "webshop", "7")
    assert receipts.take("customer", "webshop", "7") == 12.0


def test_sides_and_entities_are_separate() -> None:
    """The same id on the other side, or of another entity, is another record."""
    receipts = WebhookReceipts()
    receipts.record("customer", "webshop", "1", at=1.0)
    receipts.record("customer", "tripletex", "1", at=2.0)
    receipts.record("product", "webshop", "1", at=3.0)
    assert [receipts.take(e, s, "1") for e, s in [("product", "webshop"), ("customer", "tripletex")]] == [
        3.0,
        2.0,
    ]
    assert len(receipts) == 1


def test_the_oldest_receipts_go_beyond_the_size_limit() -> None:
    """Receipts never taken (nothing to write) cannot pile up."""
    receipts = WebhookReceipts(max_size=2)
    for i in range(3):
        receipts.record("customer", "webshop", str(i), at=float(i))
    assert len(receipts) == 2
    assert receipts.take("customer", "webshop", "0") is None
    assert receipts.take("customer", "webshop", "2") == 2.0
    with pytest.raises(ValueError):
        WebhookReceipts(max_size=0)
