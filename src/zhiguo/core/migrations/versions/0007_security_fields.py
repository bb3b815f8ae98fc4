"""Encrypted personal fields (SM4-GCM): phone numbers and other personal identifiers
(owned by the crypto work).

The columns hold ``sm4gcm:v1:<kid>:<base64>`` envelopes written by
``zhiguo.core.crypto.EncryptedText``; to the database they are plain nullable text.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 个人信息 encrypted at rest (GB/T 22239-2019 §8.1.4 保密性).
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("phone", sa.Text(), nullable=True))
    with op.batch_alter_table("enterprises") as batch:
        batch.add_column(sa.Column("legal_representative", sa.Text(), nullable=True))
        batch.add_column(sa.Column("contact_phone", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_column("contact_phone")
        batch.drop_column("legal_representative")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("phone")
