"""A window's work today: what came in, what waits for the window, what is late."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.services.deadlines import WAITING
from api.services.objections import count_open, open_objections
from api.services.publications import PublicationState, count
from api.store import LetterRecord, Objection, letters_listed
from forms.clock import BEIJING
from forms.statuses import Status

SHOWN = 50  # rows per list; the counts are whole


@dataclass(frozen=True)
class OpenObjection:
    """An objection waiting for an answer: to a letter (its number), or to a credit refusal (None)."""

    objection: Objection
    number: str | None


@dataclass
class Workload:
    new_today: list[LetterRecord] = field(default_factory=list)
    to_accept: list[LetterRecord] = field(default_factory=list)  # signed, not yet accepted
    supplements_due: list[LetterRecord] = field(default_factory=list)  # 容缺: still in time
    supplements_overdue: list[LetterRecord] = field(default_factory=list)  # past the date, not terminated yet
    rectifications_overdue: list[LetterRecord] = field(default_factory=list)  # 限期整改 past its deadline
    objections: list[OpenObjection] = field(default_factory=list)  # unanswered, oldest first
    counts: dict[str, int] = field(default_factory=dict)


def workload(session: Session, departments: frozenset[str] | None, today: date) -> Workload:
    """Everything on the dashboard, for the departments a clerk serves (None: all)."""
    mine = [] if departments is None else [col(LetterRecord.department_code).in_(sorted(departments))]
    start = datetime.combine(today, time.min, tzinfo=BEIJING)
    # 容缺: the deadline runs from signing, whether or not the window has moved the letter yet
    awaiting = col(LetterRecord.status).in_([s.value for s in WAITING])
    rectifying = col(LetterRecord.status) == Status.rectification_due.value
    lists = {
        "new_today": ([col(LetterRecord.signed_at) >= start], col(LetterRecord.signed_at).desc()),
        "to_accept": ([col(LetterRecord.status) == Status.signed.value], col(LetterRecord.signed_at)),
        "supplements_due": (
            [awaiting, col(LetterRecord.supplement_due_on) >= today],
            col(LetterRecord.supplement_due_on),
        ),
        "supplements_overdue": (
            [awaiting, col(LetterRecord.supplement_due_on) < today],
            col(LetterRecord.supplement_due_on),
        ),
        # 限期整改 (seed 003 四(七)): the time given has passed and nobody has checked again
        "rectifications_overdue": (
            [rectifying, col(LetterRecord.rectification_due_on) < today],
            col(LetterRecord.rectification_due_on),
        ),
    }
    result = Workload()
    for name, (conditions, order) in lists.items():
        where = [*mine, *conditions]
        rows = session.exec(letters_listed().where(*where).order_by(order).limit(SHOWN)).all()
        setattr(result, name, list(rows))
        total = select(func.count()).select_from(LetterRecord).where(*where)
        result.counts[name] = session.exec(total).one()
    for state in (PublicationState.due, PublicationState.overdue):
        result.counts[f"publications_{state.value}"] = count(session, state, departments)
    result.counts["objections_open"] = count_open(session, departments)
    result.objections = _objections(session, departments)
    return result


def _objections(session: Session, departments: frozenset[str] | None) -> list[OpenObjection]:
    found = open_objections(session, departments, limit=SHOWN)
    ids = {o.letter_id for o in found if o.letter_id is not None}
    numbers = dict(
        session.exec(select(LetterRecord.id, LetterRecord.number).where(col(LetterRecord.id).in_(ids))).all()
    )
    return [OpenObjection(o, numbers.get(o.letter_id) if o.letter_id else None) for o in found]
