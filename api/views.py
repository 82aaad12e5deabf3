"""What the API answers: letters with personal numbers masked, their events, search pages."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from api.store import LetterRecord


class Submitted(BaseModel):
    """What the bot tells the applicant: the number, the code to verify it, where the PDF is."""

    number: str
    status: str
    verify_code: str
    pdf_url: str
    verify_url: str
    created: bool


class LetterPublic(BaseModel):
    """A letter as a list or a detail shows it: personal numbers masked, the birth date hidden."""

    number: str
    item_code: str
    department_code: str
    commitment_type: str
    status: str
    applicant_kind: str
    applicant_name: str
    id_type: str
    id_masked: str
    phone_masked: str
    language: str
    public: bool
    signed_at: datetime
    valid_until: date
    supplement_due_on: date | None

    @classmethod
    def of(cls, record: LetterRecord) -> LetterPublic:
        return cls.model_validate(record, from_attributes=True)


class PersonalData(BaseModel):
    """The numbers in full: only on a staff member's explicit request, which is logged."""

    number: str
    id_number: str
    phone: str


class EventPublic(BaseModel):
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    reason: str


class LetterPage(BaseModel):
    items: list[LetterPublic]
    total: int
    page: int
    per_page: int
