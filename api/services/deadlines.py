"""容缺 deadlines: reminders before the promised date, termination after it (逾期未提交作终止退件处理).

Run by every API worker on a timer and by `chengnuo deadlines run`; each reminder and each
termination happens exactly once however many run at the same moment: a reminder's outbox row is
unique per letter and deadline, and termination is a compare-and-set move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from api.errors import ApiError
from api.services.transitions import move
from api.store import LetterRecord, OutboxMessage
from api.store.engine import insert_for
from forms import clock
from forms.notifications import SupplementReminder
from forms.statuses import IN_FORCE, Actor, Status
from forms.workdays import working_days_until

# Remind when this many working days are left (and no nearer reminder was due already).
REMIND_AT = (3, 1)
WAITING = (Status.signed, Status.accepted, Status.awaiting_supplement)


@dataclass
class DeadlineRun:
    reminders: int = 0
    terminated: int = 0
    expired: int = 0


def run_deadlines(session: Session, *, today: date | None = None) -> DeadlineRun:
    today = today or clock.today()
    result = DeadlineRun()
    waiting = session.exec(
        select(LetterRecord)
        .where(col(LetterRecord.supplement_due_on).is_not(None))
        .where(col(LetterRecord.status).in_([s.value for s in WAITING]))
    ).all()
    for record in waiting:
        assert record.supplement_due_on is not None
        if record.supplement_due_on < today:
            result.terminated += _terminate(session, record)
        else:
            result.reminders += _remind(session, record, today)
    result.expired = _expire(session, today)
    return result


def _expire(session: Session, today: date) -> int:
    """Letters whose validity ended yesterday or before (承诺有效期届满) become expired."""
    ended = session.exec(
        select(LetterRecord)
        .where(col(LetterRecord.valid_until) < today)
        .where(col(LetterRecord.status).in_([s.value for s in IN_FORCE]))
    ).all()
    count = 0
    for record in ended:
        try:
            move(session, record, Status.expired, actor=Actor.system, actor_name="system", reason="承诺有效期届满")
            count += 1
        except ApiError:  # another worker expired it, or a window moved it meanwhile
            session.rollback()
    return count


def _remind(session: Session, record: LetterRecord, today: date) -> int:
    assert record.id is not None and record.supplement_due_on is not None
    left = working_days_until(today, record.supplement_due_on)
    due_now = [threshold for threshold in REMIND_AT if left <= threshold]
    if not due_now:
        return 0
    threshold = min(due_now)  # the nearest: a late first run sends one reminder, not two
    reminder = SupplementReminder(
        number=record.number,
        item_code=record.item_code,
        due_on=record.supplement_due_on,
        working_days_left=left,
        language=record.language,
    )
    insert = insert_for(session)
    inserted = session.execute(
        insert(OutboxMessage)
        .values(
            letter_id=record.id,
            channel=record.channel,
            channel_user=record.channel_user,
            kind=reminder.kind,
            dedup_key=f"supplement:{record.supplement_due_on.isoformat()}:{threshold}",
            payload=reminder.model_dump_json(),
            created_at=clock.now(),
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["letter_id", "dedup_key"])
        .returning(OutboxMessage.id)  # the rows made, counted: a driver's row count may be -1
    )
    made = len(inserted.all())
    session.commit()
    return made


def _terminate(session: Session, record: LetterRecord) -> int:
    """The deadline runs from signing: a 容缺 letter still waiting is terminated whether or not a
    window has moved it to awaiting_supplement (seed 004: 逾期未提交作终止退件处理)."""
    try:
        move(session, record, Status.overdue_terminated, actor=Actor.system, actor_name="system",
             reason="逾期未提交补正材料，作终止退件处理")  # fmt: skip
    except ApiError:  # another worker terminated it a moment ago
        session.rollback()
        return 0
    return 1
