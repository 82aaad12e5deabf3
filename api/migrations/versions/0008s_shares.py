"""shares: links to a letter's PDF, a preview's PDF or the drawn-signature page, by hashed token

Revision ID: 0008s_shares
Revises: 0007c_channel_users
Create Date: 2026-12-06 05:00:00.000000

(follows the channel users: a share names a channel and a user of it)
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.store.types

revision: str = "0008s_shares"
down_revision: str | None = "0007c_channel_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("letter_number", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("channel_user", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", api.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", api.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", api.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shares_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shares_expires_at"))
    op.drop_table("shares")
