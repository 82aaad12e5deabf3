"""Public verification: is this letter genuine, unaltered, and what is its status now."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, SessionDep
from api.errors import ApiError, ErrorBody
from api.routes.letters import NumberPath
from api.store import LetterRecord
from api.views import examples
from forms.seal import Verdict

router = APIRouter(prefix="/api/verify", tags=["verify"])
MAX_UPLOAD = 10 * 1024 * 1024


class Verification(BaseModel):
    """No personal data: the number, the item, the status and whether the PDF is intact."""

    model_config = examples(
        {
            "number": "SFJ-2026-000042",
            "item_code": "SFJ-001",
            "department_code": "SFJ",
            "status": "accepted",
            "signed_on": "2026-11-24",
            "stored_pdf_intact": True,
            "seal": None,
            "matches_stored": None,
        },
        {
            "number": "SFJ-2026-000042",
            "item_code": "SFJ-001",
            "department_code": "SFJ",
            "status": "accepted",
            "signed_on": "2026-11-24",
            "stored_pdf_intact": None,
            "seal": "intact",
            "matches_stored": True,
        },
    )

    number: str
    item_code: str
    department_code: str
    status: str
    signed_on: str
    stored_pdf_intact: bool | None = None  # the platform's copy matches its recorded digest
    seal: Verdict | None = None  # for an uploaded PDF: its seal's verdict
    matches_stored: bool | None = None  # for an uploaded PDF: byte for byte the platform's copy


def _verification(record: LetterRecord) -> Verification:
    return Verification(
        number=record.number,
        item_code=record.item_code,
        department_code=record.department_code,
        status=record.status,
        signed_on=record.signed_at.date().isoformat(),
    )


@router.get("/{number}", response_model=Verification, responses={404: {"model": ErrorBody}})
def verify_number(
    number: NumberPath,
    code: Annotated[str, Query(min_length=9, max_length=9, examples=["ABCD-2345"])],
    session: SessionDep,
    services: ServicesDep,
) -> Verification:
    """Status and integrity for the number and verify code printed on a letter."""
    record = session.exec(select(LetterRecord).where(LetterRecord.number == number)).first()
    # a wrong code looks exactly like a missing letter: numbers are sequential and must not be probed
    if record is None or not hmac.compare_digest(record.verify_code, code.upper()):
        raise ApiError(404, "not_found", "no letter with this number and code")
    stored = services.pdfs.read(record)
    result = _verification(record)
    result.stored_pdf_intact = stored is not None and hashlib.sha256(stored).hexdigest() == record.pdf_sha256
    return result


@router.post("", response_model=Verification, responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}})
async def verify_upload(
    file: Annotated[UploadFile, File(description="the letter's PDF")], session: SessionDep, services: ServicesDep
) -> Verification:
    """The seal's verdict on an uploaded PDF, and the status of the letter it claims to be."""
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ApiError(422, "upload.too_large", "a letter's PDF is far smaller than 10 MB")
    check = await run_in_threadpool(services.sealer.verify, data)  # ~10 ms of CPU: not on the loop
    if check.number is None:
        raise ApiError(422, "upload.not_a_letter", f"this file is not one of our letters ({check.verdict})")
    record = session.exec(select(LetterRecord).where(LetterRecord.number == check.number)).first()
    if record is None:
        raise ApiError(404, "not_found", "no letter with the number this file carries")
    result = _verification(record)
    result.seal = check.verdict
    result.matches_stored = hashlib.sha256(data).hexdigest() == record.pdf_sha256
    return result
