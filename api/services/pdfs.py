"""A letter's sealed PDF: read from the store, or rendered and stored when it is missing."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from api.deps import Services, write_session
from api.services.documents import stored_letter
from api.store import LetterRecord
from forms import clock


async def ensure_pdf(services: Services, record: LetterRecord) -> bytes:
    """The letter's sealed PDF, rendered now if it is missing (a crash between numbering and
    rendering leaves a letter without one; the next request mends it). No transaction is open
    while the PDF renders."""
    stored = await run_in_threadpool(services.pdfs.read, record)
    if stored is not None:
        return stored
    letter, item = stored_letter(services.vault, record)
    pdf = await services.renderer.render(letter, item)
    record.pdf_sha256 = await run_in_threadpool(_store_pdf, services, record, pdf)
    return pdf


def _store_pdf(services: Services, record: LetterRecord, pdf: bytes) -> str:
    """Write the file, then record its digest: the row never names a file that is not there."""
    digest = services.pdfs.write(record, pdf)
    with write_session(services) as session:
        stored = session.get(LetterRecord, record.id)
        if stored is not None:
            stored.pdf_sha256, stored.updated_at = digest, clock.now()
            session.commit()
    return digest
