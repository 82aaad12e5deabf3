"""A letter's sealed PDF: rendered once, whatever the retries, workers and instances racing for it.

Three layers make "once": in this process, concurrent requests for one letter share one job; across
processes and machines sharing the store, the job first claims the letter's row (a lease taken with
a conditional UPDATE; others wait for the digest; a claim left by a dead instance goes stale and is
taken over); and the digest is recorded only where none is, so a recorded PDF is never replaced.
The loser of any race deletes its own file and serves the winner's. A recorded PDF is never
rendered again: if its document is gone, that is an error naming the letter.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from datetime import timedelta
from enum import Enum
from functools import partial

from sqlalchemy import update
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError, pdf_refusal, storage_refusal
from api.runtime import Services, write_session
from api.services.documents import stored_letter
from api.store import LetterRecord
from api.store.pdf_files import PdfUnreadable
from forms import clock

LEASE = timedelta(seconds=120)  # far longer than a render, even queued behind a burst of them
WAIT = 50.0  # seconds a request waits for another instance's render (the bot waits 60)
POLL = 0.25
log = logging.getLogger(__name__)


class Claim(Enum):
    recorded = "recorded"  # the PDF is there: read it
    ours = "ours"  # this job renders it
    taken = "taken"  # another instance renders it now: wait


async def ensure_pdf(services: Services, record: LetterRecord) -> bytes:
    """The letter's sealed PDF, rendered now if it was never made (a crash between numbering and
    rendering leaves a letter without one). No transaction is open while the PDF renders.
    503 pdf.unavailable when it cannot be made or read; 507/503 storage.* when it cannot be stored."""
    try:
        if record.pdf_sha256 is not None:
            return await run_in_threadpool(_read, services, record)
        return await _shared_job(services, record)
    except ApiError:
        raise
    except Exception as error:
        refusal = storage_refusal(error)
        if refusal is not None:
            raise refusal from error
        log.exception("cannot make the PDF of %s", record.number)
        raise pdf_refusal(error, "PDF") from error


async def _shared_job(services: Services, record: LetterRecord) -> bytes:
    """One job per letter in this process: concurrent requests await the same one, and a request
    that goes away does not cancel it for the others."""
    assert record.id is not None
    jobs = services.pdf_jobs
    job = jobs.get(record.id)
    if job is None or job.get_loop() is not asyncio.get_running_loop():
        job = asyncio.ensure_future(_make(services, record))
        jobs[record.id] = job
        job.add_done_callback(partial(_forget, jobs, record.id))
    return await asyncio.shield(job)


def _forget(jobs: dict[int, asyncio.Future[bytes]], letter_id: int, done: asyncio.Future[bytes]) -> None:
    if jobs.get(letter_id) is done:
        del jobs[letter_id]


async def _make(services: Services, record: LetterRecord) -> bytes:
    assert record.id is not None
    token = secrets.token_hex(16)
    give_up = time.monotonic() + WAIT
    while True:
        claim, digest = await run_in_threadpool(_claim, services, record.id, token)
        if claim is Claim.recorded:
            record.pdf_sha256 = digest
            return await run_in_threadpool(_read, services, record)
        if claim is Claim.ours:
            return await _render(services, record, token)
        if time.monotonic() > give_up:
            raise ApiError(503, "pdf.unavailable", f"the PDF of {record.number} is still being made; try again shortly")
        await asyncio.sleep(POLL)


def _claim(services: Services, letter_id: int, token: str) -> tuple[Claim, str | None]:
    now = clock.now()
    with write_session(services) as session:
        taken = session.execute(
            update(LetterRecord)
            .where(
                col(LetterRecord.id) == letter_id,
                col(LetterRecord.pdf_sha256).is_(None),
                col(LetterRecord.pdf_lease_until).is_(None) | (col(LetterRecord.pdf_lease_until) < now),
            )
            .values(pdf_lease_token=token, pdf_lease_until=now + LEASE)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            session.commit()
            return Claim.ours, None
        digest = session.exec(select(LetterRecord.pdf_sha256).where(LetterRecord.id == letter_id)).one()
        return (Claim.recorded, digest) if digest is not None else (Claim.taken, None)


async def _render(services: Services, record: LetterRecord, token: str) -> bytes:
    try:
        letter, item = stored_letter(services.vault, record)
        pdf = await services.renderer.render(letter, item)
        ours = await run_in_threadpool(_store, services, record, pdf)
    except BaseException:
        await run_in_threadpool(_release, services, record, token)
        raise
    return pdf if ours else await run_in_threadpool(_read, services, record)


def _store(services: Services, record: LetterRecord, pdf: bytes) -> bool:
    """Record the PDF's digest where none is, with the PDF: a file is written durably before
    the transaction, a row (PostgreSQL) in it, so the row never names a document that is not
    there, and never changes its PDF. True when ours became the letter's PDF; either way
    record.pdf_sha256 is then the recorded digest."""
    digest, staged = services.pdfs.stage(record, pdf)
    # if this fails, a file stays until the sweep finds no record naming it (a row goes with the rollback)
    with write_session(services) as session:
        recorded = session.execute(
            update(LetterRecord)
            .where(col(LetterRecord.id) == record.id, col(LetterRecord.pdf_sha256).is_(None))
            .values(pdf_sha256=digest, pdf_lease_token=None, pdf_lease_until=None, updated_at=clock.now())
        )
        ours = recorded.rowcount == 1  # type: ignore[attr-defined]
        if ours:
            staged.record(session)
        session.commit()
        winner: str | None = digest
        if not ours:
            winner = session.exec(select(LetterRecord.pdf_sha256).where(LetterRecord.id == record.id)).one()
    if winner != digest:  # another instance recorded first: its PDF is the letter's, ours goes
        staged.discard()
    record.pdf_sha256 = winner
    return winner == digest


def _release(services: Services, record: LetterRecord, token: str) -> None:
    """Give up our claim after a failure, so the next request need not wait for it to go stale."""
    try:
        with write_session(services) as session:
            session.execute(
                update(LetterRecord)
                .where(col(LetterRecord.id) == record.id, col(LetterRecord.pdf_lease_token) == token)
                .values(pdf_lease_token=None, pdf_lease_until=None)
            )
            session.commit()
    except Exception:  # the claim goes stale by itself
        log.warning("could not release the PDF claim on %s", record.number, exc_info=True)


def _read(services: Services, record: LetterRecord) -> bytes:
    try:
        pdf = services.pdfs.read(record)
    except PdfUnreadable as error:
        log.error("the stored PDF of letter %s is damaged: %s", record.number, error)
        pdf = None
    if pdf is None:
        log.error("the stored PDF of letter %s (sha256 %s) cannot be read", record.number, record.pdf_sha256)
        raise ApiError(503, "pdf.unavailable", f"the stored PDF of letter {record.number} cannot be read")
    return pdf
