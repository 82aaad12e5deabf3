"""loop: rectification deadlines, revocation sanctions, objection outcomes and credit objections

Revision ID: 0010p_loop
Revises: 0010b_letter_replaces
Create Date: 2026-12-06 08:00:00.000000

(down_revision is the head when this was written; at merge it follows whatever head is then last)
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010p_loop"
down_revision: str | None = "0010b_letter_replaces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rectification_due_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_letters_rectification_due_on"), ["rectification_due_on"], unique=False)
    with op.batch_alter_table("letter_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sanction", String(length=32), nullable=True))
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.alter_column("letter_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("subject_hash", String(length=64), nullable=True))
        batch_op.add_column(sa.Column("subject_masked", String(length=40), nullable=True))
        batch_op.add_column(sa.Column("language", String(length=8), nullable=True))
        batch_op.add_column(sa.Column("outcome", String(length=16), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_objections_subject_hash"), ["subject_hash"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("letter_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("letter_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objections_subject_hash"))
        batch_op.drop_column("resolved_by")
        batch_op.drop_column("outcome")
        batch_op.drop_column("language")
        batch_op.drop_column("subject_masked")
        batch_op.drop_column("subject_hash")
        batch_op.alter_column("letter_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("letter_events", schema=None) as batch_op:
        batch_op.drop_column("sanction")
    # in place, not in batch mode: recreating `letters` on SQLite fails on the tables that refer to it
    op.drop_index("ix_letters_rectification_due_on", table_name="letters")
    op.drop_column("letters", "rectification_due_on")
