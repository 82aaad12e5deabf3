"""dishonesty_publication: a broken letter's credit record is published and taken down

Revision ID: 0010u_dishonesty_publication
Revises: 0010l_letter_credit_verdict
Create Date: 2026-12-06 08:00:00.000000

(down_revision is the head when this was written; at merge it follows whatever head is then last)
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.store.types

revision: str = "0010u_dishonesty_publication"
down_revision: str | None = "0010l_letter_credit_verdict"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letter_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("publish_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("published_at", api.store.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("published_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_at", api.store.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_credit_records_letter_id"), ["letter_id"], unique=False)
    _link_broken_letters()


def _link_broken_letters() -> None:
    """Records of letters broken before this revision: linked to their letter, and due 7 working
    days after their listing unless already repaired (never published by chengnuo, they may show
    as overdue: that is what they are)."""
    from forms.workdays import add_working_days

    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT c.id, c.listed_on, c.repaired_at, l.id FROM credit_records c "
            "JOIN letters l ON c.source = 'letter:' || l.number WHERE c.kind = 'false_commitment'"
        )
    ).all()
    for record_id, listed_on, repaired_at, letter_id in rows:
        if isinstance(listed_on, str):  # SQLite hands dates back as text here
            listed_on = date.fromisoformat(listed_on)
        due = None if repaired_at is not None else add_working_days(listed_on, 7)
        connection.execute(
            sa.text("UPDATE credit_records SET letter_id = :letter, publish_due_on = :due WHERE id = :id"),
            {"letter": letter_id, "due": due, "id": record_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_records_letter_id"))
        for column in (
            "withdrawn_at",
            "withdrawal_due_on",
            "published_by",
            "published_at",
            "publish_due_on",
            "letter_id",
        ):
            batch_op.drop_column(column)
