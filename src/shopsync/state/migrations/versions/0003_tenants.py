"""The tenant registry and the shared Tripletex rate windows of a multi-tenant installation.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Frozen like 0001: the types are spelled out here instead of imported from ``tables.py``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``tenants`` (one row per shop, its config sealed) and ``tripletex_rate_windows``."""
    op.create_table(
        "tenants",
        sa.Column("tenant", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("webshop_url", sa.Text(), nullable=False),
        sa.Column("tripletex_url", sa.Text(), nullable=False),
        sa.Column("sealed_config", sa.Text(), nullable=False),
        sa.Column("rate_limit", sa.Integer(), nullable=True),
        sa.Column("rate_period", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'paused')", name=op.f("ck_tenants_status")),
        sa.CheckConstraint(
            "rate_limit IS NULL OR (rate_limit > 0 AND rate_period > 0)", name=op.f("ck_tenants_rate")
        ),
        sa.PrimaryKeyConstraint("tenant", name=op.f("pk_tenants")),
    )
    op.create_table(
        "tripletex_rate_windows",
        sa.Column("tenant", sa.Text(), nullable=False),
        sa.Column("grants", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", name=op.f("pk_tripletex_rate_windows")),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("tripletex_rate_windows")
    op.drop_table("tenants")
