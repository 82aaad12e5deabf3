"""The letter as a sequence of questions: what is asked, in which order, and how each answer is checked.

The bot walks an applicant through these one at a time; the same checks run again in the API when
the signed letter arrives. Answers are kept flat, keyed by where they go in the letter
("applicant.name", "answers.household_size", "supplement.due_on").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from forms import clock
from forms.catalogue.models import ApplicantKind, FieldKind, Item
from forms.channels import ChannelUser
from forms.checks import across_fields, documents_for, latest_supplement_date
from forms.checks import answer as field_answer
from forms.languages import I18nText, Lang
from forms.letter import Answer, IdType
from forms.submission import LetterSubmission, submission_hash
from forms.validation import (
    DOCUMENT_NAMES,
    Invalid,
    Reason,
    document_number,
    mobile,
    one_of,
    organisation_name,
    parse_date,
    person_name,
    some_of,
)
from forms.validation.reasons import MESSAGES, N_
from forms.workdays import is_working_day

Text = I18nText | str  # the catalogue's own translated text, or a gettext msgid


class Ask(StrEnum):
    """How a question is answered."""

    text = "text"  # typed
    choice = "choice"  # one button
    materials = "materials"  # several buttons, then done
    upload = "upload"  # a photo or a PDF


@dataclass(frozen=True)
class Question:
    key: str
    ask: Ask
    label: Text  # the question as asked
    short: Text  # what the answer is, on the review page
    hint: Text | None = None
    choices: tuple[tuple[str, Text], ...] = ()
    required: bool = True
    unit: I18nText | None = None  # a number's unit, said with the question (亩, 人)


KINDS: dict[ApplicantKind, str] = {
    ApplicantKind.person: N_("个人"),
    ApplicantKind.individual_business: N_("个体工商户"),
    ApplicantKind.company: N_("企业"),
    ApplicantKind.organisation: N_("其他组织"),
}
# What the number looks like, said before it is typed: the same words as when it is refused.
ID_HINTS: dict[IdType, str] = {
    IdType.resident_id: N_("居民身份证号码为 18 位，最后一位可能是 X。"),
    IdType.uscc: N_("统一社会信用代码为 18 位，印在营业执照上。"),
    IdType.passport: MESSAGES[Reason.passport_format],
    IdType.hk_macao_permit: MESSAGES[Reason.hk_macao_permit_format],
    IdType.taiwan_permit: MESSAGES[Reason.taiwan_permit_format],
    IdType.residence_permit: MESSAGES[Reason.residence_permit_format],
    IdType.permanent_residence: MESSAGES[Reason.permanent_residence_format],
    IdType.foreign_passport: MESSAGES[Reason.foreign_passport_format],
}
YES_NO = (("yes", N_("是")), ("no", N_("否")))


class Subject(NamedTuple):
    """Whom the credit check asks about: the committing party's document."""

    id_type: IdType
    id_number: str


def subject_of(item: Item, answers: dict[str, Answer]) -> Subject:
    """The committing party's document, as answered."""
    kind = _kind(answers, item)
    return Subject(id_type_of(answers, kind), str(answers["applicant.id_number"]))


def agent_subject(answers: dict[str, Answer]) -> Subject | None:
    """The agent's document, when an agent commits: checked like the committing party's."""
    if answers.get("agent.present") != "yes" or not answers.get("agent.id_number"):
        return None
    return Subject(IdType.resident_id, str(answers["agent.id_number"]))


def _kind(answers: dict[str, Answer], item: Item) -> ApplicantKind:
    if len(item.applicant_kinds) == 1:
        return item.applicant_kinds[0]
    return ApplicantKind(str(answers.get("applicant.kind", item.applicant_kinds[0].value)))


def id_type_of(answers: dict[str, Answer], kind: ApplicantKind) -> IdType:
    """The document kind chosen, or the only one this kind of applicant has; never one it may not use."""
    offered = documents_for(kind)
    chosen = answers.get("applicant.id_type")
    return next((t for t in offered if t.value == chosen), offered[0])


# Names are compared with the ID and the credit records: written as printed, never translated.
NAME_SCRIPT = N_("照证件上印的文字写：身份证上是汉字就写汉字，不要自己翻译或音译。")
WHO = (("no", N_("我自己办理")), ("yes", N_("替别人办理（我是代理人）")))  # agent.present's stored values


