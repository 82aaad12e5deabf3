"""Publication to the credit platform (归集公示, seed 000 三(三)): public letters, and the dishonesty
records (失信记录) of broken commitments, each put up in time and taken down when the rules say.

Two kinds of row share the four lists: a public letter (信用承诺, a `Publication`), due 7 working
days after signing; and a broken letter's credit record (失信记录, a `CreditRecord` of kind
false_commitment), due 7 working days after the finding (seed 002 一(三)) and taken down within 3
working days of repair (seed 000 三(五)). A letter that ends before it was published (withdrawn,
refused, terminated, superseded, revoked) leaves the due list; once published, it is to be taken down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.errors import ApiError
from api.pii import Vault
from api.services.documents import stored_letter
from api.store import CreditRecord, LetterRecord, Publication
from forms import clock
from forms.catalogue import ApplicantKind, CommitmentType
from forms.i18n import gettext_for
from forms.languages import Lang
from forms.render.view import TITLES
from forms.spreadsheet import csv_document
from forms.statuses import Status
from forms.workdays import add_working_days

PUBLISH_WITHIN = 7  # working days after signing (a letter) or after the finding (a broken commitment)
WITHDRAW_WITHIN = 3  # working days after credit repair, or after the letter ended
FALSE_COMMITMENT = "false_commitment"  # the kind of credit record a broken letter creates

# A letter in one of these is not to be on the credit platform: unpublished, it leaves the due
# list; published, it comes down within WITHDRAW_WITHIN working days.
ENDED = frozenset({Status.withdrawn, Status.refused, Status.overdue_terminated, Status.superseded, Status.revoked})


class PublicationState(StrEnum):
    due = "due"  # to be published, still in time
    overdue = "overdue"  # the 7 working days have passed
    published = "published"
    withdrawal_due = "withdrawal_due"  # to be taken down within 3 working days


class PublicationKind(StrEnum):
    letter = "letter"  # 信用承诺: a public letter
    dishonesty = "dishonesty"  # 失信记录: a broken commitment


KIND_NAMES = {PublicationKind.letter: "信用承诺", PublicationKind.dishonesty: "失信记录"}


@dataclass
class Entry:
    """One row of a list: a letter's publication, or its dishonesty record's (`credit` set)."""

    kind: PublicationKind
    letter: LetterRecord
    due_on: date
    published_at: datetime | None
    withdrawal_due_on: date | None
    withdrawn_at: datetime | None
    credit: CreditRecord | None = None

    def late_in(self, state: PublicationState) -> bool:
        """Past the date of this list: to take down (3 working days) or to publish (7 working days)."""
        today = clock.today()
        if state is PublicationState.withdrawal_due:
            return self.withdrawal_due_on is not None and self.withdrawn_at is None and self.withdrawal_due_on < today
        return self.published_at is None and self.due_on < today


# The 信用承诺信息 data items of the national credit-information platform's 归集 template, in its
# order (README, "Publication": where the list comes from and which items we cannot fill).
NATIONAL_ITEMS: dict[str, str] = {
    "number": "承诺编码",
    "subject": "承诺人名称",
    "subject_category": "承诺人类别",
    "code": "承诺人代码",
    "legal_representative": "法定代表人",
    "commitment_category": "承诺类型",
    "matter": "承诺事由",
    "content": "承诺内容",
    "liability": "违诺责任",
    "commitment_date": "承诺作出日期",
    "valid_until": "承诺有效期",
    "fulfilment": "承诺履行状态",
    "unfulfilled": "未履行的承诺内容",
    "sanction": "违诺责任追究内容",
    "fulfilment_date": "承诺履行状态认定日期",
    "fulfilment_authority": "承诺履行状态认定单位",
    "fulfilment_authority_code": "承诺履行状态认定单位代码",
    "authority": "承诺受理单位",
    "authority_code": "承诺受理单位代码",
    "disclosure": "公开类型",
    "source": "数据来源单位",
    "remarks": "备注",
}
# 承诺类型 as the template's choices name them
CATEGORIES = {
    CommitmentType.approval: "审批替代型",
    CommitmentType.missing_material: "容缺受理型",
    CommitmentType.certification: "证明事项型",
    CommitmentType.credit_repair: "信用修复型",
    CommitmentType.self_discipline: "行业自律型",
    CommitmentType.proactive: "主动型",
    CommitmentType.supervision: "其他（监管辅助型）",
    CommitmentType.other: "其他",
}
SUBJECT_CATEGORIES = {
    ApplicantKind.person: "自然人",
    ApplicantKind.individual_business: "个体工商户",
    ApplicantKind.company: "法人及非法人组织",
    ApplicantKind.organisation: "法人及非法人组织",
}
FULFILMENT = {Status.kept: "全部履行", Status.broken: "全部未履行", Status.repaired: "全部未履行"}


class UnifiedRecord(BaseModel):
    """One row in the credit platform's unified format (Chinese values, as the platform takes them)."""

    kind: PublicationKind  # letter (信用承诺) or dishonesty (失信记录)
    number: str
    subject: str  # 承诺人名称
    subject_category: str  # 承诺人类别
    code: str  # 承诺人代码: 统一社会信用代码; a person's ID number only masked
    legal_representative: str  # 法定代表人 (organisations)
    commitment_type: str  # the letter's title
    commitment_category: str  # 承诺类型, in the template's choices
    matter: str  # 承诺事由
    content: str  # 承诺内容
    liability: str  # 违诺责任
    commitment_date: date  # 承诺作出日期
    authority: str  # 承诺受理单位
    authority_code: str  # 承诺受理单位代码 (the department's credit code, where the catalogue has it)
    valid_until: date  # 承诺有效期
    fulfilment: str  # 承诺履行状态; empty until the check found it
    unfulfilled: str  # 未履行的承诺内容: the finding of a broken commitment
    sanction: str  # 违诺责任追究内容: not recorded by chengnuo (README)
    fulfilment_date: date | None  # 承诺履行状态认定日期
    fulfilment_authority: str  # 承诺履行状态认定单位
    fulfilment_authority_code: str
    disclosure: str  # 公开类型
    source: str  # 数据来源单位
    remarks: str  # 备注
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


