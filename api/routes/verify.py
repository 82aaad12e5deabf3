"""Public verification: is this letter genuine, unaltered, and what is its status now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from api.deps import ServicesDep, SessionDep
from api.errors import ErrorBody
from api.params import CodeQuery, NumberPath
from api.services.verification import MAX_UPLOAD, Verification, by_code, by_seal, read_seal

router = APIRouter(prefix="/api/verify", tags=["verify"])


@router.get("/{number}", response_model=Verification, responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}})
def verify_number(
    number: NumberPath,
    code: CodeQuery,
    session: SessionDep,
    services: ServicesDep,
) -> Verification:
    """Status and integrity for the number and verify code printed on a letter."""
    return by_code(session, services.pdfs, number, code)


@router.post("", response_model=Verification, responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}})
async def verify_upload(
    file: Annotated[UploadFile, File(description="the letter's PDF")], session: SessionDep, services: ServicesDep
) -> Verification:
    """An uploaded PDF sealed by the platform and intact: the letter's status. Anything else is 422
    `upload.not_a_letter` with only the seal's verdict (altered, not_ours, unsigned, not_pdf)."""
    data = await file.read(MAX_UPLOAD + 1)
    check = await read_seal(services.sealer, data)
    return by_seal(session, check, data)
