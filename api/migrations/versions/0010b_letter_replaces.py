"""letter_replaces: a re-commitment names the letter it superseded

Revision ID: 0010b_letter_replaces
Revises: 0010u_dishonesty_publication
Create Date: 2026-12-06 08:00:00.000000

(down_revision is the head when this was written; at merge it follows whatever head is then last)
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010b_letter_replaces"
down_revision: str | None = "0010u_dishonesty_publication"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("letters") as batch:
        batch.add_column(sa.Column("replaces", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch.create_index(batch.f("ix_letters_replaces"), ["replaces"], unique=False)


def downgrade() -> None:
    # in place, not in batch mode: recreating `letters` on SQLite fails on the tables that refer to it
    op.drop_index("ix_letters_replaces", table_name="letters")
    op.drop_column("letters", "replaces")
