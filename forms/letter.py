"""The commitment letter: what was committed, by whom, to what notice, and how it was signed."""

from __future__ import annotations

import base64
import calendar
import hashlib
import json
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from forms.catalogue.models import ApplicantKind, CommitmentType
from forms.channels import USER_MAX, Channel, ChannelUser, user_problem
from forms.languages import I18nText, Lang
from forms.signature_image import BadSignatureImage, png_size
from forms.validation.documents import IdType as IdType  # the letter's parties name their document kind
from forms.validation.printed import LETTER_NUMBER_PATTERN as LETTER_NUMBER_PATTERN
from forms.validation.printed import VERIFY_CODE_PATTERN


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    id_type: IdType
    id_number: str = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=1, max_length=20)


class Applicant(Person):
    """The committing party (承诺主体); an organisation signs through its legal representative."""

    kind: ApplicantKind
    legal_representative: str | None = Field(default=None, max_length=40)


class Agent(Person):
    """An authorised agent (委托代理人), where the item allows proxy commitment."""

    authorisation_file: str | None = None  # the stored upload's name, set by the API


class SignatureMethod(StrEnum):
    typed = "typed"  # the full name typed exactly as filled, then confirmed
    drawn = "drawn"  # a handwritten signature drawn in the Mini App


class SignatureEvidence(BaseModel):
    """What proves the applicant signed: printed on the letter's last page."""

    # the drawn image travels in JSON as base64 (pydantic's default would be UTF-8 text)
    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    method: SignatureMethod
    signed_at: datetime
    typed_name: str
    channel: Channel  # where it was signed
    channel_user: str | None = Field(default=None, max_length=USER_MAX)  # who, there; None: nobody to tell
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    notice_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    image_png: bytes | None = None  # the drawn signature

    @model_validator(mode="before")
    @classmethod
    def _telegram_user_id(cls, value: Any) -> Any:
        """Letters stored before channels had users name theirs as `telegram_user_id`, an int."""
        if isinstance(value, dict) and "telegram_user_id" in value:
            value = dict(value)
            legacy = value.pop("telegram_user_id")
            value.setdefault("channel", Channel.telegram.value)
            if legacy is not None and value.get("channel_user") is None:
                value["channel_user"] = str(legacy)
        return value

    @model_validator(mode="after")
    def _user_of_channel(self) -> Self:
        problem = None if self.channel_user is None else user_problem(self.channel, self.channel_user)
        if problem is not None:
            raise ValueError(problem)
        return self

    @property
    def who(self) -> ChannelUser | None:
        """The user who signed, if the channel told us."""
        if self.channel_user is None:
            return None
        return ChannelUser(channel=self.channel, user=self.channel_user)

    @field_validator("image_png", mode="before")
    @classmethod
    def _base64(cls, value: object) -> object:
        """In JSON the image is base64, standard or URL-safe, whichever way the dict was parsed."""
        if isinstance(value, str):
            try:
                return base64.urlsafe_b64decode(value.encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                raise ValueError("image_png must be base64") from None
        return value

    @field_validator("image_png")
    @classmethod
    def _bounded(cls, value: bytes | None) -> bytes | None:
        """Its size from the PNG header, before anything (a render worker) decodes its pixels."""
        if value is not None:
            try:
                png_size(value)
            except BadSignatureImage as bad:
                raise ValueError(f"the drawn signature cannot be used: {bad}") from None
        return value


class Supplement(BaseModel):
    """容缺受理: the materials that will follow, and the date promised for them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    materials: list[str] = Field(min_length=1)
    due_on: date


Answer = str | list[str]

# What the applicant signs: everything but the number, the seal and the signature itself.
SIGNED_CONTENT = {
    "item_code",
    "commitment_type",
    "applicant",
    "agent",
    "answers",
    "supplement",
    "commitments",
    "notice_hash",
    "language",
    "public",
    "replaces",  # hashed only when set: the hashes of letters before re-commitment stay as signed
}


class Letter(BaseModel):
    """One signed commitment letter. Once signed it never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: str = Field(pattern=LETTER_NUMBER_PATTERN)
    item_code: str
    commitment_type: CommitmentType
    applicant: Applicant
    agent: Agent | None = None
    answers: dict[str, Answer] = {}  # canonical values, keyed by the item's field keys
    supplement: Supplement | None = None
    commitments: list[I18nText]  # the item's commitments as read, kept with the letter
    notice_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    language: Lang
    signed_at: datetime
    valid_until: date
    public: bool  # 承诺公开类型: published on the credit platform or not
    signature: SignatureEvidence | None = None
    sample: bool = False  # a specimen: never a real commitment
    verify_code: str | None = Field(default=None, pattern=VERIFY_CODE_PATTERN)  # set by the API
    # re-commitment (seed 000 三(二)): the number of the letter this one supersedes once signed
    replaces: str | None = Field(default=None, pattern=LETTER_NUMBER_PATTERN)

    def content_hash(self) -> str:
        """SHA-256 of what the applicant signed, in a canonical JSON form."""
        signed = self.model_dump(mode="json", include=SIGNED_CONTENT)
        if signed.get("replaces") is None:
            signed.pop("replaces", None)
        return content_hash(signed)


def content_hash(content: dict[str, object]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def letter_number(department: str, year: int, sequence: int) -> str:
    """Readable, per department and year: SFJ-2026-000042."""
    return f"{department}-{year:04d}-{sequence:06d}"


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