def follow_status(session: Session, record: LetterRecord, target: Status) -> None:
    """What a letter's new status means for what is published, in the move's transaction."""
    if target in ENDED:
        schedule_withdrawal(session, record)  # unpublished, the lists leave it out by its status
    elif target is Status.repaired:
        schedule_withdrawal(session, record)
        for listed in session.exec(select(CreditRecord).where(CreditRecord.letter_id == record.id)):
            if listed.published_at is not None and listed.withdrawn_at is None:
                listed.withdrawal_due_on = add_working_days(clock.today(), WITHDRAW_WITHIN)
                session.add(listed)


def dishonesty_due_on(found_on: date) -> date:
    """A broken commitment is published within 7 working days of the finding (seed 002 一(三))."""
    return add_working_days(found_on, PUBLISH_WITHIN)


def _letter_conditions(state: PublicationState) -> list[Any]:
    today = clock.today()
    unpublished = [col(Publication.published_at).is_(None), col(LetterRecord.status).not_in(sorted(ENDED))]
    conditions: dict[PublicationState, list[Any]] = {
        PublicationState.due: [*unpublished, col(Publication.due_on) >= today],
        PublicationState.overdue: [*unpublished, col(Publication.due_on) < today],
        PublicationState.published: [
            col(Publication.published_at).is_not(None),
            col(Publication.withdrawn_at).is_(None),
        ],
        PublicationState.withdrawal_due: [
            col(Publication.withdrawal_due_on).is_not(None),
            col(Publication.withdrawn_at).is_(None),
        ],
    }
    return conditions[state]


def _dishonesty_conditions(state: PublicationState) -> list[Any]:
    today = clock.today()
    unpublished = [
        col(CreditRecord.publish_due_on).is_not(None),
        col(CreditRecord.published_at).is_(None),
        col(CreditRecord.repaired_at).is_(None),  # repaired before it went up: nothing to publish
    ]
    conditions: dict[PublicationState, list[Any]] = {
        PublicationState.due: [*unpublished, col(CreditRecord.publish_due_on) >= today],
        PublicationState.overdue: [*unpublished, col(CreditRecord.publish_due_on) < today],
        PublicationState.published: [
            col(CreditRecord.published_at).is_not(None),
            col(CreditRecord.withdrawn_at).is_(None),
        ],
        PublicationState.withdrawal_due: [
            col(CreditRecord.withdrawal_due_on).is_not(None),
            col(CreditRecord.withdrawn_at).is_(None),
        ],
    }
    return conditions[state]


