"""Classification label integrity (HMAC-SM3) and encrypted personal fields (owned by the classification/crypto work).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # HMAC-SM3 over each dataset's labels (name, level, field labels): a database edit that
    # downgrades a label no longer verifies (GB/T 22239-2019 §8.1.4 完整性).
    with op.batch_alter_table("catalog_datasets") as batch:
        batch.add_column(sa.Column("label_mac", sa.String(length=64), nullable=True))
    # The unmask grant (个人信息: masked by default, unmasking is a permission, audited).
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("can_unmask", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("can_unmask")
    with op.batch_alter_table("catalog_datasets") as batch:
        batch.drop_column("label_mac")
