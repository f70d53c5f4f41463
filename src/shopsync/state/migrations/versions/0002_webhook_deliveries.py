"""Webhook deliveries already accepted, so a redelivered or replayed webhook is processed once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Frozen like 0001: the types are spelled out here instead of imported from ``tables.py``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``webhook_deliveries``: one row per (tenant, source, delivery id) with its receipt time."""
    op.create_table(
        "webhook_deliveries",
        sa.Column("tenant", sa.Text(), server_default="default", nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("delivery_id", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('webshop', 'tripletex')", name=op.f("ck_webhook_deliveries_source")),
        sa.PrimaryKeyConstraint("tenant", "source", "delivery_id", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_tenant_received_at"), "webhook_deliveries", ["tenant", "received_at"]
    )


def downgrade() -> None:
    """Drop ``webhook_deliveries``."""
    op.drop_table("webhook_deliveries")
