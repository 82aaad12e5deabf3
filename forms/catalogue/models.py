"""What an item of the catalogue is: its department, notice, commitments and fields."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from forms.languages import I18nText


class CommitmentType(StrEnum):
    """The commitment types of seeds 000, 002 and 004; each has its own letter template."""

    proactive = "proactive"  # 主动公示型
    approval = "approval"  # 审批替代型 (告知承诺 for licences)
    certification = "certification"  # 证明事项告知承诺
    missing_material = "missing_material"  # 容缺受理型
    self_discipline = "self_discipline"  # 行业自律型
    credit_repair = "credit_repair"  # 信用修复型
    supervision = "supervision"  # 监管辅助型
    other = "other"  # 其他


class ApplicantKind(StrEnum):
    """Who commits: seed 000 §二(二)."""

    person = "person"  # 自然人
    individual_business = "individual_business"  # 个体工商户
    company = "company"  # 企业, signed by its legal representative
    organisation = "organisation"  # 其他组织 (社会组织, 农村集体经济组织…)

    @property
    def is_organisation(self) -> bool:
        """Organisations commit through a legal representative (seed 000 §三(二))."""
        return self in (ApplicantKind.company, ApplicantKind.organisation)


class FieldKind(StrEnum):
    text = "text"
    number = "number"
    date = "date"
    choice = "choice"
    materials = "materials"  # several of a fixed list


_Code = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$", max_length=32)]
_Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Department(Strict):
    """The authority that accepts the commitment, and where its window is."""

    code: _Code
    name: I18nText
    address: I18nText
    phone: Annotated[str, Field(pattern=r"^[0-9][0-9-]{6,19}$")]
    hours: I18nText
    # its 统一社会信用代码, for the 承诺受理单位代码 of the credit platform's export; the county adds it
    credit_code: Annotated[str, Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")] | None = None


class Choice(Strict):
    value: _Key
    label: I18nText


class ItemField(Strict):
    """A question of the item's own, asked after the applicant's details."""

    key: _Key
    kind: FieldKind
    label: I18nText
    hint: I18nText | None = None
    required: bool = True
    choices: list[Choice] = []
    max_length: int = Field(default=200, ge=1, le=2000)
    minimum: float | None = None
    maximum: float | None = None
    unit: I18nText | None = None  # numbers: shown with the question, and accepted after the number
    whole: bool = False  # numbers: counts (people, vehicles, rooms) take no fraction
    not_future: bool = False  # dates: e.g. a date of birth or of an event
    not_past: bool = False  # dates: e.g. a planned opening

    @model_validator(mode="after")
    def _choices_fit_kind(self) -> Self:
        listed = self.kind in (FieldKind.choice, FieldKind.materials)
        if listed and len(self.choices) < 2:
            raise ValueError(f"a {self.kind} field needs at least two choices")
        if not listed and self.choices:
            raise ValueError(f"a {self.kind} field takes no choices")
        if len({c.value for c in self.choices}) != len(self.choices):
            raise ValueError("choice values must be unique")
        if (self.whole or self.unit) and self.kind is not FieldKind.number:
            raise ValueError("only a number field has a unit or is whole")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is above maximum")
        return self


class Disclosure(Strict):
    """Whether, where and for how long the letter is published (seed 001 §三(二))."""

    public: bool
    scope: I18nText  # where, or why not
    period: I18nText  # how long


class Notice(Strict):
    """The authority's notice (告知书), in the sections of seed 001 §三(二) and its template."""

    purpose: I18nText | None = None  # 证明用途, for certification items
    legal_basis: I18nText  # 设定依据
    requirements: I18nText  # 证明内容 / 许可条件和材料要求
    who_may_commit: I18nText  # 告知承诺适用对象
    how_to_commit: I18nText  # 承诺的方式
    effect: I18nText  # 承诺的效力
    liability: I18nText  # 不实承诺的责任
    authority_check: I18nText  # 行政机关核查权力
    disclosure: Disclosure  # 承诺书是否公开、公开范围及时限


# The summary a notice opens with: a few short lines a herder reads on a phone before the full text.
SUMMARY_LINES = (3, 5)
SUMMARY_LINE_MAX = {"zh": 40, "ug": 150, "ky": 150, "ky_Arab": 150}  # characters; Chinese is denser


def _short_lines(lines: list[I18nText]) -> list[I18nText]:
    for n, line in enumerate(lines, 1):
        for lang, most in SUMMARY_LINE_MAX.items():
            if len(text := line(lang)) > most:
                raise ValueError(f"summary line {n} in {lang} is {len(text)} characters long; at most {most}")
    return lines


Summary = Annotated[
    list[I18nText], Field(min_length=SUMMARY_LINES[0], max_length=SUMMARY_LINES[1]), AfterValidator(_short_lines)
]


class PartsWithinTotal(Strict):
    """A rule across fields: the parts together are no more than the total (禁牧 + 草畜平衡 ≤ 承包总面积)."""

    parts: list[_Key] = Field(min_length=2)
    total: _Key


class Item(Strict):
    """One matter an applicant may commit to, as the catalogue's data file describes it."""

    code: _Code
    name: I18nText
    department: Department
    commitment_type: CommitmentType
    applicant_kinds: list[ApplicantKind] = Field(min_length=1)
    notice: Notice
    # what you promise, what you no longer bring, what follows if it is untrue: shown before the notice,
    # which stays authoritative (the legal text is the Chinese of `notice`)
    summary: Summary
    commitments: list[I18nText] = Field(min_length=1)  # what the applicant states they meet
    verification: list[I18nText] = []  # 可核查方式: how the authority will check
    proofs: list[I18nText] = Field(min_length=1)  # what to bring instead of committing
    proxy_allowed: bool
    validity_months: int = Field(ge=1, le=120)
    fields: list[ItemField] = []
    rules: list[PartsWithinTotal] = []  # checked on the whole letter, at the review and by the API
    missing_materials: list[Choice] = []
    max_supplement_working_days: int | None = Field(default=None, ge=1, le=60)
    keywords: list[str] = []  # extra search words, any language

    @model_validator(mode="after")
    def _fit_commitment_type(self) -> Self:
        deficient = self.commitment_type is CommitmentType.missing_material
        if deficient and not (self.missing_materials and self.max_supplement_working_days):
            raise ValueError("容缺受理 items need missing_materials and max_supplement_working_days")
        if not deficient and (self.missing_materials or self.max_supplement_working_days):
            raise ValueError("only 容缺受理 items have missing_materials or a supplement period")
        if self.commitment_type is CommitmentType.proactive and not self.notice.disclosure.public:
            raise ValueError("主动公示型 letters are published by their nature: notice.disclosure.public must be true")
        if self.commitment_type is CommitmentType.certification and self.notice.purpose is None:
            raise ValueError("certification items need notice.purpose (证明用途)")
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise ValueError("field keys must be unique")
        numbers = {f.key for f in self.fields if f.kind is FieldKind.number}
        for rule in self.rules:
            if not numbers.issuperset([*rule.parts, rule.total]):
                raise ValueError(f"a rule names fields that are not number fields of this item: {rule}")
        return self

    def field(self, key: str) -> ItemField:
        return next(f for f in self.fields if f.key == key)

    @property
    def notice_hash(self) -> str:
        """Names this version of what the applicant read: name, notice and commitments, all languages."""
        shown = self.model_dump(
            mode="json",
            include={"code", "name", "department", "notice", "summary", "commitments", "verification", "proofs"},
        )
        canonical = json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()
