"""Credit repair recorded by the credit office (信用修复, seed 000 三(五)): the subject leaves the
list, and what was published of their records comes down within 3 working days."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from api.errors import ApiError
from api.pii import Vault
from api.services.credit import canonical_subject, subject_hashes
from api.services.publications import schedule_withdrawal
from api.services.transitions import move
from api.store import CreditRecord, LetterRecord, letters_listed
from forms import clock
from forms.statuses import Actor, Status
from forms.validation import IdType, Invalid
from forms.validation.normalize import normalize_prose

LETTER_SOURCE = "letter:"


@dataclass
class Repaired:
    records: int = 0
    letters: list[str] = field(default_factory=list)  # the letters whose records these were


def record_repair(
    session: Session, vault: Vault, typed: str, id_type: IdType | None, *, reason: str, actor: str
) -> Repaired:
    """Every open record of the subject is repaired; a broken letter becomes `repaired` (its notice
    tells the applicant); each letter's publication is due for taking down.

    422 for a number that is not one, or without a reason; 409 credit.not_listed when nothing is open."""
    try:
        canonical_subject(typed, id_type)
    except Invalid as error:
        raise ApiError(422, error.reason.value, "not a valid number for this kind of document") from None
    reason = normalize_prose(reason)
    if not reason:
        raise ApiError(422, "transition.reason_required", "say on what grounds the credit is repaired")
    open_records = list(
        session.exec(
            select(CreditRecord).where(
                col(CreditRecord.subject_hash).in_(subject_hashes(vault, typed)),
                col(CreditRecord.repaired_at).is_(None),
            )
        )
    )
    if not open_records:
        raise ApiError(409, "credit.not_listed", "this subject has no open record to repair")
    result = Repaired(records=len(open_records))
    numbers = sorted({r.source.removeprefix(LETTER_SOURCE) for r in open_records if r.source.startswith(LETTER_SOURCE)})
    letters = session.exec(letters_listed().where(col(LetterRecord.number).in_(numbers))).all() if numbers else []
    for letter in letters:
        result.letters.append(letter.number)
        if letter.status == Status.broken:  # the move repairs its records and schedules the withdrawal
            move(session, letter, Status.repaired, actor=Actor.window, actor_name=actor, reason=reason)
        else:
            schedule_withdrawal(session, letter)
    now = clock.now()
    for listed in open_records:
        session.refresh(listed)
        if listed.repaired_at is None:
            listed.repaired_at = now
            session.add(listed)
    session.commit()
    return result
