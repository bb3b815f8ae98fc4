"""Operations: SOE site resources (issue 6).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operations_sites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=40), nullable=False, unique=True),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("site_type", sa.String(length=20), nullable=False),
        sa.Column(
            "enterprise_id",
            sa.Integer(),
            sa.ForeignKey("enterprises.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("x_m", sa.Float(), nullable=False),
        sa.Column("y_m", sa.Float(), nullable=False),
        sa.Column("district_code", sa.Integer(), nullable=True),
        sa.Column("height_m", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("carriers", sa.String(length=80), nullable=False),
        sa.Column("power_kw", sa.Float(), nullable=True),
        sa.Column("has_fibre", sa.Boolean(), nullable=False),
        sa.Column("load_limit_kg", sa.Float(), nullable=True),
        sa.Column("rent_cny_year", sa.Numeric(14, 2), nullable=True),
        sa.Column("restrictions", sa.Text(), nullable=False),
        sa.Column("source_file", sa.String(length=300), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.create_index("ix_operations_sites_enterprise", "operations_sites", ["enterprise_id"])
    op.create_index("ix_operations_sites_xy", "operations_sites", ["x_m", "y_m"])


def downgrade() -> None:
    op.drop_index("ix_operations_sites_xy", table_name="operations_sites")
    op.drop_index("ix_operations_sites_enterprise", table_name="operations_sites")
    op.drop_table("operations_sites")
