"""Operations: site-selection plans and their chosen sites (issue 6).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operations_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("band", sa.String(length=10), nullable=False),
        sa.Column("target_coverage", sa.Float(), nullable=True),
        sa.Column("budget", sa.Float(), nullable=True),
        sa.Column("threshold_dbm", sa.Float(), nullable=False),
        sa.Column("cutoff_m", sa.Float(), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("demand_source", sa.String(length=300), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("pixels", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("covered_weight", sa.Float(), nullable=False),
        sa.Column("total_weight", sa.Float(), nullable=False),
        sa.Column("coverage_share", sa.Float(), nullable=False),
        sa.Column("bound", sa.Float(), nullable=False),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("bound_method", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=80), nullable=False),
        sa.Column("greedy_cost", sa.Float(), nullable=True),
        sa.Column("greedy_coverage_share", sa.Float(), nullable=True),
        sa.Column("greedy_gap", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("solver_seconds", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index("ix_operations_plans_band_created", "operations_plans", ["band", "created_at"])
    op.create_table(
        "operations_plan_sites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer(),
            sa.ForeignKey("operations_plans.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "site_id",
            sa.Integer(),
            sa.ForeignKey("operations_sites.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.UniqueConstraint("plan_id", "site_id", name="uq_operations_plan_sites_plan_site"),
    )
    op.create_index("ix_operations_plan_sites_site", "operations_plan_sites", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_operations_plan_sites_site", table_name="operations_plan_sites")
    op.drop_table("operations_plan_sites")
    op.drop_index("ix_operations_plans_band_created", table_name="operations_plans")
    op.drop_table("operations_plans")
