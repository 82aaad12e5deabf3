"""Files from the bot (an agent's authorisation, 容缺 supplements); the windows read them back."""

from __future__ import annotations

import logging
from typing import Annotated

from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, File, Form, Path, Response, UploadFile
from pydantic import BaseModel
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from api.deps import CallerDep, ServiceAuth, ServicesDep, WriteSessionDep
from api.errors import ApiError, ErrorBody, not_found
from api.runtime import Services, write_session
from api.services.dossier import log_read
from api.services.uploads import MAX_UPLOAD, UPLOAD_ID_PATTERN, UploadPurpose, media_type, store_upload, upload_files
from api.store import LetterRecord, Upload
from api.store.documents.rows import DocumentUnreadable
from api.views import PRIVATE_HEADERS
from forms.channels import USER_MAX, Channel, ChannelUser, user_problem

router = APIRouter(prefix="/api/uploads", tags=["uploads"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 404, 422, 503, 507)}
UploadIdPath = Annotated[str, Path(pattern=UPLOAD_ID_PATTERN, examples=["up_q3Vx0m5TQ7nJb1kR8sWfAg"])]
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
log = logging.getLogger(__name__)


class Uploaded(BaseModel):
    """The id to name the file by: in `agent.authorisation_file` or a supplement's `upload_ids`."""

    upload_id: str
    media_type: str
    size: int

    model_config = {
        "json_schema_extra": {
            "examples": [{"upload_id": "up_q3Vx0m5TQ7nJb1kR8sWfAg", "media_type": "application/pdf", "size": 48213}]
        }
    }


@router.post("", status_code=201, response_model=Uploaded, responses=ERRORS, dependencies=[ServiceAuth])
async def upload(
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG (told by its content), at most 10 MB")],
    channel: Annotated[Channel, Form(description="the channel it came through", examples=["telegram"])],
    channel_user: Annotated[
        str,
        Form(max_length=USER_MAX, description="who sent it, there: only they can attach it", examples=["100000001"]),
    ],
    purpose: Annotated[UploadPurpose, Form(examples=["authorisation"])],
    services: ServicesDep,
) -> Uploaded:
    """Keep a file, encrypted, until a letter takes it: 422 upload.empty, upload.too_large, upload.type,
    upload.user (not a user of that channel)."""
    problem = user_problem(channel, channel_user)
    if problem is not None:
        raise ApiError(422, "upload.user", problem)
    who = ChannelUser(channel=channel, user=channel_user)
    data = await file.read(MAX_UPLOAD + 1)
    kind = media_type(data)
    stored = await run_in_threadpool(_store, services, data, kind, who, purpose)
    return Uploaded(upload_id=stored.id, media_type=stored.media_type, size=stored.size)


def _store(services: Services, data: bytes, kind: str, who: ChannelUser, purpose: UploadPurpose) -> Upload:
    with write_session(services) as session:
        return store_upload(session, upload_files(services), data, kind=kind, who=who, purpose=purpose)


@router.get(
    "/{upload_id}",
    response_class=Response,
    responses={
        200: {"content": {t: {"schema": {"type": "string", "format": "binary"}} for t in EXTENSIONS}},
        **ERRORS,
        403: {"model": ErrorBody},  # staff with a one-time password (password.change_required)
    },
)
def get_upload(upload_id: UploadIdPath, session: WriteSessionDep, caller: CallerDep, services: ServicesDep) -> Response:
    """The file as received, for staff of its letter's department; every read is in the access log."""
    upload = session.get(Upload, upload_id)
    department = _department(session, upload)
    if caller.staff is None or upload is None or department is None or not caller.may_see(department):
        raise not_found("upload")
    try:
        data = upload_files(services).read(upload.id)
    except (InvalidTag, DocumentUnreadable):
        log.error("the file of upload %s does not decrypt", upload.id)
        data = None
    if data is None:
        log.error("the file of upload %s cannot be read", upload.id)
        raise ApiError(503, "upload.unavailable", "the file cannot be read just now")
    assert upload.letter_id is not None
    log_read(session, staff_id=caller.staff.id, letter_id=upload.letter_id, action="attachment")
    name = f"{upload.id}.{EXTENSIONS[upload.media_type]}"
    headers = {"Content-Disposition": f'inline; filename="{name}"', **PRIVATE_HEADERS}
    return Response(data, media_type=upload.media_type, headers=headers)


def _department(session: Session, upload: Upload | None) -> str | None:
    """The department of the letter the upload belongs to; None while it belongs to none."""
    if upload is None or upload.letter_id is None:
        return None
    return session.exec(select(LetterRecord.department_code).where(LetterRecord.id == upload.letter_id)).first()
