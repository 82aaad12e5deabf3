"""Letters: the bot submits them; the windows (and the bot, for its applicant) read them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Response
from pydantic import BaseModel
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from api.deps import ServiceAuth, Services, ServicesDep, SessionDep, write_session
from api.errors import ErrorBody, not_found
from api.services.pdfs import ensure_pdf
from api.services.submit import checked_item, submit
from api.store import LetterEvent, LetterRecord
from forms import clock
from forms.catalogue import Item
from forms.letter import LETTER_NUMBER_PATTERN
from forms.submission import LetterSubmission

router = APIRouter(prefix="/api/letters", tags=["letters"])
NumberPath = Annotated[str, Path(pattern=LETTER_NUMBER_PATTERN, examples=["SFJ-2026-000042"])]
IdempotencyKeyHeader = Annotated[
    str,
    Header(alias="Idempotency-Key", min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
           description="Unique per letter: a retry with the same key returns the same letter"),
]  # fmt: skip
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 404, 409, 422)}


class Submitted(BaseModel):
    """What the bot tells the applicant: the number, the code to verify it, where the PDF is."""

    number: str
    status: str
    verify_code: str
    pdf_url: str
    verify_url: str
    created: bool


class LetterPublic(BaseModel):
    """A letter as a list or a detail shows it: personal numbers masked, the birth date hidden."""

    number: str
    item_code: str
    department_code: str
    commitment_type: str
    status: str
    applicant_kind: str
    applicant_name: str
    id_type: str
    id_masked: str
    phone_masked: str
    language: str
    public: bool
    signed_at: datetime
    valid_until: date
    supplement_due_on: date | None

    @classmethod
    def of(cls, record: LetterRecord) -> LetterPublic:
        return cls.model_validate(record, from_attributes=True)


class EventPublic(BaseModel):
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    reason: str


@router.post("", status_code=201, response_model=Submitted, responses=ERRORS, dependencies=[ServiceAuth])
async def submit_letter(
    submission: LetterSubmission, key: IdempotencyKeyHeader, services: ServicesDep, response: Response
) -> Submitted:
    """Check the signed letter again, number it, render and seal its PDF, store it."""
    item = checked_item(submission, services.catalogue, now=clock.now())
    record, created = await run_in_threadpool(_submit, services, submission, item, key)
    await ensure_pdf(services, record)
    if not created:
        response.status_code = 200
    return Submitted(
        number=record.number,
        status=record.status,
        verify_code=record.verify_code,
        pdf_url=f"/api/letters/{record.number}/pdf",
        verify_url=services.settings.verify_url(record.number, record.verify_code),
        created=created,
    )


def _submit(services: Services, submission: LetterSubmission, item: Item, key: str) -> tuple[LetterRecord, bool]:
    with write_session(services) as session:
        record, _, created = submit(session, services.vault, submission, item, key=key)
        return record, created


def load_letter(session: Session, number: str) -> LetterRecord:
    record = session.exec(select(LetterRecord).where(LetterRecord.number == number)).first()
    if record is None:
        raise not_found("letter")
    return record


@router.get("/{number}", response_model=LetterPublic, responses=ERRORS, dependencies=[ServiceAuth])
def get_letter(number: NumberPath, session: SessionDep) -> LetterPublic:
    return LetterPublic.of(load_letter(session, number))


@router.get(
    "/{number}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **ERRORS},
    dependencies=[ServiceAuth],
)
async def get_letter_pdf(number: NumberPath, services: ServicesDep) -> Response:
    record = await run_in_threadpool(_load, services, number)
    pdf = await ensure_pdf(services, record)
    headers = {"Content-Disposition": f'inline; filename="{record.number}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _load(services: Services, number: str) -> LetterRecord:
    with Session(services.engine, expire_on_commit=False) as session:
        return load_letter(session, number)


@router.get("/{number}/events", response_model=list[EventPublic], responses=ERRORS, dependencies=[ServiceAuth])
def get_letter_events(number: NumberPath, session: SessionDep) -> list[EventPublic]:
    record = load_letter(session, number)
    events = session.exec(select(LetterEvent).where(LetterEvent.letter_id == record.id).order_by(col(LetterEvent.id)))
    return [EventPublic.model_validate(e, from_attributes=True) for e in events]
