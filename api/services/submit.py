"""Receive a signed letter: check it again, number it, store it; a retry gets the same letter."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from api.errors import ApiError
from api.pii import Vault
from api.services.documents import seal_document, stored_letter
from api.services.names import fold_name, index_name
from api.services.numbering import next_sequence
from api.services.publications import schedule as schedule_publication
from api.services.uploads import UploadPurpose, attach
from api.store import IdempotencyKey, LetterEvent, LetterRecord
from forms import clock
from forms.catalogue import Catalogue, Item
from forms.checks import problems
from forms.credit import CreditVerdict
from forms.i18n import gettext_for
from forms.languages import Lang
from forms.letter import Letter, letter_number
from forms.signature_image import BadSignatureImage, check_drawing
from forms.statuses import Status
from forms.submission import LetterDraft, LetterSubmission, build_letter, submission_hash
from forms.validation import Invalid, Reason, document_number, mask_id, mask_mobile, mobile
from forms.validation.normalize import normalize_text

# A letter signed on a phone with patchy connectivity may arrive days later; not from the future.
SIGNED_AT_MOST_AGO = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=5)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a window


def checked_item(submission: LetterSubmission, catalogue: Catalogue, *, now: datetime) -> Item:
    """Everything the bot checked, checked again; 4xx with reasons when anything is wrong."""
    item = _item(submission, catalogue)
    signature = submission.signature
    if signature.notice_hash != submission.notice_hash:
        raise ApiError(422, "signature.notice_mismatch", "the signature is for another version of the notice")
    if signature.content_hash != submission_hash(submission, item):
        raise ApiError(422, "signature.content_mismatch", "the signature does not cover this content")
    if not now - SIGNED_AT_MOST_AGO <= signature.signed_at <= now + CLOCK_SKEW:
        raise ApiError(422, "signature.time", "the signing time is not plausible")
    if normalize_text(signature.typed_name) not in _signatories(submission):
        raise ApiError(422, "signature.name_mismatch", "the typed name is not the name of who commits")
    if signature.image_png is not None:
        try:  # the Mini App's drawing was checked when it was stored; a caller may send any other
            check_drawing(signature.image_png)
        except BadSignatureImage as bad:
            raise ApiError(422, "signature.image", f"the drawing cannot be used: {bad}") from None
    _checked_letter(submission, item, at=signature.signed_at)
    return item


def checked_draft(draft: LetterDraft, catalogue: Catalogue, *, now: datetime) -> tuple[Letter, Item]:
    """A letter before signing, checked as its submission will be: the unnumbered letter and its item."""
    item = _item(draft, catalogue)
    return _checked_letter(draft, item, at=now), item


def _item(draft: LetterDraft, catalogue: Catalogue) -> Item:
    item = catalogue.get(draft.item_code)
    if item is None:
        raise ApiError(422, "item.unknown", f"no item {draft.item_code!r} in the catalogue")
    if draft.notice_hash != item.notice_hash:
        raise ApiError(409, "notice.changed", "the notice changed after it was read: it must be read again")
    return item


def _checked_letter(draft: LetterDraft, item: Item, *, at: datetime) -> Letter:
    """The letter's own rules (forms.checks), then the agent's authorisation: 422 with details."""
    unnumbered = build_letter(draft, item, number=letter_number(item.department.code, at.year, 0), at=at)
    found = problems(unnumbered, item, today=at.date())
    if found:
        raise ApiError(422, "letter.invalid", "the letter does not pass the item's rules", _details(found))
    if draft.agent is not None and not draft.agent.authorisation_file:
        missing = Invalid(Reason.required, "agent.authorisation_file")
        message = "upload the agent's authorisation first"
        raise ApiError(422, "agent.authorisation_required", message, _details([missing]))
    return unnumbered


def _details(found: list[Invalid]) -> list[dict[str, Any]]:
    zh = gettext_for(Lang.zh)
    return [{"field": p.field, "reason": p.reason.value, "message": p.message(zh)} for p in found]


def _signatories(submission: LetterSubmission) -> set[str]:
    """Who may sign: the applicant, an organisation's legal representative, or the agent."""
    names = {submission.applicant.name, submission.applicant.legal_representative}
    if submission.agent is not None:
        names.add(submission.agent.name)
    return {normalize_text(n) for n in names if n}


