"""The credit gate: the bot asks before the applicant commits; admins import the dishonesty list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, ServiceAuth, Services, ServicesDep, write_session
from api.errors import ApiError, ErrorBody
from api.services.credit import (
    Eligibility,
    ImportReport,
    batch_name,
    canonical_subject,
    eligibility,
    import_list,
    subject_hashes,
)
from api.views import examples
from forms.validation import IdType, Invalid

router = APIRouter(prefix="/api/credit", tags=["credit"])
MAX_IMPORT = 20 * 1024 * 1024
# ImportReport is the services' model: its example lives here, with the route that answers it
REPORT_EXAMPLE = {"rows": 3, "added": 1, "kept": 2, "removed": 0, "problems": [], "applied": False}


class CreditQuestion(BaseModel):
    id_number: str = Field(min_length=1, max_length=40, examples=["11010519491231002X", "91350100M000100Y43"])
    id_type: IdType | None = Field(
        default=None, description="the kind of document; without it, a resident ID or a credit code"
    )


class CreditAnswer(BaseModel):
    """Eligible or not, with a reason code and no details about the record."""

    model_config = examples({"eligible": True, "reason": "eligible"}, {"eligible": False, "reason": "dishonest"})

    eligible: bool
    reason: Eligibility


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
    return CreditAnswer(eligible=reason in (Eligibility.eligible, Eligibility.green_channel), reason=reason)


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
    data = await read_list(file)
    return await run_in_threadpool(import_as, services, admin.username, data, dry_run=dry_run)


# Shared with the import page (api/pages/credit.py).


async def read_list(file: UploadFile) -> bytes:
    """The uploaded list's bytes; 422 upload.too_large beyond 20 MB (read no further than that)."""
    data = await file.read(MAX_IMPORT + 1)
    if len(data) > MAX_IMPORT:
        raise ApiError(422, "upload.too_large", "the list is larger than 20 MB")
    return data


def import_as(services: Services, username: str, data: bytes, *, dry_run: bool) -> ImportReport:
    """An administrator's import (or its dry run), in a thread: the batch bears their name."""
    with write_session(services) as session:
        return import_list(session, services.vault, data, batch=batch_name(username), dry_run=dry_run)
