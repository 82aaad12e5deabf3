"""Documents as rows of one table: the backend every instance sharing a PostgreSQL store reads.

A document is written in the transaction of the row that names it (a letter's digest, an upload's
row, a used signature link), so no instance ever sees the one without the other. The bytes are
encrypted with the personal-data key as the files are, bound to the row's kind, key and revision:
content copied into another row does not decrypt. Why a bytea table and not large objects is in
the README ("Documents in PostgreSQL").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from sqlalchemy import Column, ColumnElement, Engine, Index, LargeBinary, delete
from sqlmodel import Field, Session, SQLModel, col, select

from api.pii import Vault
from api.store.types import UTCDateTime
from forms import clock


class DocumentKind(StrEnum):
    pdf = "pdf"  # a letter's sealed PDF: key the letter's number, revision 0 the platform's seal
    upload = "upload"  # an authorisation or a supplement: key the upload's id
    drawing = "drawing"  # a drawn signature waiting for its letter: key a keyed hash of user and letter
    pending_import = "import"  # a previewed dishonesty list waiting for "apply": key the token's SHA-256


class Document(SQLModel, table=True):
    """One stored document; `content` is TOASTed out of line, so the row itself stays small."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_kind_created_at", "kind", "created_at"),)

    kind: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=64)
    revision: int = Field(default=0, primary_key=True)
    sha256: str = Field(max_length=64)  # of the document in clear, as its record names it
    size: int  # in clear
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # AES-GCM, bound to kind/key/revision
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


@dataclass(frozen=True)
class DocumentRef:
    """Which document: its kind, its key within the kind, and its revision."""

    kind: DocumentKind
    key: str
    revision: int = 0

    @property
    def name(self) -> str:
        """What the ciphertext is bound to."""
        return f"{self.kind.value}/{self.key}/{self.revision}"


class DocumentUnreadable(Exception):
    """A stored document that does not decrypt: replaced, truncated or copied from another one."""


@dataclass(frozen=True)
class Stored:
    """A document read back: its bytes in clear, and what its row says of them."""

    data: bytes
    sha256: str
    created_at: datetime


@dataclass
class StagedRow:
    """A document ready to go into the caller's transaction: `record` adds it, and a transaction
    that does not commit takes it away again, so `discard` has nothing to do."""

    row: Document

    def record(self, session: Session) -> None:
        session.add(self.row)

    def discard(self) -> None:
        return None


class DocumentRows:
    """The table's reads and writes; writes join the caller's session, which commits them."""

    def __init__(self, engine: Engine, vault: Vault) -> None:
        self.engine, self.vault = engine, vault

    def row(self, ref: DocumentRef, data: bytes, *, created_at: datetime | None = None) -> Document:
        """The encrypted row for these bytes, not yet added to any session."""
        return Document(
            kind=ref.kind.value,
            key=ref.key,
            revision=ref.revision,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            content=self.vault.encrypt_file(data, name=ref.name),
            created_at=created_at or clock.now(),
        )

    def stage(self, ref: DocumentRef, data: bytes) -> StagedRow:
        return StagedRow(self.row(ref, data))

    def read(self, ref: DocumentRef, *, session: Session | None = None) -> Stored | None:
        """The document in clear, or None when there is no such row; DocumentUnreadable when it
        does not decrypt."""
        if session is None:
            with Session(self.engine) as own:
                return self.read(ref, session=own)
        found = session.exec(
            select(Document.content, Document.sha256, Document.created_at).where(*self._where(ref))
        ).first()
        if found is None:
            return None
        return Stored(self.open(ref, found[0]), found[1], found[2])

    def open(self, ref: DocumentRef, content: bytes) -> bytes:
        """A row's content in clear; DocumentUnreadable when it is not this document's."""
        try:
            return self.vault.decrypt_file(content, name=ref.name)
        except InvalidTag:
            raise DocumentUnreadable(f"the stored {ref.kind.value} {ref.key} does not decrypt") from None

    def exists(self, session: Session, ref: DocumentRef) -> str | None:
        """The stored document's digest, or None when there is none."""
        return session.exec(select(Document.sha256).where(*self._where(ref))).first()

    def delete(self, session: Session, ref: DocumentRef) -> None:
        session.execute(delete(Document).where(*self._where(ref)))

    def remove_older(self, session: Session, kind: DocumentKind, than: datetime) -> int:
        """Delete the documents of a kind stored before `than`; how many there were (commits)."""
        removed = session.execute(
            delete(Document).where(col(Document.kind) == kind.value, col(Document.created_at) < than)
        )
        session.commit()
        return int(removed.rowcount)  # type: ignore[attr-defined]

    @staticmethod
    def _where(ref: DocumentRef) -> tuple[ColumnElement[bool], ...]:
        return (
            col(Document.kind) == ref.kind.value,
            col(Document.key) == ref.key,
            col(Document.revision) == ref.revision,
        )
