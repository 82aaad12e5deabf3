"""The applicant's own acts on a signed letter (a bot's token, for the channel user who signed)
and what the windows see of them: supplements handed in, objections, the files attached."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from api.callers import Caller
from api.deps import CallerDep, ServiceAuth, ServicesDep, SessionDep, StaffDep, WriteSessionDep
from api.errors import ErrorBody, not_found
from api.params import ObjectionText, RowIdPath
from api.routes.letters import NumberPath
from api.services.applicant import NOTE_MAX, hand_in_supplement, object_to
from api.services.documents import stored_letter
from api.services.finding import load_letter, signed_by
from api.services.objections import resolve
from api.services.uploads import UPLOAD_ID_PATTERN, UploadPurpose
from api.store import LetterRecord, Objection, Upload
from api.views import PRIVATE_HEADERS, EventPublic
from forms.channels import ActingUser, ChannelUser
from forms.objections import Outcome
from forms.public import LetterContent

router = APIRouter(prefix="/api/letters", tags=["letters"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422)}
UploadId = Annotated[str, Field(pattern=UPLOAD_ID_PATTERN)]
EXAMPLE_UPLOAD = "up_q3Vx0m5TQ7nJb1kR8sWfAg"


class SupplementHandIn(ActingUser):
    """Handed in by the channel user who signed the letter (`channel`, `channel_user`)."""

    upload_ids: list[UploadId] = Field(min_length=1, max_length=10, description="uploads of purpose supplement")
    note: str = Field(default="", max_length=NOTE_MAX)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "telegram",
                    "channel_user": "100000001",
                    "upload_ids": [EXAMPLE_UPLOAD],
                    "note": "营业执照复印件",
                }
            ]
        },
    )


class ObjectionRaised(ActingUser):
    """Raised by the channel user who signed the letter (`channel`, `channel_user`)."""

    text: ObjectionText

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"channel": "wechat", "channel_user": "oX3k_2bQ9rTn5LmA8vYc1dFe7GhZ", "text": "公示的承诺事项名称有误"}
            ]
        },
    )


class Asking(ActingUser):
    """The channel user who signed the letter (`channel`, `channel_user`): no one else reads it."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"channel": "telegram", "channel_user": "100000001"}]}
    )


class ObjectionPublic(BaseModel):
    id: int
    text: str
    created_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    outcome: Outcome | None = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 7,
                    "text": "公示的承诺事项名称有误",
                    "created_at": "2026-11-24T02:14:07Z",
                    "resolved_at": None,
                    "resolution": None,
                    "outcome": None,
                }
            ]
        }
    }


class ObjectionResolution(BaseModel):
    """The answer to an objection: upheld (what was published comes down, to be corrected) or rejected."""

    outcome: Outcome
    reason: str = Field(min_length=1, max_length=500, description="what the applicant is told, and why")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"outcome": "upheld", "reason": "公示的事项名称有误，已更正后重新公示"}]},
    )


class Attachment(BaseModel):
    """A file attached to a letter; a clerk of its department reads it at /api/uploads/{upload_id}."""

    upload_id: str
    purpose: UploadPurpose
    media_type: str
    size: int
    created_at: datetime

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "upload_id": EXAMPLE_UPLOAD,
                    "purpose": "authorisation",
                    "media_type": "image/jpeg",
                    "size": 183402,
                    "created_at": "2026-11-24T02:14:07Z",
                }
            ]
        }
    }

    @classmethod
    def of(cls, upload: Upload) -> Attachment:
        purpose = UploadPurpose(upload.purpose)
        return cls(upload_id=upload.id, purpose=purpose, media_type=upload.media_type, size=upload.size,
                   created_at=upload.created_at)  # fmt: skip


def _signed_by(session: Session, number: str, who: ChannelUser) -> LetterRecord:
    """The letter, if this user of this channel signed it: anyone else's is as if absent."""
    record = load_letter(session, number, Caller())
    if not signed_by(record, who):
        raise not_found("letter")
    return record


