"""Publication of public letters to the credit platform, in its unified format (seed 000 三(三))."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.errors import ApiError
from api.pii import Vault
from api.services.documents import stored_letter
from api.store import LetterRecord, Publication
from forms import clock
from forms.catalogue import ApplicantKind
from forms.i18n import gettext_for
from forms.languages import Lang
from forms.render.view import TITLES
from forms.spreadsheet import csv_document
from forms.workdays import add_working_days

PUBLISH_WITHIN = 7  # working days after signing
WITHDRAW_WITHIN = 3  # working days after credit repair


class PublicationState(StrEnum):
    due = "due"  # to be published, still in time
    overdue = "overdue"  # the 7 working days have passed
    published = "published"
    withdrawal_due = "withdrawal_due"  # repaired: to be taken down within 3 working days


class UnifiedRecord(BaseModel):
    """One letter in the credit platform's unified format (Chinese, as the platform takes it)."""

    number: str
    subject: str  # 承诺主体名称
    code: str  # 统一社会信用代码; a person's ID number only masked
    commitment_type: str  # 承诺类型
    matter: str  # 承诺事由
    content: str  # 承诺内容
    commitment_date: date  # 承诺作出日期
    authority: str  # 承诺受理单位
    valid_until: date  # 承诺有效期至
    due_on: date
    published_at: str | None
    withdrawal_due_on: date | None


def schedule(session: Session, record: LetterRecord) -> None:
    """A public letter gets its publication date when it is stored."""
    if record.public and record.id is not None:
        signed_on = record.signed_at.astimezone(clock.BEIJING).date()
        session.add(Publication(letter_id=record.id, due_on=add_working_days(signed_on, PUBLISH_WITHIN)))


def schedule_withdrawal(session: Session, record: LetterRecord) -> None:
    """After credit repair, a published record comes down within 3 working days."""
    publication = session.exec(select(Publication).where(Publication.letter_id == record.id)).first()
    if publication is not None and publication.published_at is not None and publication.withdrawn_at is None:
        publication.withdrawal_due_on = add_working_days(clock.today(), WITHDRAW_WITHIN)
        session.add(publication)


def _listed(state: PublicationState, departments: frozenset[str] | None) -> list[Any]:
    """The conditions of one list, for a clerk's departments (None: all): what find and count share."""
    today = clock.today()
    unpublished = col(Publication.published_at).is_(None)
    conditions: dict[PublicationState, list[Any]] = {
        PublicationState.due: [unpublished, col(Publication.due_on) >= today],
        PublicationState.overdue: [unpublished, col(Publication.due_on) < today],
        PublicationState.published: [
            col(Publication.published_at).is_not(None),
            col(Publication.withdrawn_at).is_(None),
        ],
        PublicationState.withdrawal_due: [
            col(Publication.withdrawal_due_on).is_not(None),
            col(Publication.withdrawn_at).is_(None),
        ],
    }
    if departments is None:
        return conditions[state]
    return [*conditions[state], col(LetterRecord.department_code).in_(sorted(departments))]


def find(
    session: Session, state: PublicationState, departments: frozenset[str] | None, *, limit: int | None = None
) -> list[tuple[Publication, LetterRecord]]:
    """One list, soonest due first; `limit` for a page, which shows the first rows only."""
    query = (
        select(Publication, LetterRecord)
        .join(LetterRecord, col(LetterRecord.id) == col(Publication.letter_id))
        .where(*_listed(state, departments))
        .order_by(col(Publication.due_on), col(LetterRecord.number))
        .limit(limit)
    )
    return [(p, r) for p, r in session.exec(query)]


def count(session: Session, state: PublicationState, departments: frozenset[str] | None) -> int:
    """How many find would list, without reading them."""
    query = (
        select(func.count())
        .select_from(Publication)
        .join(LetterRecord, col(LetterRecord.id) == col(Publication.letter_id))
        .where(*_listed(state, departments))
    )
    return session.exec(query).one()


def mark(
    session: Session, username: str, departments: frozenset[str] | None, numbers: list[str], *, withdrawn: bool
) -> list[str]:
    """Record that these letters are on the credit platform (or taken down): all of them or none.

    A number that is not a publication of the clerk's departments refuses the whole lot (404);
    marking twice keeps the first time.
    """
    rows = session.exec(
        select(Publication, LetterRecord)
        .join(LetterRecord, col(LetterRecord.id) == col(Publication.letter_id))
        .where(col(LetterRecord.number).in_(numbers))
    ).all()
    found = {r.number: p for p, r in rows if departments is None or r.department_code in departments}
    missing = sorted(set(numbers) - found.keys())
    if missing:
        raise ApiError(404, "not_found", f"no publication for {', '.join(missing[:5])}")
    now = clock.now()
    for publication in found.values():
        if withdrawn:
            publication.withdrawn_at = publication.withdrawn_at or now
        else:
            publication.published_at = publication.published_at or now
            publication.published_by = publication.published_by or username
        session.add(publication)
    session.commit()
    return sorted(found)


def unified(vault: Vault, publication: Publication, record: LetterRecord) -> UnifiedRecord:
    letter, item = stored_letter(vault, record)
    zh = gettext_for(Lang.zh)
    person = letter.applicant.kind is ApplicantKind.person
    return UnifiedRecord(
        number=record.number,
        subject=letter.applicant.name,
        code=record.id_masked if person else letter.applicant.id_number,  # PIPL: no person's full ID
        commitment_type=zh(TITLES[item.commitment_type]),
        matter=item.name.zh,
        content="；".join(c.zh for c in letter.commitments),
        commitment_date=record.signed_at.astimezone(clock.BEIJING).date(),
        authority=item.department.name.zh,
        valid_until=record.valid_until,
        due_on=publication.due_on,
        published_at=publication.published_at.isoformat() if publication.published_at else None,
        withdrawal_due_on=publication.withdrawal_due_on,
    )


def as_csv(records: list[UnifiedRecord]) -> str:
    """The unified format as CSV; a name or code typed as "=HYPERLINK(…)" stays text in Excel."""
    return csv_document(list(UnifiedRecord.model_fields), (r.model_dump(mode="json") for r in records))


def take_down_after_objection(session: Session, record: LetterRecord) -> None:
    """An upheld objection (异议成立): what was published of the letter is wrong, so it comes down
    within the same 3 working days as after repair, to be corrected or left down."""
    schedule_withdrawal(session, record)
