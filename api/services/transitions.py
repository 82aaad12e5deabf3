"""Moving a letter to another status: the rules, the event, the applicant's notice, the credit record."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from api.errors import ApiError
from api.services.countersign import Countersigning, countersigned_on
from api.services.publications import FALSE_COMMITMENT, dishonesty_due_on, follow_status
from api.store import CreditRecord, LetterEvent, LetterRecord, OutboxMessage
from forms import clock
from forms.catalogue import CommitmentType
from forms.notifications import StatusChanged
from forms.statuses import Actor, IllegalMove, Status, check_move

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
    countersigning: Countersigning | None = None,
) -> LetterEvent:
    """Apply one move in the caller's transaction and commit it; 409 with a reason when illegal.
    Accepting needs `countersigning`: the department countersigns in the same transaction."""
    current = Status(record.status)
    try:
        check_move(current, target, actor, CommitmentType(record.commitment_type))
    except IllegalMove as illegal:
        raise ApiError(409, illegal.code, illegal.message) from None
    reason = reason.strip()
    if target in REASON_REQUIRED and not reason:
        raise ApiError(422, "transition.reason_required", f"say why the letter becomes {target}")
    now = clock.now()
    countersigned = countersigned_on(session, record, target, now, countersigning)  # staged before the transaction
    # compare and set: if another clerk moved the letter meanwhile, this move is refused
    changed = session.execute(
        update(LetterRecord)
        .where(col(LetterRecord.id) == record.id, col(LetterRecord.status) == current.value)
        .values(status=target.value, updated_at=now, **countersigned.values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        countersigned.discard()
        raise ApiError(409, "transition.stale", "the letter was changed meanwhile: reload it")
    assert record.id is not None
    event = LetterEvent(
        letter_id=record.id, at=now, actor=actor_name, from_status=current.value, to_status=target.value, reason=reason
    )
    session.add(event)
    session.flush()
    session.add(_notice(record, event))
    _credit_consequences(session, record, target, reason)
    follow_status(session, record, target)
    countersigned.commit(session, record)
    record.status = target.value
    return event


def _notice(record: LetterRecord, event: LetterEvent) -> OutboxMessage:
    """The applicant is told of every change, in their language (the bot words it)."""
    assert record.id is not None
    notice = StatusChanged(
        number=record.number,
        item_code=record.item_code,
        from_status=event.from_status,
        to_status=event.to_status,
        reason=event.reason,
        language=record.language,
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
    """A false commitment puts its subject on the list (seed 003 四(七)) until it is repaired."""
    source = f"letter:{record.number}"
    if target is Status.broken:
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
