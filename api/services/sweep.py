"""The sweep: what a crash or a lost race leaves on disk, removed once no write can still be in flight.

Letter PDFs no record names (a render whose digest was never recorded, the loser of a race that
died before deleting its copy), unfinished writes (a crash between writing and renaming), uploads
whose row was never committed, drawn signatures past the time their letter could be submitted, and
links (api/services/shares.py) that have ended.
Nothing younger than GRACE is touched: it may be a write about to be recorded. Clear PDFs from
before PDFs were encrypted are encrypted here. Several instances may sweep at once: each removal is
idempotent. Run at start, on the deadline timer (at most hourly), and by `chengnuo documents sweep`.

On PostgreSQL documents are rows written in the transaction that names them, so nothing is left
over: the sweep removes drawings and previewed imports past their life, and leaves the data
directory alone (files there are for `chengnuo documents migrate`, and it says so).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.config import ApiSettings
from api.drawings import DrawingStore
from api.pii import Vault
from api.services.shares import remove_ended
from api.services.submit import SIGNED_AT_MOST_AGO
from api.store import LetterRecord, Upload
from api.store.documents import DocumentKind, in_database
from api.store.documents.imports import ImportRows
from api.store.documents.rows import DocumentRows
from api.store.engine import writer
from api.store.pdf_files import PdfStore, StoredPdf
from api.store.upload_files import UploadFiles
from forms.files import DIRECTORY_MODE

GRACE = timedelta(hours=1)
SWEEP_EVERY = timedelta(hours=1)  # the sweep walks every stored file: not on each deadline run
# a drawing waits for its letter, which is refused once signed longer ago than this
DRAWING_LIFE = SIGNED_AT_MOST_AGO + timedelta(days=1)
BATCH = 500
log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Swept:
    """What one sweep removed or mended."""

    orphans: int = 0  # letter PDFs no record names
    unfinished: int = 0  # temporary files of writes that never finished
    uploads: int = 0  # uploaded files whose row was never committed
    drawings: int = 0  # drawn signatures past their life
    encrypted: int = 0  # clear PDFs from before, encrypted
    shares: int = 0  # links that have ended


def sweep_documents(engine: Engine, settings: ApiSettings, vault: Vault, *, now: float | None = None) -> Swept:
    """One sweep of the data directory's documents; `now` is a Unix time (the files' clock)."""
    now = time.time() if now is None else now
    if in_database(engine):
        return _sweep_rows(engine, settings, vault, now)
    settled = now - GRACE.total_seconds()
    swept = Swept()
    pdfs = PdfStore(settings.letters_dir, vault)
    uploads = UploadFiles(settings.uploads_dir, vault)
    drawings = DrawingStore(settings.signatures_dir, vault)
    for root in (settings.letters_dir, uploads.root, drawings.root):
        if root.is_dir() and root.stat().st_mode & 0o777 != DIRECTORY_MODE:
            root.chmod(DIRECTORY_MODE)  # made before directories were private
    temporary = [*pdfs.temporary_files(), *uploads.temporary_files()]
    swept.unfinished = _remove(p for p in temporary if _older(p, settled))
    with Session(engine) as session:
        for batch in batched((s for s in pdfs.files() if _older(s.path, settled)), BATCH):
            _sweep_pdfs(session, pdfs, batch, swept)
        for files in batched(((i, p) for i, p in uploads.files() if _older(p, settled)), BATCH):
            known = set(session.exec(select(Upload.id).where(col(Upload.id).in_([i for i, _ in files]))))
            swept.uploads += _remove(path for upload_id, path in files if upload_id not in known)
    with Session(writer(engine)) as session:
        swept.shares = remove_ended(session, datetime.fromtimestamp(now, UTC))
    stale = now - DRAWING_LIFE.total_seconds()
    swept.drawings = _remove(p for p in drawings.files() if _older(p, settled if p.name[0] == "." else stale))
    if any(vars(swept).values()):
        log.info("document sweep: %s", swept)
    return swept


def _sweep_rows(engine: Engine, settings: ApiSettings, vault: Vault, now: float) -> Swept:
    """The database's documents past their life, and the links that have ended."""
    rows, moment = DocumentRows(engine, vault), datetime.fromtimestamp(now, UTC)
    swept = Swept()
    with Session(writer(engine)) as session:
        swept.shares = remove_ended(session, moment)
        swept.drawings = rows.remove_older(session, DocumentKind.drawing, moment - DRAWING_LIFE)
        ImportRows(rows).sweep(session, now=moment)
    if any(vars(swept).values()):
        log.info("document sweep: %s", swept)
    left = [
        str(root)
        for root in (settings.letters_dir, settings.uploads_dir, settings.signatures_dir)
        if _holds_files(root)
    ]
    if left:
        log.warning(
            "documents are read from the database, but %s still hold files: run `chengnuo documents migrate`",
            ", ".join(left),
        )
    return swept


def _holds_files(root: Path) -> bool:
    return root.is_dir() and any(path.is_file() for path in root.glob("*/*"))


def _sweep_pdfs(session: Session, pdfs: PdfStore, batch: tuple[StoredPdf, ...], swept: Swept) -> None:
    numbers = {stored.number for stored in batch}
    rows = session.exec(
        select(LetterRecord.number, LetterRecord.pdf_sha256, LetterRecord.countersigned_sha256).where(
            col(LetterRecord.number).in_(numbers)
        )
    )
    recorded = {number: (sealed, countersigned) for number, sealed, countersigned in rows.all()}  # every revision
    for stored in batch:
        if not any(stored.names(digest) for digest in recorded.get(stored.number, ())):
            swept.orphans += _remove([stored.path])
        elif stored.clear:
            try:
                pdfs.encrypt_clear(stored)
            except FileNotFoundError:  # another worker's sweep, started at the same moment, was first
                continue
            swept.encrypted += 1


def _older(path: Path, than: float) -> bool:
    try:
        return path.stat().st_mtime < than
    except FileNotFoundError:  # renamed or removed meanwhile
        return False


def _remove(paths: Iterable[Path]) -> int:
    removed = 0
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:  # another instance's sweep was first
            continue
        removed += 1
    return removed


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """itertools.batched, which Python 3.11 lacks."""
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch
