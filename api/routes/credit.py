"""The credit gate: the bot asks before the applicant commits; admins import the dishonesty list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, ServiceAuth, ServicesDep, SessionDep, WriteSessionDep
from api.errors import ApiError, ErrorBody, not_found
from api.limits import read_upload
from api.params import ObjectionText, RowIdPath
from api.routes.applicant import ObjectionPublic, ObjectionResolution
from api.runtime import Services
from api.services.credit import (
    MAX_IMPORT,
    ImportReport,
    canonical_subject,
    eligibility,
    import_as,
    subject_hashes,
)
from api.services.objections import credit_objections, object_to_refusal, resolve
from api.services.repair import record_repair
from api.store import Objection
from forms.catalogue import CommitmentType
from forms.channels import ActingUser
from forms.credit import Eligibility
from forms.languages import Lang
from forms.public import CreditAnswer
from forms.validation import IdType, Invalid, mask_id

router = APIRouter(prefix="/api/credit", tags=["credit"])
# ImportReport is the services' model: its example lives here, with the route that answers it
REPORT_EXAMPLE = {"rows": 3, "added": 1, "kept": 2, "removed": 0, "problems": [], "applied": False}


class CreditQuestion(BaseModel):
    id_number: str = Field(min_length=1, max_length=40, examples=["11010519491231002X", "91350100M000100Y43"])
    id_type: IdType | None = Field(
        default=None, description="the kind of document; without it, a resident ID or a credit code"
    )
    commitment_type: CommitmentType | None = Field(
        default=None, description="the letter's type: a listed subject is eligible for credit_repair only"
    )


@router.post("/check", response_model=CreditAnswer, dependencies=[ServiceAuth], responses={422: {"model": ErrorBody}})
async def check(question: CreditQuestion, services: ServicesDep) -> CreditAnswer:
    """Asked as soon as the bot knows the applicant's document number, of whatever kind."""
    try:
        canonical_subject(question.id_number, question.id_type)
    except Invalid as error:
        raise ApiError(422, error.reason.value, "not a valid number for this kind of document") from None
    hashes = subject_hashes(services.vault, question.id_number)
    # asked at a step of the conversation: a keyed read of a local file is quicker than a thread hop
    if services.reads_inline:
        reason = _eligibility(services, hashes)
    else:
        reason = await run_in_threadpool(_eligibility, services, hashes)
    eligible = reason.admits(question.commitment_type) if question.commitment_type else reason.may_commit
    return CreditAnswer(eligible=eligible, reason=reason)


def _eligibility(services: Services, hashes: list[str]) -> Eligibility:
    with Session(services.engine) as session:
        return eligibility(session, hashes)


@router.post(
    "/imports",
    response_model=ImportReport,
    responses={
        200: {"content": {"application/json": {"example": REPORT_EXAMPLE}}},
        **{code: {"model": ErrorBody} for code in (401, 403, 422)},
    },
)
async def import_dishonesty_list(
    admin: AdminDep,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="CSV: id_number,name,reason,listed_on, and optionally id_type")],
    dry_run: Annotated[bool, Query(description="only report what would change")] = True,
) -> ImportReport:
    """Replace the imported list with the file's, all or nothing; bad rows are reported by line."""
    data = await read_upload(file, MAX_IMPORT)
    return await run_in_threadpool(import_as, services, admin.username, data, dry_run=dry_run)


class CreditObjection(ActingUser):
    """An applicant refused by the credit check objects to the record that refused them (异议)."""

    id_number: str = Field(min_length=1, max_length=40)
    id_type: IdType | None = None
    text: ObjectionText
    language: Lang = Lang.zh

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "telegram",
                    "channel_user": "100000001",
                    "id_number": "11010519491231002X",
                    "text": "该案件已执行完毕，法院已出具结案证明",
                    "language": "zh",
                }
            ]
        },
    )


class CreditObjectionPublic(ObjectionPublic):
    subject_masked: str | None


OBJECTION_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422)
}


@router.post("/objections", status_code=201, response_model=CreditObjectionPublic, responses=OBJECTION_ERRORS,
             dependencies=[ServiceAuth])  # fmt: skip
def object_to_credit_refusal(
    objection: CreditObjection, services: ServicesDep, session: WriteSessionDep
) -> CreditObjectionPublic:
    """Kept for the credit office; 409 objection.not_listed when nothing bars the number."""
    try:
        number, _ = canonical_subject(objection.id_number, objection.id_type)
    except Invalid as error:
        raise ApiError(422, error.reason.value, "not a valid number for this kind of document") from None
    stored = object_to_refusal(session, subject_hashes(services.vault, objection.id_number), mask_id(number),
                               who=objection.who, text=objection.text, language=objection.language)  # fmt: skip
    return CreditObjectionPublic.model_validate(stored, from_attributes=True)


@router.get("/objections", response_model=list[CreditObjectionPublic], responses=OBJECTION_ERRORS)
def list_credit_objections(session: SessionDep, admin: AdminDep) -> list[CreditObjectionPublic]:
    """Unanswered objections to credit refusals, oldest first (the first 50)."""
    return [CreditObjectionPublic.model_validate(o, from_attributes=True) for o in credit_objections(session)]


@router.post("/objections/{objection_id}/resolution", response_model=CreditObjectionPublic,
             responses=OBJECTION_ERRORS)  # fmt: skip
def resolve_credit_objection(
    objection_id: RowIdPath, answer: ObjectionResolution, session: WriteSessionDep, admin: AdminDep
) -> CreditObjectionPublic:
    """Upheld: the records that refused the applicant are lifted; the applicant is told either way."""
    objection = session.get(Objection, objection_id)
    if objection is None or objection.letter_id is not None:
        raise not_found("objection")
    done = resolve(session, objection, None, outcome=answer.outcome, reason=answer.reason,
                   actor=f"staff:{admin.username}")  # fmt: skip
    return CreditObjectionPublic.model_validate(done, from_attributes=True)


class RepairRecorded(BaseModel):
    """The credit office records that a subject has repaired its credit (信用修复)."""

    id_number: str = Field(min_length=1, max_length=40)
    id_type: IdType | None = None
    reason: str = Field(min_length=1, max_length=500, description="the grounds: what was put right")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"id_number": "91350100M000100Y43", "reason": "已履行法院判决并完成信用修复承诺"}]
        },
    )


class RepairResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"records": 1, "letters": ["SCJG-2026-000007"]}]})

    records: int  # the open records now repaired
    letters: list[str]  # the letters those records came from: their publications are due for taking down


@router.post("/repairs", response_model=RepairResult, responses=OBJECTION_ERRORS)
def repair(recorded: RepairRecorded, services: ServicesDep, session: WriteSessionDep, admin: AdminDep) -> RepairResult:
    """The subject leaves the list; what was published of its records comes down within 3 working days.

    409 credit.not_listed when the subject has no open record."""
    done = record_repair(session, services.vault, recorded.id_number, recorded.id_type, reason=recorded.reason,
                         actor=f"staff:{admin.username}")  # fmt: skip
    return RepairResult(records=done.records, letters=done.letters)
