"""A letter's sealed PDF and the files handed in for it, as rows (the shared backend)."""

from __future__ import annotations

import hashlib

from api.store.documents.rows import DocumentKind, DocumentRef, DocumentRows, DocumentUnreadable, StagedRow
from api.store.letters import LetterRecord
from api.store.pdf_files import PdfUnreadable

PLATFORM_SEAL = 0  # the revision sealed by the platform; 1: the department's countersignature added


def pdf_ref(number: str, revision: int = PLATFORM_SEAL) -> DocumentRef:
    return DocumentRef(DocumentKind.pdf, number, revision)


def upload_ref(upload_id: str) -> DocumentRef:
    return DocumentRef(DocumentKind.upload, upload_id)


class PdfRows:
    """Sealed PDFs by letter number and revision; the row's digest must be the one the letter records."""

    def __init__(self, rows: DocumentRows) -> None:
        self.rows = rows

    def stage(self, record: LetterRecord, pdf: bytes, revision: int = PLATFORM_SEAL) -> tuple[str, StagedRow]:
        """The PDF's digest, and its row for the transaction that records that digest."""
        return hashlib.sha256(pdf).hexdigest(), self.rows.stage(pdf_ref(record.number, revision), pdf)

    def read(self, record: LetterRecord, revision: int | None = None) -> bytes | None:
        """A recorded revision (the current one unless told), or None when none is recorded or its
        row is gone; PdfUnreadable when the row does not decrypt or holds another PDF than the
        recorded one."""
        revision = record.pdf_revision if revision is None else revision
        digest = record.pdf_digest(revision)
        if digest is None:
            return None
        try:
            stored = self.rows.read(pdf_ref(record.number, revision))
        except DocumentUnreadable as error:
            raise PdfUnreadable(str(error)) from None
        if stored is None:
            return None
        if stored.sha256 != digest or hashlib.sha256(stored.data).hexdigest() != digest:
            raise PdfUnreadable(f"the stored PDF of {record.number} is not the recorded one")
        return stored.data


class UploadRows:
    """Uploaded files by upload id, added in the transaction that adds the upload's row."""

    def __init__(self, rows: DocumentRows) -> None:
        self.rows = rows

    def stage(self, upload_id: str, data: bytes) -> StagedRow:
        return self.rows.stage(upload_ref(upload_id), data)

    def read(self, upload_id: str) -> bytes | None:
        """The file as it was received, or None when it is gone."""
        stored = self.rows.read(upload_ref(upload_id))
        return None if stored is None else stored.data
