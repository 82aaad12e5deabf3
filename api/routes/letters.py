"""Letters: the bot submits them; the windows (and the bot, for its applicant) read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from api.callers import Caller
from api.deps import CallerDep, ServiceAuth, ServicesDep, SessionDep, WriteSessionDep
from api.errors import ApiError, ErrorBody, not_found
from api.params import NumberPath as NumberPath  # the letters' routes elsewhere take it from here
from api.runtime import Services, write_session
from api.services.credit import verdict
from api.services.dossier import log_read
from api.services.dossier import reveal as reveal_numbers
from api.services.finding import load_letter
from api.services.pdfs import ensure_pdf
from api.services.search import Sort, find_letters
from api.services.submit import checked_item, submit
from api.store import IdempotencyKey, LetterEvent, LetterRecord
from api.views import PRIVATE_HEADERS, EventPublic, LetterPublic, PersonalData, Submitted
from forms import clock
from forms.catalogue import CommitmentType, Item
from forms.credit import CreditVerdict
from forms.submission import LetterSubmission

router = APIRouter(prefix="/api/letters", tags=["letters"])
IdempotencyKeyHeader = Annotated[
    str,
    Header(alias="Idempotency-Key", min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
           description="Unique per letter: a retry with the same key returns the same letter",
           examples=["tg-100000001-5f1c9a2b"]),
]  # fmt: skip
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422, 503)}
STORING: dict[int | str, dict[str, object]] = {**ERRORS, 507: {"model": ErrorBody}}


@router.post("", status_code=201, response_model=Submitted, responses=STORING, dependencies=[ServiceAuth])
async def submit_letter(
    submission: LetterSubmission, key: IdempotencyKeyHeader, services: ServicesDep, response: Response
) -> Submitted:
    """Check the signed letter again, number it, render and seal its PDF, store it durably; only
    then 201. When the PDF cannot be made or stored (503 pdf.unavailable, 507 storage.full), nothing
    is acknowledged: the retry with the same Idempotency-Key finishes the same letter."""
    # the credit gate first: a listed subject is told so whatever else is wrong, whatever kind of
    # document or way of typing the number was chosen
    if services.reads_inline:
        _gate(services, submission, key)
    else:
        await run_in_threadpool(_gate, services, submission, key)
    # off the loop: a drawn signature is decoded to be checked (a few ms), as lookups wait on the loop
    item = await run_in_threadpool(checked_item, submission, services.catalogue, now=clock.now())
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
        checked = _refuse_if_barred(session, services, submission, key)  # again in the transaction: listed meanwhile
        record, _, created = submit(session, services.vault, submission, item, key=key, verdict=checked)
        return record, created


def _gate(services: Services, submission: LetterSubmission, key: str) -> None:
    with Session(services.engine) as session:
        _refuse_if_barred(session, services, submission, key)


def _refuse_if_barred(session: Session, services: Services, submission: LetterSubmission, key: str) -> CreditVerdict:
    """403 credit.* for a subject with an open record, under any form of the number as typed, unless
    the letter is the credit-repair commitment (信用修复型) a listed subject may still make;
    403 credit.agent.* for an agent with one: a listed person commits for nobody."""
    item = services.catalogue.get(submission.item_code)
    kind = item.commitment_type if item is not None else CommitmentType.other  # an unknown item is refused later
    agent = submission.agent.id_number if submission.agent is not None else None
    checked = verdict(session, services.vault, submission.applicant.id_number, agent)
    # a retry of a letter stored before the listing still gets its letter back
    if session.get(IdempotencyKey, key) is not None:
        return checked
    if not checked.applicant.admits(kind):
        raise ApiError(403, f"credit.{checked.applicant.value}", "this subject may not use the commitment route")
    if checked.agent is not None and not checked.agent.may_commit:
        message = "the agent may not commit on anyone's behalf: their own credit record bars them"
        raise ApiError(403, f"credit.agent.{checked.agent.value}", message)
    return checked


@router.get("/{number}", response_model=LetterPublic, responses=ERRORS)
async def get_letter(number: NumberPath, services: ServicesDep, caller: CallerDep) -> LetterPublic:
    if services.reads_inline:  # one indexed row of a local file: quicker than a hop to a thread
        return _shown(services, number, caller)
    return await run_in_threadpool(_shown, services, number, caller)


def _shown(services: Services, number: str, caller: Caller) -> LetterPublic:
    with services.lookup_engine.connect() as connection:
        # a page of 2 for a unique number: a page not full is the whole result, so nothing is counted
        found = find_letters(connection, {"number": number}, sort=Sort.number, page=1, per_page=2).rows
    if not found or not caller.may_see(found[0].department_code):
        raise not_found("letter")
    return LetterPublic.of(found[0])


@router.post("/{number}/reveal", response_model=PersonalData, responses=ERRORS)
def reveal(
    number: NumberPath, session: WriteSessionDep, caller: CallerDep, services: ServicesDep, response: Response
) -> PersonalData:
    """The ID and phone numbers in full, for a member of staff; every call is in the access log."""
    if caller.staff is None:
        raise ApiError(403, "forbidden", "personal data is shown to staff only")
    record = load_letter(session, number, caller)
    id_number, phone = reveal_numbers(session, services.vault, record, caller.staff.id)
    response.headers.update(PRIVATE_HEADERS)
    return PersonalData(number=record.number, id_number=id_number, phone=phone)


@router.get(
    "/{number}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **STORING},
)
async def get_letter_pdf(number: NumberPath, services: ServicesDep, caller: CallerDep) -> Response:
    """The sealed letter, ID and phone in full: every read by staff is in the access log."""
    record = await run_in_threadpool(_load, services, number, caller)
    pdf = await ensure_pdf(services, record)
    if caller.staff is not None:
        await run_in_threadpool(_log_read, services, caller.staff.id, record)
    headers = {"Content-Disposition": f'inline; filename="{record.number}.pdf"', **PRIVATE_HEADERS}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _load(services: Services, number: str, caller: Caller) -> LetterRecord:
    with Session(services.engine, expire_on_commit=False) as session:
        return load_letter(session, number, caller)


def _log_read(services: Services, staff_id: int, record: LetterRecord) -> None:
    assert record.id is not None
    with write_session(services) as session:
        log_read(session, staff_id=staff_id, letter_id=record.id, action="pdf")


@router.get("/{number}/events", response_model=list[EventPublic], responses=ERRORS)
def get_letter_events(number: NumberPath, session: SessionDep, caller: CallerDep) -> list[EventPublic]:
    record = load_letter(session, number, caller)
    events = session.exec(select(LetterEvent).where(LetterEvent.letter_id == record.id).order_by(col(LetterEvent.id)))
    return [EventPublic.model_validate(e, from_attributes=True) for e in events]
