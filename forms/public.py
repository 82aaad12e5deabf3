"""What the API tells the channels about letters: the public contract every channel reads.

The bot (Telegram, WeChat, the terminal) reads these models from the API's JSON; the API answers
with them. Personal numbers appear here masked only (birth date hidden).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from forms.catalogue import ApplicantKind, CommitmentType
from forms.credit import Eligibility
from forms.languages import Lang
from forms.letter import Answer, Applicant
from forms.sanctions import Sanction
from forms.statuses import Status
from forms.validation.documents import IdType

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
    "replaces": None,
    "rectification_due_on": None,
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
    status: Status
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
    commitment_type: CommitmentType
    status: Status
    applicant_kind: ApplicantKind
    applicant_name: str
    id_type: IdType
    id_masked: str
    phone_masked: str
    language: Lang
    public: bool
    signed_at: datetime
    valid_until: date
    supplement_due_on: date | None
    replaces: str | None = None  # a re-commitment: the letter it superseded
    rectification_due_on: date | None = None  # 限期整改: the last day to put it right

    @classmethod
    def of(cls, record: object) -> LetterPublic:
        """From the store's row (api.store.LetterRecord), whose columns these are."""
        return cls.model_validate(record, from_attributes=True)


class LetterContent(BaseModel):
    """What the applicant answered on a letter, for the channel user who signed it: where a
    re-commitment starts from (personal numbers in full: the applicant typed them)."""

    model_config = examples(
        {
            "number": "SCJG-2026-000042",
            "item_code": "SCJG-002",
            "applicant": {
                "kind": "company",
                "name": "阿合奇县天山餐饮有限公司",
                "legal_representative": "张明华",
                "id_type": "uscc",
                "id_number": "91653022MA78XXXX0X",
                "phone": "13899990000",
            },
            "answers": {"shop_name": "天山餐厅"},
        }
    )

    number: str
    item_code: str
    applicant: Applicant
    answers: dict[str, Answer]


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
    from_status: Status | None
    to_status: Status
    reason: str
    sanction: Sanction | None = None  # with a revocation (撤销)


class LetterPage(BaseModel):
    """One page of a search, and how many letters match in all."""

    model_config = examples({"items": [LETTER_EXAMPLE], "total": 1, "page": 1, "per_page": 20})

    items: list[LetterPublic]
    total: int
    page: int
    per_page: int


class CreditAnswer(BaseModel):
    """Eligible or not, with the verdict and no details about the record."""

    model_config = examples({"eligible": True, "reason": "eligible"}, {"eligible": False, "reason": "dishonest"})

    eligible: bool
    reason: Eligibility
