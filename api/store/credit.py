"""The dishonesty list (失信) and the publication of public letters (归集公示)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from api.store.types import UTCDateTime


class CreditRecord(SQLModel, table=True):
    """A subject that may not use the commitment route until repaired (seed 001 三(六))."""

    __tablename__ = "credit_records"

    id: int | None = Field(default=None, primary_key=True)
    subject_hash: str = Field(index=True, max_length=64)  # keyed hash of the ID number or credit code
    subject_masked: str = Field(max_length=40)
    subject_name: str = Field(default="", max_length=100)
    kind: str = Field(max_length=24)  # dishonest (imported list), false_commitment (a broken letter)
    source: str = Field(max_length=64)  # import:<batch> or letter:<number>
    reason: str = Field(default="", max_length=500)
    listed_on: date
    repaired_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # A broken letter's record is published as a dishonesty record (失信记录): within 7 working days
    # of the finding (seed 002 一(三)), taken down within 3 after repair (seed 000 三(五)).
    # Imported records are the credit office's to publish: these stay empty for them.
    letter_id: int | None = Field(default=None, index=True)
    publish_due_on: date | None = None
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    published_by: str | None = Field(default=None, max_length=64)
    withdrawal_due_on: date | None = None
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class CreditImport(SQLModel, table=True):
    """An applied import of the dishonesty list: a letter's credit verdict says how fresh the list was."""

    __tablename__ = "credit_imports"

    id: int | None = Field(default=None, primary_key=True)
    batch: str = Field(max_length=64)
    rows: int
    applied_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class Publication(SQLModel, table=True):
    """A public letter's publication: due 7 working days after signing; taken down within 3 working
    days of repair, or of the letter's withdrawal, refusal, termination, superseding or revocation."""

    __tablename__ = "publications"

    id: int | None = Field(default=None, primary_key=True)
    letter_id: int = Field(foreign_key="letters.id", unique=True)
    due_on: date = Field(index=True)
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    published_by: str | None = Field(default=None, max_length=64)
    withdrawal_due_on: date | None = None
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
