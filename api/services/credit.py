"""The dishonesty list: imported whole from the credit platform's CSV, and asked before committing."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from api.pii import Vault
from api.runtime import Services, write_session
from api.store import CreditImport, CreditRecord
from forms import clock
from forms.catalogue import CommitmentType
from forms.credit import CreditVerdict, Eligibility
from forms.validation import (
    IdType,
    Invalid,
    Reason,
    document_number,
    mask_id,
    parse_date,
    person_name,
    subject_numbers,
)
from forms.validation.names import organisation_name
from forms.validation.normalize import normalize_prose

COLUMNS = ("id_number", "name", "reason", "listed_on")
ID_TYPE_COLUMN = "id_type"  # optional: a row without it is a resident ID or a credit code
GREEN_CHANNEL_YEARS = 3  # seed 000 六(一): three years without a record
IMPORTED = "dishonest"

MAX_IMPORT = 20 * 1024 * 1024  # bytes of a dishonesty list


class RowProblem(BaseModel):
    line: int
    column: str
    reason: str


class ImportReport(BaseModel):
    """What an import did, or would do in a dry run; nothing is written when any row is bad."""

    rows: int
    added: int
    kept: int
    removed: int
    problems: list[RowProblem]
    applied: bool


@dataclass
class _Row:
    subject_hash: str
    masked: str
    name: str
    reason: str
    listed_on: date


@dataclass
class _Parsed:
    rows: list[_Row] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def canonical_subject(typed: str, id_type: IdType | None = None) -> tuple[str, bool]:
    """(canonical number, is an organisation) for a document of this kind, by default a resident ID
    or a credit code; raises Invalid."""
    if id_type is not None:
        return document_number(id_type, typed), id_type is IdType.uscc
    try:
        return document_number(IdType.resident_id, typed), False
    except Invalid as not_a_person:
        try:
            return document_number(IdType.uscc, typed), True
        except Invalid:
            raise not_a_person from None


def subject_hashes(vault: Vault, typed: str) -> list[str]:
    """The keyed hashes of every form the number takes under any kind of document: a listed
    number is found whichever kind it is typed as, with whatever spaces, dashes or case."""
    return [vault.lookup_hash(number) for number in subject_numbers(typed)]


def _parse(data: bytes, vault: Vault) -> _Parsed:
    parsed = _Parsed()
    try:
        text = data.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        parsed.problems.append(RowProblem(line=1, column="-", reason="encoding.not_utf8"))
        return parsed
    # newline="": the csv module reads the line ends itself (Excel's \r\n, an old Mac's \r, a quoted one)
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    starts = 1  # the line the next record starts on
    try:
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            parsed.problems.append(RowProblem(line=1, column=",".join(missing), reason="header.missing_columns"))
            return parsed
        starts = reader.line_num + 1
        for row in reader:
            parsed.rows += _row(row, starts, vault, parsed.problems)
            starts = reader.line_num + 1
    except csv.Error:  # a quote never closed, or text after a closing one: not CSV from that line on
        parsed.problems.append(RowProblem(line=starts, column="-", reason="csv.malformed"))
    return parsed


def _row(row: dict[str, str | None], line: int, vault: Vault, problems: list[RowProblem]) -> list[_Row]:
    values = {c: (row.get(c) or "").strip() for c in (*COLUMNS, ID_TYPE_COLUMN)}
    before = len(problems)
    subject, organisation, name = "", False, ""
    listed_on, kind = clock.today(), None
    try:
        kind = _listed_kind(values[ID_TYPE_COLUMN])
    except Invalid as error:
        problems.append(RowProblem(line=line, column=ID_TYPE_COLUMN, reason=error.reason.value))
    try:
        subject, organisation = canonical_subject(values["id_number"], kind)
    except Invalid as error:
        problems.append(RowProblem(line=line, column="id_number", reason=error.reason.value))
    try:
        name = (organisation_name if organisation else person_name)(values["name"])
    except Invalid as error:
        problems.append(RowProblem(line=line, column="name", reason=error.reason.value))
    try:
        listed_on = parse_date(values["listed_on"], not_future=True)
    except Invalid as error:
        problems.append(RowProblem(line=line, column="listed_on", reason=error.reason.value))
    if len(problems) > before:
        return []
    reason = normalize_prose(values["reason"])[:500]
    return [_Row(vault.lookup_hash(subject), mask_id(subject), name, reason, listed_on)]


def _listed_kind(typed: str) -> IdType | None:
    """The optional id_type column: one of the kinds a letter takes, or empty for the default."""
    if not typed:
        return None
    if typed not in {t.value for t in IdType} or typed == IdType.other:
        raise Invalid(Reason.choice_unknown)
    return IdType(typed)


def batch_name(username: str) -> str:
    """What an import's records name as their source: the minute, who imported, a few random characters."""
    return f"{clock.now():%Y%m%d%H%M}-{username}-{secrets.token_hex(2)}"


