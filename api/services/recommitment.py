"""Re-commitment (seed 000 三(二)): the new letter names the one it replaces, which must be the
same applicant's, for the same item, still in force; signing the new one supersedes the old one."""

from __future__ import annotations

from sqlmodel import Session, select

from api.errors import ApiError
from api.pii import Vault
from api.services.documents import stored_letter
from api.services.finding import signed_by
from api.services.transitions import apply_move
from api.store import LetterRecord
from forms.catalogue import Item
from forms.recommitment import superseded_reason
from forms.statuses import IN_FORCE, Actor, Status
from forms.submission import LetterSubmission
from forms.validation import Invalid, document_number
from forms.validation.normalize import normalize_text


def replaced_letter(session: Session, vault: Vault, submission: LetterSubmission, item: Item) -> LetterRecord | None:
    """The letter this submission replaces, checked; None when it replaces none. 422/409 with a reason."""
    if submission.replaces is None:
        return None
    old = session.exec(select(LetterRecord).where(LetterRecord.number == submission.replaces)).first()
    who = submission.signature.who
    if old is None or who is None or not signed_by(old, who):  # anyone else's letter is as if absent
        raise ApiError(422, "replaces.unknown", "the letter to replace is not one signed by this user")
    if old.item_code != item.code:
        raise ApiError(422, "replaces.other_item", "a re-commitment is for the item of the letter it replaces")
    applicant = submission.applicant
    try:
        same_document = vault.lookup_hash(document_number(applicant.id_type, applicant.id_number)) == old.id_hash
    except Invalid:
        same_document = False  # the letter's own checks say what is wrong with the number
    if not same_document:
        raise ApiError(422, "replaces.other_applicant", "the committing party is not the one of the replaced letter")
    if Status(old.status) not in IN_FORCE:
        raise ApiError(409, "replaces.not_in_force", "the letter to replace is no longer in force")
    before = stored_letter(vault, old)[0].applicant
    if (normalize_text(applicant.name), normalize_text(applicant.legal_representative or "")) == (
        normalize_text(before.name),
        normalize_text(before.legal_representative or ""),
    ):
        raise ApiError(422, "replaces.unchanged", "neither the name nor the legal representative has changed")
    return old


def supersede(session: Session, old: LetterRecord, new_number: str) -> None:
    """In the new letter's transaction: the old one superseded by the system, the reason naming
    the new one. Moved meanwhile (withdrawn, say): 409, and the new letter is not stored either."""
    try:
        apply_move(session, old, Status.superseded, actor=Actor.system, actor_name="system",
                   reason=superseded_reason(new_number))  # fmt: skip
    except ApiError as refused:
        session.rollback()
        raise ApiError(409, "replaces.not_in_force", "the letter to replace is no longer in force") from refused
