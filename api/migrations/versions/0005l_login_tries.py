"""login tries per username and per client address, out of the staff table

Revision ID: 0005l
Revises: 0004
Create Date: 2026-11-25 09:00:00

Failures were counted on the account row: usernames that do not exist were never counted (their
answers told which exist), and addresses not at all.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.store.types

revision: str = "0005l"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_tries",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("started_at", api.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_try_at", api.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("login_tries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_tries_last_try_at"), ["last_try_at"], unique=False)
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("last_failed_at")
        batch_op.drop_column("failed_logins")


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_failed_at", api.store.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("login_tries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_tries_last_try_at"))
    op.drop_table("login_tries")