@router.post(
    "/{number}/supplements",
    status_code=201,
    response_model=EventPublic,
    responses=ERRORS,
    dependencies=[ServiceAuth],
)
def hand_in(number: NumberPath, supplement: SupplementHandIn, session: WriteSessionDep) -> EventPublic:
    """The missing material (容缺), handed in by the applicant; the window then moves the letter.

    409 supplement.not_due (nothing is missing), supplement.closed (the letter is past that);
    422 upload.unknown (not this user's supplement upload, or attached already)."""
    who = supplement.who
    record = _signed_by(session, number, who)
    event = hand_in_supplement(session, record, who=who, upload_ids=supplement.upload_ids, note=supplement.note)
    return EventPublic.model_validate(event, from_attributes=True)


@router.post(
    "/{number}/objections",
    status_code=201,
    response_model=ObjectionPublic,
    responses=ERRORS,
    dependencies=[ServiceAuth],
)
def raise_objection(number: NumberPath, objection: ObjectionRaised, session: WriteSessionDep) -> ObjectionPublic:
    """An objection (异议) to a published letter, kept for its window; 409 objection.not_public."""
    who = objection.who
    record = _signed_by(session, number, who)
    stored = object_to(session, record, who=who, text=objection.text)
    return ObjectionPublic.model_validate(stored, from_attributes=True)


@router.post("/{number}/content", response_model=LetterContent, responses=ERRORS, dependencies=[ServiceAuth])
def letter_content(
    number: NumberPath, asking: Asking, session: SessionDep, services: ServicesDep, response: Response
) -> LetterContent:
    """What the applicant answered on the letter, for the channel user who signed it (anyone else's
    is as if absent): a re-commitment after a change of name or legal representative starts from it."""
    record = _signed_by(session, number, asking.who)
    response.headers.update(PRIVATE_HEADERS)  # personal numbers in full
    letter, _item = stored_letter(services.vault, record)
    return LetterContent(number=record.number, item_code=record.item_code, applicant=letter.applicant,
                         answers=letter.answers)  # fmt: skip


@router.get("/{number}/objections", response_model=list[ObjectionPublic], responses=ERRORS)
def list_objections(number: NumberPath, session: SessionDep, staff: StaffDep) -> list[ObjectionPublic]:
    """The objections to a letter, oldest first, for staff who may see it."""
    record = load_letter(session, number, Caller(staff=staff))
    found = session.exec(select(Objection).where(Objection.letter_id == record.id).order_by(col(Objection.id)))
    return [ObjectionPublic.model_validate(o, from_attributes=True) for o in found]


@router.post("/{number}/objections/{objection_id}/resolution", response_model=ObjectionPublic, responses=ERRORS)
def resolve_objection(
    number: NumberPath, objection_id: RowIdPath, answer: ObjectionResolution, session: WriteSessionDep, staff: StaffDep
) -> ObjectionPublic:
    """A clerk of the letter's department answers the objection; the applicant is told.

    409 objection.resolved (answered already); 422 objection.reason_required."""
    record = load_letter(session, number, Caller(staff=staff))
    objection = session.get(Objection, objection_id)
    if objection is None or objection.letter_id != record.id:
        raise not_found("objection")
    done = resolve(session, objection, record, outcome=answer.outcome, reason=answer.reason,
                   actor=f"staff:{staff.username}")  # fmt: skip
    return ObjectionPublic.model_validate(done, from_attributes=True)


@router.get("/{number}/attachments", response_model=list[Attachment], responses=ERRORS)
def list_attachments(number: NumberPath, session: SessionDep, caller: CallerDep) -> list[Attachment]:
    """The files attached to a letter (its authorisation, supplements), oldest first."""
    record = load_letter(session, number, caller)
    found = session.exec(
        select(Upload).where(Upload.letter_id == record.id).order_by(col(Upload.created_at), col(Upload.id))
    )
    return [Attachment.of(upload) for upload in found]
