"""pdf claims: who renders a letter's PDF now, so that it is rendered once

Revision ID: 0006d
Revises: 0005l
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.store.types

revision: str = "0006d"
down_revision: str | None = "0005l"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdf_lease_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column("pdf_lease_until", api.store.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_column("pdf_lease_until")
        batch_op.drop_column("pdf_lease_token")