def by_agent(answers: dict[str, Answer]) -> bool:
    return answers.get("agent.present") == "yes"


def document_chosen(item: Item, answers: dict[str, Answer]) -> bool:
    """Whether the kind of document is asked: only after "another document" (most use the resident ID),
    or when a draft or an old letter already chose one."""
    return len(documents_for(_kind(answers, item))) > 1 and "applicant.id_type" in answers


def other_document(item: Item, answers: dict[str, Answer]) -> dict[str, Answer] | None:
    """The answers with the document question opened (at the kind used so far); None when there is no other."""
    kind = _kind(answers, item)
    if len(documents_for(kind)) < 2:
        return None
    return {**answers, "applicant.id_type": id_type_of(answers, kind).value}


def _applicant(item: Item, kind: ApplicantKind, answers: dict[str, Answer]) -> list[Question]:
    """The committing party's questions: about "you", or, when an agent answers, about the applicant."""
    agent = by_agent(answers)
    asked: list[Question] = []
    if len(item.applicant_kinds) > 1:
        kinds = tuple((k.value, KINDS[k]) for k in item.applicant_kinds)
        which = N_("申请人以什么身份作出承诺？") if agent else N_("以什么身份作出承诺？")
        asked.append(Question("applicant.kind", Ask.choice, which, N_("承诺主体"), choices=kinds))
    if kind.is_organisation:
        name = N_("请输入企业或组织的名称，与营业执照或登记证书一致。")
        asked.append(Question("applicant.name", Ask.text, name, N_("名称")))
        representative = N_("请输入法定代表人（负责人）的姓名。")
        asked.append(Question("applicant.legal_representative", Ask.text, representative, N_("法定代表人"),
                              hint=NAME_SCRIPT))  # fmt: skip
    elif kind is ApplicantKind.individual_business:
        asked.append(Question("applicant.name", Ask.text, N_("请输入经营者的姓名，与营业执照一致。"), N_("经营者"),
                              hint=NAME_SCRIPT))  # fmt: skip
    else:
        name = (
            N_("请输入申请人（委托人）的姓名，与其证件上印的一致。")
            if agent
            else N_("请输入您的姓名，与证件上印的一致。")
        )
        asked.append(Question("applicant.name", Ask.text, name, N_("姓名"), hint=NAME_SCRIPT))
    if document_chosen(item, answers):  # an organisation has its credit code only: nothing to choose
        id_types = tuple((t.value, DOCUMENT_NAMES[t]) for t in documents_for(kind))
        which = N_("申请人用哪种证件？") if agent else N_("用哪种证件？")
        asked.append(Question("applicant.id_type", Ask.choice, which, N_("证件类型"), choices=id_types))
    hint = ID_HINTS[id_type_of(answers, kind)]
    number = N_("请输入申请人（委托人）的证件号码。") if agent else N_("请输入证件号码。")
    phone = (
        N_("请输入申请人（委托人）的手机号码，窗口会用它联系申请人。")
        if agent
        else N_("请输入手机号码，窗口会用它联系您。")
    )
    asked += [
        Question("applicant.id_number", Ask.text, number, N_("证件号码"), hint=hint),
        Question("applicant.phone", Ask.text, phone, N_("手机号码")),
    ]
    return asked


def _who(item: Item) -> list[Question]:
    """Who applies comes first, before any name: the questions after it are worded for that person."""
    if not item.proxy_allowed:
        return []
    return [Question("agent.present", Ask.choice, N_("这项承诺由谁来办理？"), N_("办理人"), choices=WHO)]


def _agent(answers: dict[str, Answer]) -> list[Question]:
    """The agent's own name, ID and phone, asked right after "for someone else"."""
    if not by_agent(answers):
        return []
    return [
        Question(
            "agent.name",
            Ask.text,
            N_("请输入您（代理人）本人的姓名，与居民身份证上印的一致。"),
            N_("代理人姓名"),
            hint=NAME_SCRIPT,
        ),
        Question(
            "agent.id_number",
            Ask.text,
            N_("请输入您（代理人）的居民身份证号码。"),
            N_("代理人证件号码"),
            hint=ID_HINTS[IdType.resident_id],
        ),
        Question("agent.phone", Ask.text, N_("请输入您（代理人）的手机号码。"), N_("代理人手机号码")),
    ]


