"""The credit gate: the bot asks before the applicant commits; admins import the dishonesty list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, ServiceAuth, ServicesDep
from api.errors import ApiError, ErrorBody
from api.limits import read_upload
from api.runtime import Services
from api.services.credit import (
    MAX_IMPORT,
    ImportReport,
    canonical_subject,
    eligibility,
    import_as,
    subject_hashes,
)
from forms.credit import Eligibility
from forms.public import CreditAnswer
from forms.validation import IdType, Invalid

router = APIRouter(prefix="/api/credit", tags=["credit"])
# ImportReport is the services' model: its example lives here, with the route that answers it
REPORT_EXAMPLE = {"rows": 3, "added": 1, "kept": 2, "removed": 0, "problems": [], "applied": False}


class CreditQuestion(BaseModel):
    id_number: str = Field(min_length=1, max_length=40, examples=["11010519491231002X", "91350100M000100Y43"])
    id_type: IdType | None = Field(
        default=None, description="the kind of document; without it, a resident ID or a credit code"
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
    return CreditAnswer(eligible=reason.may_commit, reason=reason)


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
