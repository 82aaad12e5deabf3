"""The document store: letters' sealed PDFs, uploads, drawn signatures and previewed imports.

Two backends behind the same methods. The embedded default keeps files under the data directory,
as it always has (api/store/pdf_files.py, upload_files.py, api/drawings.py,
api/services/pending_imports.py). Whenever the store is PostgreSQL, documents are rows of its
`documents` table instead, written in the transaction of the row that names them: several
instances with data directories of their own then see the same documents, and never a letter
without its PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from api.config import ApiSettings
from api.drawings import DrawingStore
from api.pii import Vault
from api.services.pending_imports import Kept, PendingImports
from api.store.documents.drawings import DrawingRows
from api.store.documents.imports import ImportRows
from api.store.documents.letters import PdfRows, UploadRows
from api.store.documents.rows import Document, DocumentKind, DocumentRef, DocumentRows
from api.store.letters import LetterRecord
from api.store.pdf_files import PdfStore
from api.store.upload_files import UploadFiles
from forms.channels import ChannelUser

__all__ = ["Document", "DocumentKind", "DocumentRef", "Documents", "Pdfs", "Staged", "open_documents"]


class Staged(Protocol):
    """A document written ahead of the transaction that records it."""

    def record(self, session: Session) -> None:
        """Add it to the transaction (rows); a file is on disk already."""

    def discard(self) -> None:
        """Take it back when that transaction did not commit (a file; a row went with the rollback)."""


class Pdfs(Protocol):
    """A letter's PDF by revision: 0 sealed by the platform, 1 countersigned; every one is kept."""

    def stage(self, record: LetterRecord, pdf: bytes, revision: int = 0) -> tuple[str, Staged]: ...

    def read(self, record: LetterRecord, revision: int | None = None) -> bytes | None: ...


class Uploads(Protocol):
    def stage(self, upload_id: str, data: bytes) -> Staged: ...

    def read(self, upload_id: str) -> bytes | None: ...


class Drawings(Protocol):
    def put(self, who: ChannelUser, content_hash: str, png: bytes, *, session: Session | None = None) -> None: ...

    def get(self, who: ChannelUser, content_hash: str) -> bytes | None: ...


class Imports(Protocol):
    def keep(self, data: bytes, *, owner: str) -> Kept: ...

    def take(self, token: str, *, owner: str, sha256: str) -> bytes: ...


@dataclass(frozen=True)
class Documents:
    """Every kind of document, in one backend."""

    in_database: bool
    pdfs: Pdfs
    uploads: Uploads
    drawings: Drawings
    imports: Imports


def in_database(engine: Engine) -> bool:
    """Whether documents are rows: whenever the store is PostgreSQL, which instances share."""
    return engine.dialect.name == "postgresql"


def open_documents(settings: ApiSettings, vault: Vault, engine: Engine) -> Documents:
    """The database's rows on PostgreSQL, else the data directory's files."""
    if in_database(engine):
        rows = DocumentRows(engine, vault)
        return Documents(True, PdfRows(rows), UploadRows(rows), DrawingRows(rows), ImportRows(rows))
    return files_in(settings, vault)


def files_in(settings: ApiSettings, vault: Vault) -> Documents:
    """The data directory's files: the embedded default, and what `documents migrate` moves from."""
    return Documents(
        False,
        PdfStore(settings.letters_dir, vault),
        UploadFiles(settings.uploads_dir, vault),
        DrawingStore(settings.signatures_dir, vault),
        PendingImports(settings.imports_dir, vault),
    )
