"""Sealed PDFs: rendered once per letter whatever the races, encrypted at rest, read on the record."""

from __future__ import annotations

import asyncio
import hashlib
import io
from pathlib import Path

import httpx
import pypdf
import pytest
from sqlmodel import Session, select

from api.app import build_services
from api.runtime import Services, write_session
from api.services.pdfs import ensure_pdf
from api.services.submit import submit
from api.store import AccessLog, LetterRecord
from api.store.documents import DocumentKind
from forms.sample import SAMPLE_ID
from forms.seal import Verdict
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.api.stored import at_rest, damage, pdf_files, remove
from tests.api.uploading import PNG, agent, upload_id

PRIVATE = {"cache-control": "no-store", "x-content-type-options": "nosniff"}


def stored_files(services: Services, number: str) -> list[Path]:
    """Every file the letters directory holds for this letter, temporary ones included."""
    return pdf_files(services, number)


def stored_copies(services: Services, number: str) -> list[bytes]:
    """Every copy of the letter's PDF the store holds, as it holds it (files or rows)."""
    return at_rest(services, DocumentKind.pdf, number)


def record_of(services: Services, number: str) -> LetterRecord:
    with Session(services.engine) as session:
        return session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()


async def submitted(client: httpx.AsyncClient, services: Services, code: str) -> str:
    """A new letter, acknowledged: its number."""
    item = services.catalogue.items[code]
    made = await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    assert made.status_code == 201, made.text
    return str(made.json()["number"])


def unrendered_letter(services: Services, code: str = "SCJG-002") -> str:
    """A letter stored and numbered whose PDF was never made (as after a crash before rendering)."""
    item = services.catalogue.items[code]
    with write_session(services) as session:
        record, _, _ = submit(session, services.vault, submission_for(item), item, key=key())
    assert record.pdf_sha256 is None
    return record.number


async def test_concurrent_retries_with_one_key_render_one_pdf(client: httpx.AsyncClient, services: Services) -> None:
    """Six retries of one submission at once, with a real render worker: one sealed PDF, its digest
    recorded, and every copy served is that file, byte for byte."""
    submission, same = submission_for(services.catalogue.items["SCJG-002"]), key()
    answers = await asyncio.gather(
        *(client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": same}) for _ in range(6))
    )
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201], [a.text for a in answers]
    number = answers[0].json()["number"]
    assert len(stored_copies(services, number)) == 1
    record = record_of(services, number)
    stored = services.pdfs.read(record)
    assert stored is not None and hashlib.sha256(stored).hexdigest() == record.pdf_sha256
    served = await asyncio.gather(*(client.get(f"/api/letters/{number}/pdf") for _ in range(4)))
    assert all(pdf.content == stored for pdf in served)
    assert (await services.sealer.verify_async(stored)).verdict is Verdict.intact


async def test_two_instances_on_one_store_render_a_letter_once(services: Services) -> None:
    """A second API instance on the same store and data directory (as several uvicorn workers or
    machines are): the row's claim, not only this process's memory, makes the PDF once."""
    other = build_services(services.settings.model_copy(update={"render_workers": 0}))
    try:
        number = unrendered_letter(services)
        made = await asyncio.gather(
            *(ensure_pdf(instance, record_of(services, number)) for instance in (services, other) * 3)
        )
    finally:
        other.renderer.close()
        other.engine.dispose()
    assert len({hashlib.sha256(pdf).hexdigest() for pdf in made}) == 1
    assert len(stored_copies(services, number)) == 1
    assert hashlib.sha256(made[0]).hexdigest() == record_of(services, number).pdf_sha256


