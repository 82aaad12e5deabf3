"""key_fingerprints: the fingerprint of each key the data was first used with

Revision ID: 0009k_key_fingerprints
Revises: 0008s_shares
Create Date: 2026-12-06 06:00:00.000000

(down_revision is the head when this was written; at merge it follows whatever head is then last)
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.store.types

revision: str = "0009k_key_fingerprints"
down_revision: str | None = "0008s_shares"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_fingerprints",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("recorded_at", api.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("key_fingerprints")
