"""The letters and what happens to them: the tables the window API writes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlalchemy.orm import defer
from sqlmodel import Field, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from api.store.types import UTCDateTime
from forms.channels import USER_MAX

ACTOR_MAX = 100  # "applicant:wechat:" and an openid of up to 64


def _at(**kwargs: object) -> object:
    return Field(sa_column=Column(UTCDateTime(), **kwargs))  # type: ignore[arg-type]


SEALED, COUNTERSIGNED = 0, 1  # revisions of a letter's PDF (api/store/documents keeps each)


class LetterRecord(SQLModel, table=True):
    """One signed letter. Personal numbers are stored encrypted, with a keyed hash to find them."""

    __tablename__ = "letters"
    __table_args__ = (
        UniqueConstraint("department_code", "year", "sequence"),
        Index("ix_letters_channel_user", "channel", "channel_user"),  # an applicant's letters
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, index=True, max_length=32)
    department_code: str = Field(index=True, max_length=16)
    year: int
    sequence: int
    item_code: str = Field(index=True, max_length=32)
    commitment_type: str = Field(max_length=24)
    status: str = Field(index=True, max_length=24)
    applicant_kind: str = Field(max_length=24)
    applicant_name: str = Field(index=True, max_length=100)
    # case-folded letters only (api.services.names.fold_name): SQLite's lower() folds ASCII only
    name_search: str = Field(default="", max_length=100)
    id_type: str = Field(max_length=16)
    id_hash: str = Field(index=True, max_length=64)
    id_masked: str = Field(max_length=40)
    id_encrypted: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    phone_masked: str = Field(max_length=20)
    phone_encrypted: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    language: str = Field(max_length=8)
    public: bool
    signed_at: datetime = _at(nullable=False, index=True)  # type: ignore[assignment]
    valid_until: date
    supplement_due_on: date | None = Field(default=None, index=True)
    # 限期整改 (seed 003 四(七)): the last day to put right what the check found, set with the move
    rectification_due_on: date | None = Field(default=None, index=True)
    channel: str = Field(max_length=16)  # forms.channels.Channel: where the letter was signed
    channel_user: str | None = Field(default=None, max_length=USER_MAX)  # who signed, there (None: not told)
    content_hash: str = Field(max_length=64)
    notice_hash: str = Field(max_length=64)
    verify_code: str = Field(max_length=16)
    # forms.credit.CreditVerdict as JSON: the credit check when it was signed (None: stored before it was kept)
    credit_verdict: str | None = Field(default=None, max_length=400)
    # re-commitment: the number of the letter this one superseded when it was signed
    replaces: str | None = Field(default=None, index=True, max_length=32)
    # the whole letter as signed, encrypted: it holds the personal numbers in clear
    document: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    pdf_sha256: str | None = Field(default=None, max_length=64)  # set once, never overwritten
    # who renders the PDF now, and until when the claim holds (api/services/pdfs.py): one render
    # per letter across every instance sharing the store; a dead instance's claim goes stale
    pdf_lease_token: str | None = Field(default=None, max_length=32)
    pdf_lease_until: datetime | None = _at(nullable=True)  # type: ignore[assignment]
    # the department's countersigned PDF (revision 1 of the letter's document, an incremental update
    # of the sealed one), set with the move to accepted; the letter's current document from then on
    countersigned_sha256: str | None = Field(default=None, max_length=64)
    countersigned_at: datetime | None = _at(nullable=True)  # type: ignore[assignment]
    created_at: datetime = _at(nullable=False)  # type: ignore[assignment]
    updated_at: datetime = _at(nullable=False)  # type: ignore[assignment]

    @property
    def pdf_revision(self) -> int:
        """The letter's current document: 0 sealed by the platform, 1 countersigned by the department."""
        return COUNTERSIGNED if self.countersigned_sha256 is not None else SEALED

    def pdf_digest(self, revision: int) -> str | None:
        """The recorded SHA-256 of one revision of the letter's PDF."""
        return self.countersigned_sha256 if revision == COUNTERSIGNED else self.pdf_sha256


class LetterEvent(SQLModel, table=True):
    """A change of status: who, when, why. Letters never change; their events accumulate."""

    __tablename__ = "letter_events"

    id: int | None = Field(default=None, primary_key=True)
    letter_id: int = Field(foreign_key="letters.id", index=True)
    at: datetime = _at(nullable=False)  # type: ignore[assignment]
    # "applicant:telegram:<id>", "applicant:wechat:<openid>", "staff:<username>", "system"
    actor: str = Field(max_length=ACTOR_MAX)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str = Field(max_length=24)
    reason: str = Field(default="", max_length=500)
    sanction: str | None = Field(default=None, max_length=32)  # forms.sanctions.Sanction, with 撤销


class NumberCounter(SQLModel, table=True):
    """The last sequence handed out per department and year: numbers are gap-free."""

    __tablename__ = "number_counters"

    department_code: str = Field(primary_key=True, max_length=16)
    year: int = Field(primary_key=True)
    last: int = 0


class IdempotencyKey(SQLModel, table=True):
    """A submission's key: a retry with the same key gets the same letter, never a second one."""

    __tablename__ = "idempotency_keys"

    key: str = Field(primary_key=True, max_length=128)
    request_hash: str = Field(max_length=64)
    letter_id: int = Field(foreign_key="letters.id")
    created_at: datetime = _at(nullable=False)  # type: ignore[assignment]


class OutboxMessage(SQLModel, table=True):
    """A notification for the applicant, leased to the bot and acknowledged once delivered."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("letter_id", "dedup_key"),)

    id: int | None = Field(default=None, primary_key=True)
    # None: a notice about no letter (the answer to an objection against a credit refusal)
    letter_id: int | None = Field(default=None, foreign_key="letters.id", index=True)
    channel: str = Field(max_length=16)  # the letter's: that channel's courier delivers it
    channel_user: str | None = Field(default=None, max_length=USER_MAX)
    kind: str = Field(max_length=32)  # status_changed, supplement_reminder…
    dedup_key: str = Field(max_length=64)  # makes a reminder exactly once, whichever worker writes it
    payload: str = Field(default="{}")  # JSON
    created_at: datetime = _at(nullable=False)  # type: ignore[assignment]
    leased_until: datetime | None = _at(nullable=True, index=True)  # type: ignore[assignment]
    lease_token: str | None = Field(default=None, max_length=64)
    attempts: int = 0
    acked_at: datetime | None = _at(nullable=True, index=True)  # type: ignore[assignment]


class NameGram(SQLModel, table=True):
    """Each character and each pair of characters of an applicant's name: the index that finds
    "明华" inside "张明华" among a million letters without reading them all (names are too short
    for trigram indexes)."""

    __tablename__ = "name_grams"

    gram: str = Field(primary_key=True, max_length=2)
    letter_id: int = Field(primary_key=True, foreign_key="letters.id")


def letters_listed() -> SelectOfScalar[LetterRecord]:
    """Letters without the encrypted snapshots, which lists and lookups never read."""
    return select(LetterRecord).options(
        defer(LetterRecord.document),  # type: ignore[arg-type]
        defer(LetterRecord.id_encrypted),  # type: ignore[arg-type]
        defer(LetterRecord.phone_encrypted),  # type: ignore[arg-type]
    )
