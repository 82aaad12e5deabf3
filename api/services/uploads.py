"""Files the applicant hands in through the bot: recognised, stored encrypted, attached to a letter once."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col

from api.errors import ApiError
from api.runtime import Services
from api.store import Upload
from api.store.documents import Uploads
from forms import clock
from forms.channels import ChannelUser

MAX_UPLOAD = 10 * 1024 * 1024
# by their first bytes: a file's name or declared type proves nothing
MAGIC = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))
UPLOAD_ID_PATTERN = r"^up_[A-Za-z0-9_-]{22}$"


class UploadPurpose(StrEnum):
    authorisation = "authorisation"  # 授权委托书: the agent's authority to commit for the applicant
    supplement = "supplement"  # 补正材料: what a 容缺 applicant promised to hand in later


def media_type(data: bytes) -> str:
    """PDF, JPEG or PNG, told by the content; 422 for anything else, empty or too large."""
    if not data:
        raise ApiError(422, "upload.empty", "the file is empty")
    if len(data) > MAX_UPLOAD:
        raise ApiError(422, "upload.too_large", "the file is larger than 10 MB")
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    raise ApiError(422, "upload.type", "only PDF, JPEG and PNG files are accepted")


def upload_files(services: Services) -> Uploads:
    return services.documents.uploads


def store_upload(
    session: Session, files: Uploads, data: bytes, *, kind: str, who: ChannelUser, purpose: UploadPurpose
) -> Upload:
    """The encrypted file and its row: a file is written before the row's transaction, a
    document row (PostgreSQL) in it, so a row never names a file that is not there."""
    upload = Upload(
        id=f"up_{secrets.token_urlsafe(16)}",
        channel=who.channel.value,
        channel_user=who.user,
        purpose=purpose.value,
        media_type=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        created_at=clock.now(),
    )
    staged = files.stage(upload.id, data)
    try:
        session.add(upload)
        staged.record(session)
        session.commit()
    except Exception:
        staged.discard()
        raise
    return upload


def attach(
    session: Session,
    upload_ids: Collection[str],
    *,
    letter_id: int,
    purpose: UploadPurpose,
    who: ChannelUser | None,
) -> bool:
    """Give the uploads to the letter in the caller's transaction, if every one is this user's own,
    of this purpose and still free; False otherwise, and the caller rolls back (all or none)."""
    wanted = set(upload_ids)
    if who is None or not wanted:
        return False
    # compare and set: of two letters racing for one file, only one gets it
    changed = session.execute(
        update(Upload)
        .where(
            col(Upload.id).in_(wanted),
            col(Upload.purpose) == purpose.value,
            col(Upload.channel) == who.channel.value,
            col(Upload.channel_user) == who.user,
            col(Upload.letter_id).is_(None),
        )
        .values(letter_id=letter_id)
    )
    return bool(changed.rowcount == len(wanted))  # type: ignore[attr-defined]
