"""department countersignature: the countersigned PDF's digest and date on letters; seal images

Revision ID: 0010c_department_countersign
Revises: 0010p_loop
Create Date: 2026-12-06 08:00:00.000000

(down_revision: the head when this was written, after merging main; re-chained at merge)
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.store.types

revision: str = "0010c_department_countersign"
down_revision: str | None = "0010p_loop"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("letters") as batch:
        batch.add_column(sa.Column("countersigned_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("countersigned_at", api.store.types.UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "department_seals",
        sa.Column("department_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("uploaded_at", api.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("department_code"),
    )


def downgrade() -> None:
    op.drop_table("department_seals")
    # in place, not in batch mode: recreating `letters` on SQLite fails on the tables that refer to it
    op.drop_column("letters", "countersigned_at")
    op.drop_column("letters", "countersigned_sha256")