def _authorisation(answers: dict[str, Answer]) -> list[Question]:
    """The applicant's signed authorisation, once the applicant is named (a template is offered)."""
    if not by_agent(answers):
        return []
    return [
        Question(
            "agent.authorisation",
            Ask.upload,
            N_("请上传授权委托书：拍照或发送 PDF 文件。"),
            N_("授权委托书"),
            hint=N_("委托书须有申请人签名（盖章）。"),
        )
    ]


def _fields(item: Item) -> list[Question]:
    asked = []
    for field in item.fields:
        ask = {FieldKind.choice: Ask.choice, FieldKind.materials: Ask.materials}.get(field.kind, Ask.text)
        choices = tuple((c.value, c.label) for c in field.choices)
        key = f"answers.{field.key}"
        asked.append(Question(key, ask, field.label, field.label, field.hint, choices, field.required, field.unit))
    return asked


def _supplement(item: Item) -> list[Question]:
    if item.max_supplement_working_days is None:
        return []
    choices = tuple((c.value, c.label) for c in item.missing_materials)
    return [
        Question(
            "supplement.materials",
            Ask.materials,
            N_("哪些材料暂时无法提供、将在之后补交？"),
            N_("容缺材料"),
            choices=choices,
        ),
        Question(
            "supplement.due_on",
            Ask.text,
            N_("您承诺在哪一天之前补交？请选一个日期，或输入其他日期（不能晚于 {latest}）。"),
            N_("承诺补交日期"),
        ),
    ]


def questions(item: Item, answers: dict[str, Answer]) -> list[Question]:
    """Every question for this item, given what is answered so far: who applies first; an agent adds
    their own three questions next and the authorisation after the applicant's."""
    kind = _kind(answers, item)
    party = _applicant(item, kind, answers)
    return _who(item) + _agent(answers) + party + _authorisation(answers) + _fields(item) + _supplement(item)


def step_of(item: Item, answers: dict[str, Answer], step: str | None) -> tuple[int, Question]:
    """The question a conversation is at, by its key; a key no longer asked (a draft from before a
    change of order or of the document kind) goes to the first open question."""
    asked = questions(item, answers)
    keys = [q.key for q in asked]
    if step in keys:
        index = keys.index(step)
    else:
        following = unanswered(item, answers)
        index = keys.index(following.key) if following is not None else 0
    return index, asked[index]


def promise_days(item: Item, today: date) -> list[date]:
    """The working days a 容缺 applicant may promise, from tomorrow to the item's maximum: buttons."""
    latest = latest_due_on(item, today)
    if latest is None:
        return []
    days, day = [], today
    while day < latest:
        day += timedelta(days=1)
        if is_working_day(day):
            days.append(day)
    return days


def latest_due_on(item: Item, today: date | None = None) -> date | None:
    """The last date a 容缺 applicant may promise, counted from today in working days."""
    return latest_supplement_date(item, today or clock.today())


def check(question: Question, raw: Answer, item: Item, answers: dict[str, Answer], *, today: date) -> Answer:
    """The canonical answer, or Invalid with the reason the applicant is told."""
    key = question.key
    if question.ask is Ask.upload:
        if not isinstance(raw, str) or not raw:
            raise Invalid(Reason.required, key)
        return raw
    if question.ask is Ask.materials:
        values = [raw] if isinstance(raw, str) else raw
        return some_of(values, (value for value, _ in question.choices))
    if not isinstance(raw, str):
        raise Invalid(Reason.choice_unknown, key)
    if question.ask is Ask.choice:
        return one_of(raw, (value for value, _ in question.choices))
    if key.startswith("answers."):
        return field_answer(item.field(key.removeprefix("answers.")), raw, today=today)
    if key == "applicant.name":
        organisation = _kind(answers, item).is_organisation
        return organisation_name(raw) if organisation else person_name(raw)
    if key in ("applicant.legal_representative", "agent.name"):
        return person_name(raw)
    if key == "applicant.id_number":
        return document_number(id_type_of(answers, _kind(answers, item)), raw, today=today)
    if key == "agent.id_number":
        return document_number(IdType.resident_id, raw, today=today)
    if key in ("applicant.phone", "agent.phone"):
        return mobile(raw)
    if key == "supplement.due_on":
        due = parse_date(raw, today=today, not_past=True, latest=latest_due_on(item, today))
        if not is_working_day(due):  # the window is closed that day: nothing could be handed in
            raise Invalid(Reason.date_not_working_day, key, day=due.isoformat())
        return due.isoformat()
    raise Invalid(Reason.choice_unknown, key)