async def test_a_stale_claim_is_taken_over(client: httpx.AsyncClient, services: Services) -> None:
    """An instance that died while rendering leaves its claim; once the claim is stale, the letter
    is rendered by whoever asks next."""
    from api.services.pdfs import LEASE
    from forms import clock

    number = unrendered_letter(services)
    with write_session(services) as session:
        row = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        row.pdf_lease_token, row.pdf_lease_until = "died-mid-render", clock.now() - LEASE
        session.commit()
    pdf = await client.get(f"/api/letters/{number}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == record_of(services, number).pdf_sha256


async def test_a_recorded_pdf_whose_file_is_gone_is_an_error_not_a_new_letter(
    client: httpx.AsyncClient, services: Services
) -> None:
    """A second rendering would be another sealed document behind the record's back: the file
    (SQLite) or the row (PostgreSQL) gone, the PDF is an error naming the letter, the recorded
    digest stays, and nothing is rendered or stored in its place."""
    number = await submitted(client, services, "WLJ-001")
    recorded = record_of(services, number).pdf_sha256
    remove(services, DocumentKind.pdf, number)
    for _ in range(2):
        answer = await client.get(f"/api/letters/{number}/pdf")
        assert (answer.status_code, answer.json()["code"]) == (503, "pdf.unavailable")
        assert number in answer.json()["message"]
    assert stored_copies(services, number) == [] and stored_files(services, number) == []
    again = record_of(services, number)
    assert again.pdf_sha256 == recorded and again.pdf_lease_token is None
    code = again.verify_code
    verified = await client.get(f"/api/verify/{number}", params={"code": code})
    assert verified.status_code == 200 and verified.json()["stored_pdf_intact"] is False
    assert record_of(services, number).pdf_sha256 == recorded


async def test_the_pdf_on_disk_is_encrypted_and_private(client: httpx.AsyncClient, services: Services) -> None:
    number = await submitted(client, services, "SFJ-001")
    (on_disk,) = stored_copies(services, number)
    assert not on_disk.startswith(b"%PDF") and SAMPLE_ID.encode() not in on_disk
    with pytest.raises(pypdf.errors.PdfReadError):
        pypdf.PdfReader(io.BytesIO(on_disk))
    if not services.documents.in_database:
        (path,) = stored_files(services, number)
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700
    served = await client.get(f"/api/letters/{number}/pdf")
    assert (
        served.content.startswith(b"%PDF")
        and hashlib.sha256(served.content).hexdigest()
        == hashlib.sha256(services.pdfs.read(record_of(services, number)) or b"").hexdigest()
    )


async def test_staff_reads_of_a_pdf_or_attachment_are_logged(client: httpx.AsyncClient, services: Services) -> None:
    authorisation = await upload_id(client, PNG)
    item = services.catalogue.items["GAJ-001"]
    made = await client.post(
        "/api/letters", json=body(submission_for(item, agent=agent(authorisation))), headers={"Idempotency-Key": key()}
    )
    number = made.json()["number"]
    clerk = await bearer(client, *make_staff(services, departments=("GAJ",)))
    assert (await client.get(f"/api/letters/{number}/pdf")).status_code == 200  # the bot, for its applicant
    for _ in range(2):
        assert (await client.get(f"/api/letters/{number}/pdf", headers=clerk)).status_code == 200
    assert (await client.get(f"/api/uploads/{authorisation}", headers=clerk)).status_code == 200
    record = record_of(services, number)
    with Session(services.engine) as session:
        logged = session.exec(select(AccessLog).where(AccessLog.letter_id == record.id)).all()
    assert sorted(entry.action for entry in logged) == ["attachment", "pdf", "pdf"]


async def test_pdf_upload_and_reveal_answers_are_never_cached_or_sniffed(
    client: httpx.AsyncClient, services: Services
) -> None:
    authorisation = await upload_id(client, PNG)
    item = services.catalogue.items["GAJ-001"]
    submission = submission_for(item, agent=agent(authorisation))
    made = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": key()})
    number = made.json()["number"]
    clerk = await bearer(client, *make_staff(services, departments=("GAJ",)))
    draft = body(submission)
    del draft["signature"]
    answers = {
        "pdf": await client.get(f"/api/letters/{number}/pdf", headers=clerk),
        "upload": await client.get(f"/api/uploads/{authorisation}", headers=clerk),
        "reveal": await client.post(f"/api/letters/{number}/reveal", headers=clerk),
        "preview": await client.post("/api/previews", json=draft),
    }
    for name, answer in answers.items():
        assert answer.status_code == 200, (name, answer.text)
        assert {k: answer.headers.get(k) for k in PRIVATE} == PRIVATE, name


async def test_a_damaged_stored_pdf_is_reported_not_served(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["MZJ-001"]
    made = await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    number, code = made.json()["number"], made.json()["verify_code"]
    damage(services, DocumentKind.pdf, number)
    answer = await client.get(f"/api/letters/{number}/pdf")
    assert answer.status_code == 503 and number in answer.json()["message"]
    verified = await client.get(f"/api/verify/{number}", params={"code": code})
    assert verified.status_code == 200 and verified.json()["stored_pdf_intact"] is False
