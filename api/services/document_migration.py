"""Moving a data directory's documents into PostgreSQL (`chengnuo documents migrate`).

Every document is checked before it is moved: a letter's PDF against the digest its record names,
an upload against its row's, a drawing against the keyed name it is stored under. One batch is one
transaction, and a file is removed only once its row is committed, so the move can be cut off and
run again: what is in the database already is counted as such. Each machine of a region runs it on
its own data directory; a document another machine holds is "missing" here until that one has run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.config import ApiSettings
from api.drawings import DrawingStore, drawing_key
from api.pii import Vault
from api.services.sweep import batched
from api.store import LetterRecord, Upload
from api.store.documents import Document, DocumentKind
from api.store.documents.letters import pdf_ref, upload_ref
from api.store.documents.rows import DocumentRef, DocumentRows
from api.store.engine import writer
from api.store.pdf_files import CLEAR, PdfStore, PdfUnreadable
from api.store.upload_files import UploadFiles
from forms.files import TEMPORARY_PREFIX

BATCH = 200
log = logging.getLogger(__name__)


@dataclass
class Migrated:
    """What one run found: moved now, in the database already, in neither, or not what the record says."""

    moved: int = 0
    already: int = 0
    missing: int = 0
    mismatched: int = 0
    problems: list[str] = field(default_factory=list)  # one line for each missing or mismatched document

    def summary(self) -> str:
        return f"{self.moved} moved, {self.already} already there, {self.missing} missing, {self.mismatched} mismatched"


@dataclass(frozen=True)
class _Found:
    """A document the database lacks, as the data directory holds it."""

    ref: DocumentRef
    data: bytes | None  # None: no file, or one that does not decrypt (then `problem` says so)
    paths: tuple[Path, ...]  # the files to remove once its row is committed
    expected: str | None  # the digest the record names, if a record names one
    created_at: datetime
    problem: str | None = None


def migrate_documents(engine: Engine, settings: ApiSettings, vault: Vault, *, keep_files: bool = False) -> Migrated:
    """Move the data directory's PDFs, uploads and drawings into the `documents` table."""
    rows, done = DocumentRows(engine, vault), Migrated()
    pdfs, uploads = PdfStore(settings.letters_dir, vault), UploadFiles(settings.uploads_dir, vault)
    with Session(engine) as reading:
        recorded = col(LetterRecord.pdf_sha256).is_not(None)
        letters = reading.exec(
            select(LetterRecord).where(recorded).order_by(col(LetterRecord.id)).execution_options(yield_per=BATCH)
        )
        for batch in batched(letters, BATCH):
            found = [_letter_pdf(pdfs, record, revision) for record in batch for revision in _revisions(record)]
            _move(rows, found, done, keep_files)
        files = reading.exec(select(Upload).order_by(col(Upload.id)).execution_options(yield_per=BATCH))
        for ups in batched(files, BATCH):
            _move(rows, [_upload(uploads, upload) for upload in ups], done, keep_files)
    drawings = DrawingStore(settings.signatures_dir, vault)
    for paths in batched((p for p in drawings.files() if not p.name.startswith(TEMPORARY_PREFIX)), BATCH):
        _move(rows, [_drawing(vault, path) for path in paths], done, keep_files)
    return done


def _revisions(record: LetterRecord) -> range:
    """Every revision of the letter's PDF: the sealed one, and the countersigned one once accepted."""
    return range(record.pdf_revision + 1)


def _letter_pdf(pdfs: PdfStore, record: LetterRecord, revision: int = 0) -> _Found:
    digest = record.pdf_digest(revision)
    assert digest is not None
    paths = (pdfs.path(record, digest), pdfs.path(record, digest, CLEAR))
    ref = pdf_ref(record.number, revision)
    try:
        data, problem = pdfs.read(record, revision), None
    except PdfUnreadable as error:
        data, problem = None, str(error)
    return _Found(ref, data, paths, digest, record.updated_at, problem)


def _upload(uploads: UploadFiles, upload: Upload) -> _Found:
    try:
        data, problem = uploads.read(upload.id), None
    except InvalidTag:
        data, problem = None, f"{upload.id} does not decrypt"
    return _Found(upload_ref(upload.id), data, (uploads.path(upload.id),), upload.sha256, upload.created_at, problem)


def _drawing(vault: Vault, path: Path) -> _Found:
    """A drawing names no record: it must decrypt, and be stored under the name its pair makes."""
    ref = DocumentRef(DocumentKind.drawing, path.name)
    try:
        record = json.loads(vault.decrypt(path.read_bytes()))
        name = drawing_key(vault, record["user"], record["content_hash"])
    except (InvalidTag, ValueError, KeyError):
        return _Found(ref, None, (path,), None, datetime.fromtimestamp(0).astimezone(), f"{path.name} does not decrypt")
    if name != path.name:
        problem = f"{path.name} is another drawing's"
        return _Found(ref, None, (path,), None, datetime.fromisoformat(record["stored_at"]), problem)
    data = json.dumps(record).encode()
    return _Found(ref, data, (path,), None, datetime.fromisoformat(record["stored_at"]))


def _move(rows: DocumentRows, found: Sequence[_Found], done: Migrated, keep_files: bool) -> None:
    """One batch in one transaction; the files of what it committed (or held already) go after it."""
    if not found:
        return
    kind = found[0].ref.kind
    gone: list[Path] = []
    with Session(writer(rows.engine)) as session:
        present = dict(
            session.exec(
                select(Document.key, Document.sha256).where(
                    col(Document.kind) == kind.value,
                    col(Document.revision) == 0,
                    col(Document.key).in_([f.ref.key for f in found]),
                )
            ).all()
        )
        for each in found:
            if each.ref.key in present and each.expected in (None, present[each.ref.key]):
                done.already += 1
                gone += each.paths if each.data is not None else ()
            elif each.ref.key in present:
                _mismatched(done, each, "the database holds another document than the record names")
            elif each.problem is not None:
                _mismatched(done, each, each.problem)
            elif each.data is None:
                done.missing += 1
                done.problems.append(f"missing: {kind.value} {each.ref.key}: neither here nor in the database")
            elif each.expected is not None and hashlib.sha256(each.data).hexdigest() != each.expected:
                _mismatched(done, each, "its digest is not the one its record names")
            else:
                session.add(rows.row(each.ref, each.data, created_at=each.created_at))
                done.moved += 1
                gone += each.paths
        session.commit()
    if not keep_files:
        _remove(gone)


def _mismatched(done: Migrated, found: _Found, why: str) -> None:
    done.mismatched += 1
    done.problems.append(f"mismatched: {found.ref.kind.value} {found.ref.key}: {why}")


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
