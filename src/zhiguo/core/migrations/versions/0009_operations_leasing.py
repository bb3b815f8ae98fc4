"""Operations: carrier demand requests, leases and their events; the carrier role's
``users.carrier`` (issue 6).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column[datetime]]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("carrier", sa.String(length=16), nullable=True))
    op.create_table(
        "operations_carrier_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("band", sa.String(length=8), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("radius_m", sa.Float(), nullable=True),
        sa.Column("area_geojson", sa.Text(), nullable=True),
        sa.Column("min_height_m", sa.Float(), nullable=False),
        sa.Column("power_kw", sa.Float(), nullable=False),
        sa.Column("needs_fibre", sa.Boolean(), nullable=False),
        sa.Column("placement", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        *_stamps(),
    )
    op.create_index(
        "ix_operations_carrier_requests_carrier", "operations_carrier_requests", ["carrier"]
    )
    op.create_table(
        "operations_leases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "site_id",
            sa.Integer(),
            sa.ForeignKey("operations_sites.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("operations_carrier_requests.id", ondelete="RESTRICT"),
            nullable=True,
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rent_cny_year", sa.Numeric(14, 2), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        *_stamps(),
    )
    op.create_index("ix_operations_leases_site", "operations_leases", ["site_id"])
    op.create_index("ix_operations_leases_carrier", "operations_leases", ["carrier"])
    op.create_index("ix_operations_leases_request", "operations_leases", ["request_id"])
    op.create_table(
        "operations_lease_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "lease_id",
            sa.Integer(),
            sa.ForeignKey("operations_leases.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_operations_lease_events_lease", "operations_lease_events", ["lease_id"])


def downgrade() -> None:
    op.drop_index("ix_operations_lease_events_lease", table_name="operations_lease_events")
    op.drop_table("operations_lease_events")
    op.drop_index("ix_operations_leases_request", table_name="operations_leases")
    op.drop_index("ix_operations_leases_carrier", table_name="operations_leases")
    op.drop_index("ix_operations_leases_site", table_name="operations_leases")
    op.drop_table("operations_leases")
    op.drop_index(
        "ix_operations_carrier_requests_carrier", table_name="operations_carrier_requests"
    )
    op.drop_table("operations_carrier_requests")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("carrier")