def listed(session: Session) -> int:
    """How many subjects the imported list bars now."""
    query = select(func.count()).select_from(CreditRecord)
    return session.exec(query.where(CreditRecord.kind == IMPORTED, col(CreditRecord.repaired_at).is_(None))).one()


def import_list(session: Session, vault: Vault, data: bytes, *, batch: str, dry_run: bool) -> ImportReport:
    """Make the imported list what the file says, all or nothing: the file is the current list."""
    parsed = _parse(data, vault)
    current = {
        r.subject_hash: r
        for r in session.exec(
            select(CreditRecord).where(CreditRecord.kind == IMPORTED, col(CreditRecord.repaired_at).is_(None))
        )
    }
    incoming = {r.subject_hash: r for r in parsed.rows}
    report = ImportReport(
        rows=len(parsed.rows) + len({p.line for p in parsed.problems}),
        added=len(incoming.keys() - current.keys()),
        kept=len(incoming.keys() & current.keys()),
        removed=len(current.keys() - incoming.keys()),
        problems=parsed.problems,
        applied=False,
    )
    if dry_run or parsed.problems:
        return report
    now = clock.now()
    for subject in current.keys() - incoming.keys():  # no longer listed: repaired at the source
        current[subject].repaired_at = now
        session.add(current[subject])
    for subject in incoming.keys() - current.keys():
        row = incoming[subject]
        session.add(
            CreditRecord(
                subject_hash=subject,
                subject_masked=row.masked,
                subject_name=row.name,
                kind=IMPORTED,
                source=f"import:{batch}",
                reason=row.reason,
                listed_on=row.listed_on,
                created_at=now,
            )
        )
    session.add(CreditImport(batch=batch[:64], rows=report.rows, applied_at=now))
    session.commit()
    report.applied = True
    return report


def last_import(session: Session) -> datetime | None:
    """When the dishonesty list was last imported; None when it never was."""
    return session.exec(select(func.max(CreditImport.applied_at))).one()


def eligibility(session: Session, subject_hashes: Sequence[str], *, today: date | None = None) -> Eligibility:
    """May this subject use the commitment route? (seed 001 三(六), seed 003 四(一))

    `subject_hashes`: every form of the subject's number (`subject_hashes`); a record of any bars it.
    """
    today = today or clock.today()
    query = select(CreditRecord).where(col(CreditRecord.subject_hash).in_(list(subject_hashes)))
    records = session.exec(query).all()
    open_records = [r for r in records if r.repaired_at is None]
    if any(r.kind == IMPORTED for r in open_records):
        return Eligibility.dishonest
    if open_records:
        return Eligibility.false_commitment
    if last_import(session) is None:  # no list to be clean on: eligible, nothing vouches for more
        return Eligibility.eligible
    since = today - timedelta(days=365 * GREEN_CHANNEL_YEARS)
    if all(r.listed_on < since and (r.repaired_at is None or r.repaired_at.date() < since) for r in records):
        return Eligibility.green_channel
    return Eligibility.eligible


def admitted(session: Session, subject_hashes: Sequence[str], commitment_type: CommitmentType) -> Eligibility | None:
    """None when the subject may make a commitment of this type; else the verdict that bars it."""
    standing = eligibility(session, subject_hashes)
    return None if standing.admits(commitment_type) else standing


def listed_since(session: Session, subject_hashes: Sequence[str]) -> date | None:
    """The date of the subject's earliest open record, on the list or for a broken letter; None: not listed."""
    query = select(func.min(CreditRecord.listed_on)).where(
        col(CreditRecord.subject_hash).in_(list(subject_hashes)), col(CreditRecord.repaired_at).is_(None)
    )
    return session.exec(query).one()


def verdict(session: Session, vault: Vault, applicant: str, agent: str | None) -> CreditVerdict:
    """The check of both who commit and who commits for them (seed 001 三(六): a listed person may
    not commit, in their own name or another's), and how fresh the list is."""
    hashes = subject_hashes(vault, applicant)
    return CreditVerdict(
        applicant=eligibility(session, hashes),
        listed_on=listed_since(session, hashes),
        agent=eligibility(session, subject_hashes(vault, agent)) if agent is not None else None,
        checked_at=clock.now(),
        list_imported_at=last_import(session),
    )


def import_as(services: Services, username: str, data: bytes, *, dry_run: bool) -> ImportReport:
    """An administrator's import (or its dry run), in a thread: the batch bears their name."""
    with write_session(services) as session:
        return import_list(session, services.vault, data, batch=batch_name(username), dry_run=dry_run)
