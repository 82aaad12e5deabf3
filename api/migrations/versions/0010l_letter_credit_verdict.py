"""letter_credit_verdict: the credit check as it stood when a letter was signed, and the list's imports

Revision ID: 0010l_letter_credit_verdict
Revises: 0009d_documents
Create Date: 2026-12-06 08:00:00.000000

(down_revision is the head when this was written; at merge it follows whatever head is then last)
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.store.types

revision: str = "0010l_letter_credit_verdict"
down_revision: str | None = "0009d_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_verdict", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))
    op.create_table(
        "credit_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("applied_at", api.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("credit_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_imports_applied_at"), ["applied_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credit_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_imports_applied_at"))
    op.drop_table("credit_imports")
    # not in batch mode: recreating `letters` on SQLite fails on the tables that refer to it;
    # SQLite (3.35+) and PostgreSQL both drop a plain column in place
    op.drop_column("letters", "credit_verdict")
