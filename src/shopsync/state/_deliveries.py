"""Webhook deliveries already accepted: the receiver's memory for de-duplication and replay protection."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from shopsync.state._base import StoreBase
from shopsync.state.records import Side
from shopsync.state.tables import webhook_deliveries

__all__ = ["DeliveryOps"]


class DeliveryOps(StoreBase):
    """Remember delivery ids per source, so the same delivery is processed once, even across restarts."""

    def remember_delivery(
        self, source: Side | str, delivery_id: str, *, conn: sa.Connection | None = None
    ) -> bool:
        """Record a delivery; True when it is new, False when it was already remembered.

        Call it in the transaction that enqueues the delivery's work, so a crash between the two can
        neither lose the work nor leave it processed twice. Two concurrent calls for the same id:
        exactly one gets True (the primary key decides).
        """
        if not delivery_id:
            raise ValueError("a delivery id must be a non-empty string")
        row = {
            "tenant": self._tenant,
            "source": Side(source).value,
            "delivery_id": str(delivery_id),
            "received_at": self._now(),
        }
        statement = (
            self._insert(webhook_deliveries)
            .values(row)
            .on_conflict_do_nothing(index_elements=["tenant", "source", "delivery_id"])
            # RETURNING, not rowcount: psycopg reports a row even when ON CONFLICT skipped it.
            .returning(webhook_deliveries.c.delivery_id)
        )
        with self._write(conn) as c:
            return c.execute(statement).first() is not None

    def prune_deliveries(self, before: dt.datetime, *, conn: sa.Connection | None = None) -> int:
        """Forget deliveries received before ``before``; how many went."""
        statement = sa.delete(webhook_deliveries).where(
            self._mine(webhook_deliveries), webhook_deliveries.c.received_at < before
        )
        with self._write(conn) as c:
            return int(c.execute(statement).rowcount)
