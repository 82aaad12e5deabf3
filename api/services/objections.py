"""Answering objections (异议, seeds 000 三(五), 002 三(三)): a window decides those against its
letters' publication, the credit office those against a credit refusal; the applicant is told.

An upheld objection to a letter takes its publication down (to be corrected); an upheld objection
to a credit refusal lifts the records that barred the applicant.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.errors import ApiError
from api.services.publications import take_down_after_objection
from api.store import CreditRecord, LetterEvent, LetterRecord, Objection, OutboxMessage
from forms import clock
from forms.channels import ChannelUser
from forms.languages import Lang
from forms.notifications import ObjectionResolved
from forms.objections import OUTCOMES, Outcome
from forms.validation.normalize import normalize_prose

RESOLUTION_MAX = 500


def outcome_chosen(raw: str) -> Outcome:
    """The answer picked on a window page's form; 422 when none (the radio left empty)."""
    try:
        return Outcome(raw)
    except ValueError:
        raise ApiError(422, "objection.outcome_required", "say whether the objection is upheld") from None


def resolve(
    session: Session, objection: Objection, record: LetterRecord | None, *, outcome: Outcome, reason: str, actor: str
) -> Objection:
    """Decide the objection once; 409 objection.resolved the second time, 422 without a reason."""
    reason = normalize_prose(reason)
    if not reason:
        raise ApiError(422, "objection.reason_required", "say why the objection is upheld or rejected")
    if objection.resolved_at is not None:
        raise ApiError(409, "objection.resolved", "this objection was answered already")
    now = clock.now()
    objection.resolved_at, objection.resolution = now, reason[:RESOLUTION_MAX]
    objection.outcome, objection.resolved_by = outcome.value, actor
    session.add(objection)
    if record is not None:
        _on_letter(session, record, actor, f"{OUTCOMES[outcome]}：{reason}"[:RESOLUTION_MAX])
        if outcome is Outcome.upheld:
            take_down_after_objection(session, record)
    elif outcome is Outcome.upheld and objection.subject_hash:
        _lift(session, objection.subject_hash)
    session.add(_notice(objection, record, outcome, reason))
    session.commit()
    return objection


def _on_letter(session: Session, record: LetterRecord, actor: str, reason: str) -> None:
    """An event whose status stays as it was: the letter's history shows the answer."""
    assert record.id is not None
    session.add(LetterEvent(letter_id=record.id, at=clock.now(), actor=actor, from_status=record.status,
                            to_status=record.status, reason=reason))  # fmt: skip


def _lift(session: Session, subject_hash: str) -> None:
    """The records that refused the applicant were wrong: they bar nobody any more."""
    open_records = select(CreditRecord).where(
        CreditRecord.subject_hash == subject_hash, col(CreditRecord.repaired_at).is_(None)
    )
    for listed in session.exec(open_records):
        listed.repaired_at = clock.now()
        session.add(listed)


def _notice(objection: Objection, record: LetterRecord | None, outcome: Outcome, reason: str) -> OutboxMessage:
    language = Lang(record.language if record is not None else objection.language or Lang.zh.value)
    notice = ObjectionResolved(number=record.number if record else None, outcome=outcome, reason=reason,
                               language=language)  # fmt: skip
    return OutboxMessage(
        letter_id=record.id if record else None,
        channel=objection.channel,
        channel_user=objection.channel_user,
        kind=notice.kind,
        dedup_key=f"objection:{objection.id}",
        payload=notice.model_dump_json(),
        created_at=clock.now(),
    )


def object_to_refusal(
    session: Session, subject_hashes: list[str], masked: str, *, who: ChannelUser, text: str, language: Lang
) -> Objection:
    """An objection to a credit refusal: kept against the record that refused, for the credit office.

    409 objection.not_listed when no open record bars this number: there is nothing to object to."""
    listed = session.exec(
        select(CreditRecord)
        .where(col(CreditRecord.subject_hash).in_(subject_hashes), col(CreditRecord.repaired_at).is_(None))
        .order_by(col(CreditRecord.id))
    ).first()
    if listed is None:
        raise ApiError(409, "objection.not_listed", "this number is not refused by the credit check")
    objection = Objection(subject_hash=listed.subject_hash, subject_masked=masked, language=language.value,
                          channel=who.channel.value, channel_user=who.user, text=text,
                          created_at=clock.now())  # fmt: skip
    session.add(objection)
    session.commit()
    return objection


def _open(departments: frozenset[str] | None) -> list[Any]:
    """Unanswered objections a clerk of these departments (None: an administrator) answers."""
    unanswered = col(Objection.resolved_at).is_(None)
    if departments is None:
        return [unanswered]
    return [unanswered, col(LetterRecord.department_code).in_(sorted(departments))]


def count_open(session: Session, departments: frozenset[str] | None) -> int:
    """Open objections for the dashboard: to letters of these departments, and to credit refusals
    for an administrator (departments None)."""
    query = (
        select(func.count())
        .select_from(Objection)
        .join(LetterRecord, col(LetterRecord.id) == col(Objection.letter_id), isouter=departments is None)
        .where(*_open(departments))
    )
    return session.exec(query).one()


def open_objections(session: Session, departments: frozenset[str] | None, *, limit: int = 50) -> list[Objection]:
    """Oldest first; an administrator's list includes those against credit refusals."""
    query = (
        select(Objection)
        .join(LetterRecord, col(LetterRecord.id) == col(Objection.letter_id), isouter=departments is None)
        .where(*_open(departments))
        .order_by(col(Objection.id))
        .limit(limit)
    )
    return list(session.exec(query))


def credit_objections(session: Session, *, limit: int = 50) -> list[Objection]:
    """Unanswered objections to credit refusals, oldest first: the credit office's to answer."""
    query = (
        select(Objection)
        .where(col(Objection.letter_id).is_(None), col(Objection.resolved_at).is_(None))
        .order_by(col(Objection.id))
        .limit(limit)
    )
    return list(session.exec(query))
