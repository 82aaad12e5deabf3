"""Moving a letter to another status: the rules, the event, the applicant's notice, the credit record."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.errors import ApiError
from api.services.countersign import Countersigning, countersigned_on
from api.services.publications import FALSE_COMMITMENT, dishonesty_due_on, follow_status
from api.store import CreditRecord, LetterEvent, LetterRecord, OutboxMessage
from forms import clock
from forms.catalogue import CommitmentType
from forms.notifications import StatusChanged
from forms.sanctions import Sanction
from forms.statuses import Actor, IllegalMove, Status, check_move
from forms.validation.normalize import normalize_prose
from forms.workdays import add_working_days

RECTIFY_MAX = 60  # working days: about three months, the longest a check would give

# Moves whose reason the applicant and the credit record must be able to read later.
REASON_REQUIRED = {
    Status.broken,
    Status.repaired,
    Status.superseded,
    Status.overdue_terminated,
    Status.withdrawn,
    Status.expired,
    Status.refused,
    Status.rectification_due,
    Status.revoked,
}


def move(
    session: Session,
    record: LetterRecord,
    target: Status,
    *,
    actor: Actor,
    actor_name: str,
    reason: str = "",
    rectify_within: int | None = None,
    sanction: Sanction | None = None,
    countersigning: Countersigning | None = None,
) -> LetterEvent:
    """Apply one move in the caller's transaction and commit it; 409 with a reason when illegal.

    `rectify_within`: working days given to put right what the check found (限期整改 only);
    `sanction`: what the authority decided with a revocation (撤销 only);
    accepting needs `countersigning`: the department countersigns in the same transaction."""
    countersigned = countersigned_on(session, record, target, clock.now(), countersigning)  # staged before it
    try:
        event = apply_move(
            session, record, target, actor=actor, actor_name=actor_name, reason=reason,
            rectify_within=rectify_within, sanction=sanction, columns=countersigned.values,
        )  # fmt: skip
    except BaseException:
        countersigned.discard()
        raise
    countersigned.commit(session, record)
    return event


def apply_move(
    session: Session,
    record: LetterRecord,
    target: Status,
    *,
    actor: Actor,
    actor_name: str,
    reason: str = "",
    rectify_within: int | None = None,
    sanction: Sanction | None = None,
    columns: dict[str, object] | None = None,
) -> LetterEvent:
    """One move, its event, notice and consequences in the caller's transaction, not committed
    (a re-commitment supersedes the old letter in the transaction that stores the new one);
    `columns`: more of the letter's columns set with its status (the countersigned copy's)."""
    current = Status(record.status)
    try:
        check_move(current, target, actor, CommitmentType(record.commitment_type))
    except IllegalMove as illegal:
        raise ApiError(409, illegal.code, illegal.message) from None
    reason = normalize_prose(reason)
    if target in REASON_REQUIRED and not reason:
        raise ApiError(422, "transition.reason_required", f"say why the letter becomes {target}")
    due_on = _rectification_due(target, rectify_within)
    _check_sanction(target, sanction)
    now = clock.now()
    values: dict[str, object] = {"status": target.value, "updated_at": now}
    if due_on is not None:
        values["rectification_due_on"] = due_on
    values |= columns or {}
    # compare and set: if another clerk moved the letter meanwhile, this move is refused
    changed = session.execute(
        update(LetterRecord)
        .where(col(LetterRecord.id) == record.id, col(LetterRecord.status) == current.value)
        .values(**values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ApiError(409, "transition.stale", "the letter was changed meanwhile: reload it")
    assert record.id is not None
    event = LetterEvent(
        letter_id=record.id,
        at=now,
        actor=actor_name,
        from_status=current.value,
        to_status=target.value,
        reason=reason,
        sanction=sanction.value if sanction else None,
    )
    session.add(event)
    session.flush()
    session.add(_notice(record, event, due_on))
    _credit_consequences(session, record, target, reason)
    follow_status(session, record, target)
    record.status = target.value
    if due_on is not None:
        record.rectification_due_on = due_on
    return event


def _rectification_due(target: Status, within: int | None) -> date | None:
    """The last day of a 限期整改, counted in working days from today; 422 when missing or absurd."""
    if target is not Status.rectification_due:
        if within is not None:
            raise ApiError(422, "transition.deadline_unexpected", "only 限期整改 takes a number of working days")
        return None
    if within is None:
        raise ApiError(422, "transition.deadline_required", "say within how many working days to put it right")
    if not 1 <= within <= RECTIFY_MAX:
        raise ApiError(422, "transition.deadline_range", f"give between 1 and {RECTIFY_MAX} working days")
    return add_working_days(clock.today(), within)


def _check_sanction(target: Status, sanction: Sanction | None) -> None:
    if target is Status.revoked and sanction is None:
        raise ApiError(422, "transition.sanction_required", "say which sanction goes with the revocation")
    if target is not Status.revoked and sanction is not None:
        raise ApiError(422, "transition.sanction_unexpected", "only a revocation takes a sanction")


def _notice(record: LetterRecord, event: LetterEvent, due_on: date | None = None) -> OutboxMessage:
    """The applicant is told of every change, in their language (the bot words it)."""
    assert record.id is not None
    notice = StatusChanged(
        number=record.number,
        item_code=record.item_code,
        from_status=event.from_status,
        to_status=event.to_status,
        reason=event.reason,
        language=record.language,
        due_on=due_on,
        sanction=Sanction(event.sanction) if event.sanction else None,
    )
    return OutboxMessage(
        letter_id=record.id,
        channel=record.channel,
        channel_user=record.channel_user,
        kind=notice.kind,
        dedup_key=f"event:{event.id}",
        payload=notice.model_dump_json(),
        created_at=event.at,
    )


def _credit_consequences(session: Session, record: LetterRecord, target: Status, reason: str) -> None:
    """A false commitment puts its subject on the list (seed 003 四(七)) until it is repaired: one
    found at the check (broken) or one a decision was obtained by (revoked)."""
    source = f"letter:{record.number}"
    if target in (Status.broken, Status.revoked):
        session.add(
            CreditRecord(
                subject_hash=record.id_hash,
                subject_masked=record.id_masked,
                subject_name=record.applicant_name,
                kind=FALSE_COMMITMENT,
                source=source,
                reason=reason,
                listed_on=clock.today(),
                created_at=clock.now(),
                letter_id=record.id,
                publish_due_on=dishonesty_due_on(clock.today()),  # 失信记录 to publish
            )
        )
    elif target is Status.repaired:
        for listed in session.exec(select(CreditRecord).where(CreditRecord.source == source)):
            listed.repaired_at = clock.now()
            session.add(listed)