def answered(answers: dict[str, Answer], key: str, value: Answer) -> dict[str, Answer]:
    """The answers with this one recorded: a number typed for another kind of document is asked again."""
    changed = {**answers, key: value}
    if key == "applicant.id_type" and answers.get(key) not in (None, value):
        changed.pop("applicant.id_number", None)
    return changed


def unanswered(item: Item, answers: dict[str, Answer]) -> Question | None:
    """The first question not yet answered (or skipped, if optional); None when all are."""
    return next((q for q in questions(item, answers) if q.key not in answers), None)


def signer_name(item: Item, answers: dict[str, Answer]) -> str:
    """Who signs: the agent, the legal representative of an organisation, or the applicant."""
    if answers.get("agent.present") == "yes":
        return str(answers["agent.name"])
    if _kind(answers, item).is_organisation:
        return str(answers["applicant.legal_representative"])
    return str(answers["applicant.name"])


def draft(item: Item, answers: dict[str, Answer], lang: Lang, *, replaces: str | None = None) -> dict[str, Any]:
    """The letter as filled, in the API's JSON shape, not yet signed; `replaces`: the letter a
    re-commitment supersedes."""
    kind = _kind(answers, item)
    applicant: dict[str, Any] = {
        "kind": kind.value,
        "name": answers["applicant.name"],
        "id_type": id_type_of(answers, kind).value,
        "id_number": answers["applicant.id_number"],
        "phone": answers["applicant.phone"],
    }
    if kind.is_organisation:
        applicant["legal_representative"] = answers["applicant.legal_representative"]
    agent = None
    if answers.get("agent.present") == "yes":
        agent = {
            "name": answers["agent.name"],
            "id_type": IdType.resident_id.value,
            "id_number": answers["agent.id_number"],
            "phone": answers["agent.phone"],
            "authorisation_file": answers["agent.authorisation"],
        }
    supplement = None
    if item.max_supplement_working_days is not None:
        supplement = {"materials": answers["supplement.materials"], "due_on": answers["supplement.due_on"]}
    fields = item_answers(answers)
    letter = {
        "item_code": item.code,
        "applicant": applicant,
        "agent": agent,
        "answers": fields,
        "supplement": supplement,
        "language": lang.value,
        "notice_hash": item.notice_hash,
    }
    if replaces is not None:
        letter["replaces"] = replaces
    return letter


def signed(
    item: Item,
    letter: dict[str, Any],
    *,
    typed_name: str,
    who: ChannelUser,
    signed_at: datetime,
    image_png: bytes | None = None,
) -> dict[str, Any]:
    """The draft with its signature evidence, hashed over exactly what the API will check."""
    evidence: dict[str, Any] = {
        "method": "drawn" if image_png else "typed",
        "signed_at": signed_at,
        "typed_name": typed_name,
        "channel": who.channel.value,
        "channel_user": who.user,
        "content_hash": content_hash_of(item, letter),
        "notice_hash": letter["notice_hash"],
        "image_png": image_png,
    }
    return LetterSubmission.model_validate({**letter, "signature": evidence}).model_dump(mode="json")


def content_hash_of(item: Item, letter: dict[str, Any]) -> str:
    """The hash the applicant signs (the signature itself is outside it): the Mini App's drawing is
    filed under it too."""
    evidence = {
        "method": "typed",
        "signed_at": clock.now(),
        "typed_name": "-",
        "channel": "telegram",  # outside the hash, like the rest of the signature
        "content_hash": "0" * 64,
        "notice_hash": letter["notice_hash"],
    }
    return submission_hash(LetterSubmission.model_validate({**letter, "signature": evidence}), item)


def item_answers(answers: dict[str, Answer]) -> dict[str, Answer]:
    """The answers to the item's own fields, by field key, as the letter keeps them."""
    return {k.removeprefix("answers."): v for k, v in answers.items() if k.startswith("answers.")}


def conflicts(item: Item, answers: dict[str, Answer]) -> list[Invalid]:
    """The item's rules across fields that the answers so far break (named at the review)."""
    return across_fields(item, item_answers(answers))