def _mine(departments: frozenset[str] | None) -> list[Any]:
    return [] if departments is None else [col(LetterRecord.department_code).in_(sorted(departments))]


def find(
    session: Session,
    state: PublicationState,
    departments: frozenset[str] | None,
    *,
    limit: int | None = None,
    kind: PublicationKind | None = None,
) -> list[Entry]:
    """One list, soonest due first, of both kinds or of `kind`; `limit` for a page (its first rows)."""
    entries: list[Entry] = []
    if kind in (None, PublicationKind.letter):
        entries += _letters(session, state, departments, limit)
    if kind in (None, PublicationKind.dishonesty):
        entries += _dishonesty_records(session, state, departments, limit)
    entries.sort(key=lambda e: (e.due_on, e.letter.number, e.kind.value))
    return entries[:limit] if limit is not None else entries


def _letters(
    session: Session, state: PublicationState, departments: frozenset[str] | None, limit: int | None
) -> list[Entry]:
    letters = session.exec(
        select(Publication, LetterRecord)
        .join(LetterRecord, col(LetterRecord.id) == col(Publication.letter_id))
        .where(*_letter_conditions(state), *_mine(departments))
        .order_by(col(Publication.due_on), col(LetterRecord.number))
        .limit(limit)
    )
    return [
        Entry(PublicationKind.letter, r, p.due_on, p.published_at, p.withdrawal_due_on, p.withdrawn_at)
        for p, r in letters
    ]


def _dishonesty_records(
    session: Session, state: PublicationState, departments: frozenset[str] | None, limit: int | None
) -> list[Entry]:
    records = session.exec(
        select(CreditRecord, LetterRecord)
        .join(LetterRecord, col(LetterRecord.id) == col(CreditRecord.letter_id))
        .where(*_dishonesty_conditions(state), *_mine(departments))
        .order_by(col(CreditRecord.publish_due_on), col(LetterRecord.number))
        .limit(limit)
    )
    entries = []
    for c, r in records:
        assert c.publish_due_on is not None
        entries.append(
            Entry(PublicationKind.dishonesty, r, c.publish_due_on, c.published_at, c.withdrawal_due_on,
                  c.withdrawn_at, credit=c)
        )  # fmt: skip
    return entries


def count(session: Session, state: PublicationState, departments: frozenset[str] | None) -> int:
    """How many find would list, without reading them."""
    letters = session.exec(
        select(func.count())
        .select_from(Publication)
        .join(LetterRecord, col(LetterRecord.id) == col(Publication.letter_id))
        .where(*_letter_conditions(state), *_mine(departments))
    ).one()
    records = session.exec(
        select(func.count())
        .select_from(CreditRecord)
        .join(LetterRecord, col(LetterRecord.id) == col(CreditRecord.letter_id))
        .where(*_dishonesty_conditions(state), *_mine(departments))
    ).one()
    return letters + records


