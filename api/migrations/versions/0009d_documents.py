"""documents: PDFs, uploads, drawings and previewed imports as rows, for instances sharing PostgreSQL

Revision ID: 0009d_documents
Revises: 0009k_key_fingerprints
Create Date: 2026-12-06 06:00:00.000000

On SQLite the table exists and stays empty: documents are files under the data directory there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.store.types

revision: str = "0009d_documents"
down_revision: str | None = "0009k_key_fingerprints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", api.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", "revision"),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_kind_created_at", ["kind", "created_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # encrypted bytes do not compress: TOAST keeps them out of line without trying, and reads
        # of a part (substring) fetch only the chunks they need
        op.execute("ALTER TABLE documents ALTER COLUMN content SET STORAGE EXTERNAL")


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_kind_created_at")
    op.drop_table("documents")
