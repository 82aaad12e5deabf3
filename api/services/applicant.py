"""What the applicant does to a signed letter through the bot besides withdrawing it: hand in the
missing material (容缺) and object to what was published (异议). Neither changes the status."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session

from api.errors import ApiError
from api.services.uploads import UploadPurpose, attach
from api.store import LetterEvent, LetterRecord, Objection
from forms import clock
from forms.channels import ChannelUser
from forms.statuses import HAND_IN
from forms.validation.normalize import normalize_prose

# The window still moves the letter to `supplemented` once it has looked at what came.
SUPPLEMENT_HANDED_IN = "申请人提交补正材料"
OBJECTION_RAISED = "申请人对公示信息提出异议"
# the note goes into the event's reason after the words above, and letter_events.reason holds 500
NOTE_MAX = 500 - len(SUPPLEMENT_HANDED_IN) - 1


def hand_in_supplement(
    session: Session, record: LetterRecord, *, who: ChannelUser, upload_ids: Collection[str], note: str
) -> LetterEvent:
    """Attach the files to the letter and record it as an event whose status stays as it was."""
    if record.supplement_due_on is None:
        raise ApiError(409, "supplement.not_due", "this letter has no missing material to hand in")
    if record.status not in HAND_IN:
        raise ApiError(409, "supplement.closed", f"a letter that is {record.status} takes no supplement")
    assert record.id is not None
    purpose = UploadPurpose.supplement
    if not attach(session, upload_ids, letter_id=record.id, purpose=purpose, who=who):
        session.rollback()
        raise ApiError(422, "upload.unknown", "a file is not a supplement upload of this user's, or is used")
    note = normalize_prose(note)
    reason = f"{SUPPLEMENT_HANDED_IN}：{note}" if note else SUPPLEMENT_HANDED_IN
    return _event(session, record, who, reason)


def object_to(session: Session, record: LetterRecord, *, who: ChannelUser, text: str) -> Objection:
    """Keep the objection for the window that published the letter, with an event on the letter."""
    if not record.public:
        raise ApiError(409, "objection.not_public", "this letter is not published: there is nothing to object to")
    assert record.id is not None
    objection = Objection(
        letter_id=record.id, channel=who.channel.value, channel_user=who.user, text=text, created_at=clock.now()
    )
    session.add(objection)
    _event(session, record, who, OBJECTION_RAISED)
    return objection


def _event(session: Session, record: LetterRecord, who: ChannelUser, reason: str) -> LetterEvent:
    """An event from the status to itself: the history shows what the applicant did, and when."""
    assert record.id is not None
    event = LetterEvent(
        letter_id=record.id,
        at=clock.now(),
        actor=f"applicant:{who}",
        from_status=record.status,
        to_status=record.status,
        reason=reason,
    )
    session.add(event)
    session.commit()
    return event