def submit(
    session: Session,
    vault: Vault,
    submission: LetterSubmission,
    item: Item,
    *,
    key: str,
    verdict: CreditVerdict | None = None,
) -> tuple[LetterRecord, Letter, bool]:
    """Store the letter once per idempotency key: (record, letter, created); with the credit check
    as it stood at signing, for the window."""
    request_hash = hashlib.sha256(submission.model_dump_json().encode()).hexdigest()
    existing = _replay(session, vault, key, request_hash)
    if existing is not None:
        return (*existing, False)
    now = clock.now()
    sequence = next_sequence(session, item.department.code, now.year)
    number = letter_number(item.department.code, now.year, sequence)
    letter = build_letter(submission, item, number=number, verify_code=_verify_code())
    record = _record(letter, item, vault, department=item.department.code, year=now.year, sequence=sequence)
    record.credit_verdict = verdict.model_dump_json() if verdict is not None else None
    session.add(record)
    try:
        session.flush()
        assert record.id is not None
        session.add(IdempotencyKey(key=key, request_hash=request_hash, letter_id=record.id, created_at=now))
        session.flush()  # a concurrent retry's key shows here, before the authorisation is taken
        if not _authorised(session, submission, record.id):
            session.rollback()
            existing = _replay(session, vault, key, request_hash)
            if existing is None:
                raise ApiError(422, "upload.unknown", "the authorisation is not an upload of this user's, or is used")
            return (*existing, False)
        actor = f"applicant:{submission.signature.who or '-'}"
        session.add(LetterEvent(letter_id=record.id, at=now, actor=actor, to_status=Status.signed, reason=""))
        schedule_publication(session, record)
        index_name(session, record.id, record.applicant_name)
        session.commit()
    except IntegrityError:
        # the same key committed by a concurrent retry: its number stands, ours is rolled back
        session.rollback()
        existing = _replay(session, vault, key, request_hash)
        if existing is None:
            raise
        return (*existing, False)
    return record, letter, True


def _authorised(session: Session, submission: LetterSubmission, letter_id: int) -> bool:
    """The agent's authorisation goes with the letter, in its transaction: uploaded by the user who
    signed (in the channel they signed in), as an authorisation, and attached to no other letter."""
    agent = submission.agent
    if agent is None:
        return True
    upload_id = agent.authorisation_file or ""
    purpose = UploadPurpose.authorisation
    return attach(session, [upload_id], letter_id=letter_id, purpose=purpose, who=submission.signature.who)


def _replay(session: Session, vault: Vault, key: str, request_hash: str) -> tuple[LetterRecord, Letter] | None:
    stored = session.get(IdempotencyKey, key)
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise ApiError(409, "idempotency.key_reused", "this Idempotency-Key was used for another letter")
    record = session.get(LetterRecord, stored.letter_id)
    assert record is not None
    return record, stored_letter(vault, record)[0]


def _verify_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _record(letter: Letter, item: Item, vault: Vault, *, department: str, year: int, sequence: int) -> LetterRecord:
    applicant, signature = letter.applicant, letter.signature
    assert signature is not None  # a letter is stored once signed
    canonical_id = document_number(applicant.id_type, applicant.id_number)
    now = clock.now()
    return LetterRecord(
        number=letter.number,
        department_code=department,
        year=year,
        sequence=sequence,
        item_code=item.code,
        commitment_type=item.commitment_type.value,
        status=Status.signed.value,
        applicant_kind=applicant.kind.value,
        applicant_name=applicant.name,
        name_search=fold_name(applicant.name),
        id_type=applicant.id_type.value,
        id_hash=vault.lookup_hash(canonical_id),
        id_masked=mask_id(canonical_id),
        id_encrypted=vault.encrypt(canonical_id),
        phone_masked=mask_mobile(mobile(applicant.phone)),
        phone_encrypted=vault.encrypt(mobile(applicant.phone)),
        language=letter.language.value,
        public=letter.public,
        signed_at=letter.signed_at,
        valid_until=letter.valid_until,
        supplement_due_on=letter.supplement.due_on if letter.supplement else None,
        channel=signature.channel.value,
        channel_user=signature.channel_user,
        content_hash=letter.content_hash(),
        notice_hash=letter.notice_hash,
        verify_code=letter.verify_code or "",
        document=seal_document(vault, letter, item),
        created_at=now,
        updated_at=now,
    )
