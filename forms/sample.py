"""A filled specimen letter for any item and language, marked as a sample everywhere."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from stdnum.cn import ric, uscc

from forms import clock
from forms.catalogue.models import ApplicantKind, CommitmentType, Disclosure, FieldKind, Item, ItemField
from forms.channels import Channel
from forms.checks import latest_supplement_date
from forms.i18n import gettext_for
from forms.kyrgyz_arabic import to_arabic
from forms.languages import LANGS, I18nText, Lang
from forms.letter import (
    Agent,
    Answer,
    Applicant,
    IdType,
    Letter,
    SignatureEvidence,
    SignatureMethod,
    Supplement,
    add_months,
    letter_number,
)
from forms.validation.reasons import N_

# A person of Akqi County (region code 653022) as each language would write the name.
SAMPLE_PEOPLE = {
    Lang.zh: "张明华",
    Lang.ug: "ئابدۇللا ئەخمەت",
    Lang.ky: "Асан Үсөнов",
    Lang.ky_Arab: to_arabic("Асан Үсөнов"),
}
# The agent who commits on the applicant's behalf: another person of the county.
SAMPLE_AGENTS = {
    Lang.zh: "李建国",
    Lang.ug: "مۇھەممەت تۇرسۇن",
    Lang.ky: "Бакыт Токтосунов",
    Lang.ky_Arab: to_arabic("Бакыт Токтосунов"),
}
SAMPLE_ORGANISATION = "阿合奇县天山商贸有限公司"
SAMPLE_TEXT = N_("这是填写示例。")
NOT_PUBLISHED = N_("本承诺书不向社会公开。")  # the disclosure of a sample rendered as 不公开


class NoSuchSample(ValueError):
    """The item has no letter of that shape: the message says why."""


def _with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


SAMPLE_ID = _with_check("65302219900315001")
SAMPLE_CODE = "91653022MA" + "7XK2Q1A" + uscc.calc_check_digit("91653022MA7XK2Q1A")
SAMPLE_PHONE = "13899990000"
SAMPLE_AGENT_ID = _with_check("65302219851120002")
SAMPLE_AGENT_PHONE = "13899990001"


def sample_letter(
    item: Item,
    lang: Lang,
    *,
    now: datetime | None = None,
    kind: ApplicantKind | None = None,
    agent: bool = False,
) -> Letter:
    """A letter that passes every check for the item, signed by typing, flagged `sample`.

    `kind`: who commits (the item's first kind by default); `agent`: an authorised agent commits on
    their behalf. A 不公开 specimen of a published item: `private_item` first.
    """
    now = now or clock.now()
    name = SAMPLE_PEOPLE[lang]
    kind = kind or item.applicant_kinds[0]
    if kind not in item.applicant_kinds:
        raise NoSuchSample(f"{item.code} is not committed to by {kind.value}: {', '.join(item.applicant_kinds)}")
    if agent and not item.proxy_allowed:
        raise NoSuchSample(f"{item.code} does not allow an agent to commit on the applicant's behalf")
    if kind is ApplicantKind.person:
        applicant = Applicant(kind=kind, name=name, id_type=IdType.resident_id, id_number=SAMPLE_ID, phone=SAMPLE_PHONE)
    else:
        applicant = Applicant(
            kind=kind,
            name=SAMPLE_ORGANISATION,
            id_type=IdType.uscc,
            id_number=SAMPLE_CODE,
            phone=SAMPLE_PHONE,
            legal_representative=name,
        )
    proxy = None
    if agent:
        proxy = Agent(
            name=SAMPLE_AGENTS[lang],
            id_type=IdType.resident_id,
            id_number=SAMPLE_AGENT_ID,
            phone=SAMPLE_AGENT_PHONE,
            authorisation_file="sample",
        )
    supplement = None
    if item.missing_materials:
        due = latest_supplement_date(item, now.date())
        supplement = Supplement(materials=[item.missing_materials[0].value], due_on=due or now.date())
    letter = Letter(
        number=letter_number(item.department.code, now.year, 0),
        item_code=item.code,
        commitment_type=item.commitment_type,
        applicant=applicant,
        agent=proxy,
        answers=_within_rules(item, {f.key: _sample_answer(f, lang, now.date()) for f in item.fields}),
        supplement=supplement,
        commitments=item.commitments,
        notice_hash=item.notice_hash,
        language=lang,
        signed_at=now,
        valid_until=add_months(now.date(), item.validity_months),
        public=item.notice.disclosure.public,
        sample=True,
    )
    evidence = SignatureEvidence(
        method=SignatureMethod.typed,
        signed_at=now,
        typed_name=proxy.name if proxy else name,  # who signs: the agent, else the person or representative
        channel=Channel.telegram,
        channel_user="100000001",
        content_hash=letter.content_hash(),
        notice_hash=item.notice_hash,
    )
    return letter.model_copy(update={"signature": evidence})


def _within_rules(item: Item, answers: dict[str, Answer]) -> dict[str, Answer]:
    """Parts that share a total get a share each, so that the sample passes the rules across fields."""
    for rule in item.rules:
        share = int(float(str(answers[rule.total])) / (len(rule.parts) + 1))
        answers |= dict.fromkeys(rule.parts, str(share))
    return answers


def private_item(item: Item) -> Item:
    """The item as if its letters were not published (不公开): a specimen for a county that would
    keep them so. A 主动公示型 letter is published by its nature."""
    if item.commitment_type is CommitmentType.proactive:
        raise NoSuchSample(f"{item.code} is 主动公示型: its letters are published by their nature")
    text = I18nText(**{lang.value: gettext_for(lang)(NOT_PUBLISHED) for lang in LANGS})
    disclosure = Disclosure(public=False, scope=text, period=text)
    return item.model_copy(update={"notice": item.notice.model_copy(update={"disclosure": disclosure})})


def _sample_answer(field: ItemField, lang: Lang, today: date) -> Answer:
    if field.kind is FieldKind.text:
        return gettext_for(lang)(SAMPLE_TEXT)[: field.max_length]
    if field.kind is FieldKind.number:
        low = field.minimum if field.minimum is not None else 0
        high = field.maximum if field.maximum is not None else low + 10
        return str(int(low + (high - low) / 10) if high - low >= 10 else low)
    if field.kind is FieldKind.date:
        return (today + timedelta(days=10) if field.not_past else today).isoformat()
    if field.kind is FieldKind.choice:
        return field.choices[0].value
    return [c.value for c in field.choices[:2]]
