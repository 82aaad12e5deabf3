"""What the API answers: letters with personal numbers masked, their events, search pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from api.store import LetterRecord

# Answers that carry personal data (a PDF, an upload, revealed numbers): no cache keeps them, and
# no browser second-guesses their type (an uploaded "PDF" run as HTML).
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

# One letter as the examples of the OpenAPI show it, in every view of it.
LETTER_EXAMPLE: dict[str, Any] = {
    "number": "SFJ-2026-000042",
    "item_code": "SFJ-001",
    "department_code": "SFJ",
    "commitment_type": "certification",
    "status": "accepted",
    "applicant_kind": "person",
    "applicant_name": "张明华",
    "id_type": "resident_id",
    "id_masked": "653022********0016",
    "phone_masked": "138****0000",
    "language": "zh",
    "public": False,
    "signed_at": "2026-11-24T02:15:00Z",
    "valid_until": "2027-11-24",
    "supplement_due_on": None,
}


def examples(*values: dict[str, Any]) -> ConfigDict:
    """A model's examples for the OpenAPI (Swagger shows the first)."""
    return ConfigDict(json_schema_extra={"examples": list(values)})


class Submitted(BaseModel):
    """What the bot tells the applicant: the number, the code to verify it, where the PDF is."""

    model_config = examples(
        {
            "number": "SFJ-2026-000042",
            "status": "signed",
            "verify_code": "ABCD-2345",
            "pdf_url": "/api/letters/SFJ-2026-000042/pdf",
            "verify_url": "https://chengnuo.example.cn/verify/SFJ-2026-000042?code=ABCD-2345",
            "created": True,
        }
    )

    number: str
    status: str
    verify_code: str
    pdf_url: str
    verify_url: str
    created: bool


class LetterPublic(BaseModel):
    """A letter as a list or a detail shows it: personal numbers masked, the birth date hidden."""

    model_config = examples(LETTER_EXAMPLE)

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

    model_config = examples({"number": "SFJ-2026-000042", "id_number": "653022199003150016", "phone": "13899990000"})

    number: str
    id_number: str
    phone: str


class EventPublic(BaseModel):
    """One move of a letter: who made it, when and why."""

    model_config = examples(
        {
            "at": "2026-11-25T03:30:00Z",
            "actor": "staff:clerk.sfj",
            "from_status": "signed",
            "to_status": "accepted",
            "reason": "",
        }
    )

    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    reason: str


class LetterPage(BaseModel):
    """One page of a search, and how many letters match in all."""

    model_config = examples({"items": [LETTER_EXAMPLE], "total": 1, "page": 1, "per_page": 20})

    items: list[LetterPublic]
    total: int
    page: int
    per_page: int
