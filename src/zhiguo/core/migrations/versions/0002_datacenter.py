"""Data centre: catalog (datasets, table-version lineage) and ingest (batches, submissions,
reporting periods).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "catalog_datasets",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("owner_platform", sa.String(length=20), nullable=False),
        sa.Column("classification", sa.String(length=20), nullable=False),
        sa.Column("spec_json", sa.Text(), nullable=False),
        sa.Column("spec_sha256", sa.String(length=64), nullable=False),
        sa.Column("registered_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_catalog_datasets")),
    )
    op.create_table(
        "catalog_commits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("inbox_sha256", sa.String(length=64), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inputs_json", sa.Text(), nullable=False),
        sa.Column("committed_by", sa.String(length=100), nullable=False),
        sa.Column("committed_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_commits")),
        sa.UniqueConstraint("dataset", "version", name=op.f("uq_catalog_commits_dataset")),
    )
    op.create_index(op.f("ix_catalog_commits_dataset"), "catalog_commits", ["dataset"])
    op.create_index(op.f("ix_catalog_commits_batch_id"), "catalog_commits", ["batch_id"])
    op.create_table(
        "ingest_batches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dataset", sa.String(length=100), nullable=False),
        sa.Column("inbox_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("file_bytes", sa.Integer(), nullable=False),
        sa.Column("submitter", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("facts", sa.Integer(), nullable=False),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("lake_version", sa.Integer(), nullable=True),
        sa.Column("problems_json", sa.Text(), nullable=False),
        sa.Column("received_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_batches")),
    )
    op.create_index(op.f("ix_ingest_batches_dataset"), "ingest_batches", ["dataset"])
    op.create_index(op.f("ix_ingest_batches_inbox_sha256"), "ingest_batches", ["inbox_sha256"])
    op.create_index(op.f("ix_ingest_batches_status"), "ingest_batches", ["status"])
    op.create_table(
        "ingest_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=100), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("report_type", sa.String(length=20), nullable=False),
        sa.Column("first_submitted_at", _TS, nullable=False),
        sa.Column("last_submitted_at", _TS, nullable=False),
        sa.Column("revisions", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("lake_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_ingest_submissions_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_submissions")),
        sa.UniqueConstraint(
            "dataset",
            "enterprise_id",
            "period",
            "report_type",
            name=op.f("uq_ingest_submissions_dataset"),
        ),
    )
    op.create_index(
        op.f("ix_ingest_submissions_enterprise_id"), "ingest_submissions", ["enterprise_id"]
    )
    op.create_index(op.f("ix_ingest_submissions_period"), "ingest_submissions", ["period"])
    op.create_table(
        "ingest_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("deadline", _TS, nullable=False),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_periods")),
        sa.UniqueConstraint("dataset", "period", name=op.f("uq_ingest_periods_dataset")),
    )


def downgrade() -> None:
    for table in (
        "ingest_periods",
        "ingest_submissions",
        "ingest_batches",
        "catalog_commits",
        "catalog_datasets",
    ):
        op.drop_table(table)
