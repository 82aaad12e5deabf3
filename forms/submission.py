"""What the bot hands to the API once the applicant has signed, and how it becomes a numbered letter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from forms import clock
from forms.canonical import canonical_answers, canonical_party, canonical_supplement
from forms.catalogue.models import Item
from forms.languages import Lang
from forms.letter import (
    LETTER_NUMBER_PATTERN,
    Agent,
    Answer,
    Applicant,
    Letter,
    SignatureEvidence,
    Supplement,
    add_months,
    content_hash,
)
from forms.validation.normalize import normalize_text

EXAMPLE: dict[str, Any] = {
    "item_code": "SFJ-001",
    "applicant": {
        "kind": "person",
        "name": "张明华",
        "id_type": "resident_id",
        "id_number": "653022199003150016",
        "phone": "13899990000",
    },
    "answers": {"household_size": "3", "monthly_income": "800", "matter_kind": "wages", "case_summary": "欠薪三个月"},
    "language": "zh",
    "notice_hash": "…the item's notice_hash…",
    "signature": {
        "method": "typed",
        "signed_at": "2026-11-24T10:15:00+08:00",
        "typed_name": "张明华",
        "channel": "telegram",
        "channel_user": "100000001",
        "content_hash": "…",
        "notice_hash": "…",
    },
}


DRAFT_EXAMPLE: dict[str, Any] = {k: v for k, v in EXAMPLE.items() if k != "signature"}


class LetterDraft(BaseModel):
    """A letter as filled, before it is signed: what the applicant previews."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [DRAFT_EXAMPLE]})

    item_code: str = Field(max_length=32)
    applicant: Applicant
    agent: Agent | None = None
    answers: dict[str, Answer] = {}
    supplement: Supplement | None = None
    language: Lang
    notice_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    replaces: str | None = Field(
        default=None,
        pattern=LETTER_NUMBER_PATTERN,
        description="re-commitment after a change of name or legal representative: the letter this one "
        "supersedes once signed (the same applicant's, the same item, still in force)",
    )


class LetterSubmission(LetterDraft):
    """A signed letter without its number: the number is the API's to give."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    signature: SignatureEvidence


D = TypeVar("D", LetterDraft, LetterSubmission)


def canonical(draft: D, item: Item) -> D:
    """The draft with every value in its canonical form (forms.canonical): what is signed and kept."""
    changes: dict[str, object] = {
        "applicant": canonical_party(draft.applicant),
        "agent": canonical_party(draft.agent) if draft.agent else None,
        "answers": canonical_answers(draft.answers, item),
        "supplement": canonical_supplement(draft.supplement, item),
    }
    if isinstance(draft, LetterSubmission):
        typed_name = normalize_text(draft.signature.typed_name)
        changes["signature"] = draft.signature.model_copy(update={"typed_name": typed_name})
    return draft.model_copy(update=changes)


def signed_content(submission: LetterDraft, item: Item) -> dict[str, object]:
    """Exactly what the signature's content hash covers (see forms.letter.SIGNED_CONTENT), in
    canonical form: the bot and the API hash the same thing, whatever a client sent."""
    submission = canonical(submission, item)
    content: dict[str, object] = {
        "item_code": item.code,
        "commitment_type": item.commitment_type.value,
        "applicant": submission.applicant.model_dump(mode="json"),
        "agent": submission.agent.model_dump(mode="json") if submission.agent else None,
        "answers": submission.answers,
        "supplement": submission.supplement.model_dump(mode="json") if submission.supplement else None,
        "commitments": [c.model_dump(mode="json") for c in item.commitments],
        "notice_hash": submission.notice_hash,
        "language": submission.language.value,
        "public": item.notice.disclosure.public,
    }
    if submission.replaces is not None:
        content["replaces"] = submission.replaces
    return content


def submission_hash(submission: LetterDraft, item: Item) -> str:
    """The hash the applicant signs (a draft's is the same): the bot puts it in the signature, the API checks it."""
    return content_hash(signed_content(submission, item))


def build_letter(
    submission: LetterDraft, item: Item, *, number: str, verify_code: str | None = None, at: datetime | None = None
) -> Letter:
    """The letter as stored and printed, canonical, with the item's commitments as read; a draft is dated `at`."""
    submission = canonical(submission, item)
    signature = submission.signature if isinstance(submission, LetterSubmission) else None
    signed_at: datetime = signature.signed_at if signature else at or clock.now()
    signed_on: date = signed_at.date()
    return Letter(
        number=number,
        item_code=item.code,
        commitment_type=item.commitment_type,
        applicant=submission.applicant,
        agent=submission.agent,
        answers=submission.answers,
        supplement=submission.supplement,
        commitments=item.commitments,
        notice_hash=submission.notice_hash,
        language=submission.language,
        signed_at=signed_at,
        valid_until=add_months(signed_on, item.validity_months),
        public=item.notice.disclosure.public,
        signature=signature,
        verify_code=verify_code,
        replaces=submission.replaces,
    )
