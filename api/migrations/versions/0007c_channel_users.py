"""channel users: what belonged to a Telegram user id belongs to a channel and a user of it

Revision ID: 0007c_channel_users
Revises: 0006d
Create Date: 2026-12-06 05:00:00

Every `telegram_user_id` becomes `channel` ('telegram' for every row there is) and `channel_user`
(the id in decimal), indexed together where the id was indexed. Letters, their notices and what
their applicants handed in stay theirs: `telegram:<id>`'s.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007c_channel_users"
down_revision: str | None = "0006d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (channel_user nullable, as telegram_user_id was; indexed, as telegram_user_id was)
TABLES = {
    "letters": (True, True),
    "outbox": (True, False),
    "uploads": (False, True),
    "objections": (False, False),
}
CHANNEL = sqlmodel.sql.sqltypes.AutoString(length=16)
USER = sqlmodel.sql.sqltypes.AutoString(length=64)


def upgrade() -> None:
    for table, (nullable, indexed) in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("channel", CHANNEL, nullable=True))
            batch_op.add_column(sa.Column("channel_user", USER, nullable=True))
        # CAST(… AS TEXT) is the decimal spelling on SQLite and PostgreSQL alike: 7123456789 → '7123456789'
        op.execute(f"UPDATE {table} SET channel = 'telegram', channel_user = CAST(telegram_user_id AS TEXT)")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("channel", existing_type=CHANNEL, nullable=False)
            if not nullable:
                batch_op.alter_column("channel_user", existing_type=USER, nullable=False)
            if indexed:
                batch_op.drop_index(f"ix_{table}_telegram_user_id")
                batch_op.create_index(f"ix_{table}_channel_user", ["channel", "channel_user"], unique=False)
            batch_op.drop_column("telegram_user_id")
    # "applicant:wechat:" and an openid of up to 64 characters
    with op.batch_alter_table("letter_events", schema=None) as batch_op:
        batch_op.alter_column(
            "actor",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
            type_=sqlmodel.sql.sqltypes.AutoString(length=100),
            nullable=False,
        )


def downgrade() -> None:
    """Back to Telegram ids: rows of any other channel cannot be said in them, and are refused."""
    for table in TABLES:
        found = op.get_bind().execute(sa.text(f"SELECT count(*) FROM {table} WHERE channel != 'telegram'")).scalar()
        if found:
            raise RuntimeError(f"{found} row(s) of {table} belong to another channel than Telegram")
    with op.batch_alter_table("letter_events", schema=None) as batch_op:
        batch_op.alter_column(
            "actor",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=100),
            type_=sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=False,
        )
    for table, (nullable, indexed) in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("telegram_user_id", sa.BigInteger(), nullable=True))
        op.execute(f"UPDATE {table} SET telegram_user_id = CAST(channel_user AS BIGINT)")
        with op.batch_alter_table(table, schema=None) as batch_op:
            if not nullable:
                batch_op.alter_column("telegram_user_id", existing_type=sa.BigInteger(), nullable=False)
            if indexed:
                batch_op.drop_index(f"ix_{table}_channel_user")
                batch_op.create_index(f"ix_{table}_telegram_user_id", ["telegram_user_id"], unique=False)
            batch_op.drop_column("channel_user")
            batch_op.drop_column("channel")