def mark(
    session: Session,
    username: str,
    departments: frozenset[str] | None,
    numbers: list[str],
    *,
    withdrawn: bool,
    dishonesty: list[str] | None = None,
) -> list[str]:
    """Record that these rows are on the credit platform (or taken down): all of them or none.

    `numbers` name letters' publications, `dishonesty` the dishonesty records of broken letters. A
    number that is not one of the clerk's departments' refuses the whole lot (404); marking twice
    keeps the first time. Returns the letters' numbers marked (the records' are `dishonesty`).
    """
    found: dict[str, Publication] = {}
    if numbers:
        rows = session.exec(
            select(Publication, LetterRecord)
            .join(LetterRecord, col(LetterRecord.id) == col(Publication.letter_id))
            .where(col(LetterRecord.number).in_(numbers))
        ).all()
        found = {r.number: p for p, r in rows if departments is None or r.department_code in departments}
    records: dict[str, list[CreditRecord]] = {}
    if dishonesty:
        for c, r in session.exec(
            select(CreditRecord, LetterRecord)
            .join(LetterRecord, col(LetterRecord.id) == col(CreditRecord.letter_id))
            .where(col(LetterRecord.number).in_(dishonesty), col(CreditRecord.publish_due_on).is_not(None))
        ):
            if departments is None or r.department_code in departments:
                records.setdefault(r.number, []).append(c)
    missing = sorted((set(numbers) - found.keys()) | (set(dishonesty or []) - records.keys()))
    if missing:
        raise ApiError(404, "not_found", f"no publication for {', '.join(missing[:5])}")
    now = clock.now()
    marked: list[Any] = [*found.values(), *(c for listed in records.values() for c in listed)]
    for row in marked:
        if withdrawn:
            row.withdrawn_at = row.withdrawn_at or now
        else:
            row.published_at = row.published_at or now
            row.published_by = row.published_by or username
        session.add(row)
    session.commit()
    return sorted(found)


def unified(vault: Vault, entry: Entry) -> UnifiedRecord:
    """The row in the national 信用承诺信息 items (and ours: kind, number, dates of this list)."""
    record = entry.letter
    letter, item = stored_letter(vault, record)
    zh = gettext_for(Lang.zh)
    person = letter.applicant.kind is ApplicantKind.person
    status = Status(record.status)
    credit = entry.credit
    fulfilment = "全部未履行" if credit is not None else FULFILMENT.get(status, "")
    if credit is not None:
        found_on: date | None = credit.listed_on
    elif fulfilment:
        found_on = record.updated_at.astimezone(clock.BEIJING).date()  # the move that found it
    else:
        found_on = None
    department = item.department
    code = department.credit_code or ""
    return UnifiedRecord(
        kind=entry.kind,
        number=record.number,
        subject=letter.applicant.name,
        subject_category=SUBJECT_CATEGORIES[letter.applicant.kind],
        code=record.id_masked if person else letter.applicant.id_number,  # PIPL: no person's full ID
        legal_representative=letter.applicant.legal_representative or "",
        commitment_type=zh(TITLES[item.commitment_type]),
        commitment_category=CATEGORIES[item.commitment_type],
        matter=item.name.zh,
        content="；".join(c.zh for c in letter.commitments),
        liability=item.notice.liability.zh,
        commitment_date=record.signed_at.astimezone(clock.BEIJING).date(),
        authority=department.name.zh,
        authority_code=code,
        valid_until=record.valid_until,
        fulfilment=fulfilment,
        unfulfilled=credit.reason if credit is not None else "",
        sanction="",
        fulfilment_date=found_on,
        fulfilment_authority=department.name.zh if fulfilment else "",
        fulfilment_authority_code=code if fulfilment else "",
        disclosure="可向社会公开",
        source=department.name.zh,
        remarks=KIND_NAMES[entry.kind],
        due_on=entry.due_on,
        published_at=entry.published_at.isoformat() if entry.published_at else None,
        withdrawal_due_on=entry.withdrawal_due_on,
    )


def as_csv(records: list[UnifiedRecord]) -> str:
    """The unified format as CSV; a name or code typed as "=HYPERLINK(…)" stays text in Excel."""
    return csv_document(list(UnifiedRecord.model_fields), (r.model_dump(mode="json") for r in records))


def as_national_csv(records: list[UnifiedRecord]) -> str:
    """The 归集 template itself: the national data items' Chinese names as the header, in order."""
    rows = ({NATIONAL_ITEMS[k]: v for k, v in r.model_dump(mode="json").items() if k in NATIONAL_ITEMS}
            for r in records)  # fmt: skip
    return csv_document(list(NATIONAL_ITEMS.values()), rows)


def take_down_after_objection(session: Session, record: LetterRecord) -> None:
    """An upheld objection (异议成立): what was published of the letter is wrong, so it comes down
    within the same 3 working days as after repair, to be corrected or left down."""
    schedule_withdrawal(session, record)
