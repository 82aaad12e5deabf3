"""Links for a channel that can send no file and open no Mini App (WeChat): a letter's PDF, a
preview's PDF, the drawn-signature page. Each opens one thing for a while; the token is random
and only its SHA-256 is stored, so the table alone opens nothing.

Letters and drawings are still keyed by the Telegram user id: `owns` and `drawing_owner` are the
only places that map a (channel, channel user) onto them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from api.errors import ApiError, not_found
from api.pii import Vault
from api.store import LetterRecord, Share
from forms.channels import Channel, ChannelUser, user_problem
from forms.languages import Lang

CHANNEL_USER_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"  # a Telegram id, a WeChat openid
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


class Purpose(StrEnum):
    letter = "letter"  # a sealed letter's PDF, for the applicant who signed it
    preview = "preview"  # a draft's preview PDF, kept in the row
    signature = "signature"  # the drawn-signature page, once


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def owns(record: LetterRecord, channel: Channel, channel_user: str) -> bool:
    """Whether this channel user signed the letter: the same channel and the same user in it."""
    return record.channel == channel and record.channel_user == channel_user


def drawing_owner(channel: Channel, channel_user: str) -> ChannelUser:
    """Whom drawings are stored under (api/drawings.py); 422 signature.user for a user string
    that is no user of that channel."""
    problem = user_problem(channel, channel_user)
    if problem is not None:
        raise ApiError(422, "signature.user", problem)
    return ChannelUser(channel=channel, user=channel_user)


def issue(
    session: Session,
    *,
    purpose: Purpose,
    language: Lang,
    now: datetime,
    life: timedelta,
    channel: Channel | None = None,
    channel_user: str | None = None,
    letter_number: str | None = None,
    content_hash: str | None = None,
    pdf: bytes | None = None,
    vault: Vault | None = None,
) -> tuple[str, Share]:
    """A new link's token (given once, never stored) and its row, added to the session."""
    token = secrets.token_urlsafe(32)
    digest = token_sha256(token)
    sealed = None
    if pdf is not None:
        assert vault is not None
        sealed = vault.encrypt_file(pdf, name=_pdf_name(digest))
    share = Share(
        token_sha256=digest,
        purpose=purpose.value,
        letter_number=letter_number,
        content_hash=content_hash,
        language=language.value,
        pdf=sealed,
        channel=channel,
        channel_user=channel_user,
        created_at=now,
        expires_at=now + life,
    )
    session.add(share)
    return token, share


def letter_to_share(session: Session, number: str, channel: Channel, channel_user: str) -> LetterRecord:
    """The letter, if this channel user signed it: anyone else's is as if absent (404)."""
    record = session.exec(select(LetterRecord).where(LetterRecord.number == number)).first()
    if record is None or not owns(record, channel, channel_user):
        raise not_found("letter")
    return record


def find(session: Session, token: str) -> Share | None:
    """The link this token opens, ended or not; None for an unknown or malformed token."""
    if not TOKEN.fullmatch(token):
        return None
    return session.exec(select(Share).where(Share.token_sha256 == token_sha256(token))).first()


def preview_pdf(vault: Vault, share: Share) -> bytes:
    assert share.pdf is not None
    return vault.decrypt_file(share.pdf, name=_pdf_name(share.token_sha256))


def _pdf_name(digest: str) -> str:
    """What a preview's ciphertext is bound to: copied into another row, it does not decrypt."""
    return f"share {digest}"


def mark_read(session: Session, share_id: int, now: datetime) -> None:
    """When a document link was first read."""
    session.execute(update(Share).where(col(Share.id) == share_id, col(Share.used_at).is_(None)).values(used_at=now))


def open_signature_link(session: Session, token: str, now: datetime) -> Share:
    """The signature link's row, if it may still store a drawing: 401 signature.token (unknown),
    410 signature.token_used or signature.token_expired."""
    share = find(session, token)
    if share is None or share.purpose != Purpose.signature:
        raise ApiError(401, "signature.token", "the signature link's token is not known")
    if share.used_at is not None:
        raise ApiError(410, "signature.token_used", "this signature link has been used already")
    if share.expires_at <= now:
        raise ApiError(410, "signature.token_expired", "this signature link has ended")
    return share


def take_signature_token(session: Session, token: str, content_hash: str, now: datetime) -> Share:
    """The signature link's row, marked used in the caller's transaction (commit it with the drawing).

    401 signature.token (unknown), 410 signature.token_used or signature.token_expired,
    403 signature.token_hash (the drawing is for another letter than the link)."""
    share = open_signature_link(session, token, now)
    if share.content_hash != content_hash:
        raise ApiError(403, "signature.token_hash", "this signature link is for another letter")
    taken = session.execute(
        update(Share).where(col(Share.id) == share.id, col(Share.used_at).is_(None)).values(used_at=now)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]  # another request used it meanwhile
        raise ApiError(410, "signature.token_used", "this signature link has been used already")
    return share


def remove_ended(session: Session, now: datetime) -> int:
    """Delete the links that have ended; how many there were."""
    removed = session.execute(delete(Share).where(col(Share.expires_at) <= now))
    session.commit()
    return int(removed.rowcount)  # type: ignore[attr-defined]
