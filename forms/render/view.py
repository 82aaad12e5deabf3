"""A letter as one language shows it: every label and value the templates print."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime

from forms.catalogue.models import ApplicantKind, CommitmentType, FieldKind, Item
from forms.channels import Channel
from forms.i18n import Gettext, left_to_right
from forms.languages import I18nText, Lang
from forms.letter import IdType, Letter, SignatureMethod
from forms.validation import DOCUMENT_NAMES
from forms.validation.reasons import N_

TITLES = {
    CommitmentType.certification: N_("证明事项告知承诺书"),
    CommitmentType.approval: N_("告知承诺书（审批替代型）"),
    CommitmentType.proactive: N_("信用承诺书（主动公示型）"),
    CommitmentType.missing_material: N_("信用承诺书（容缺受理型）"),
    CommitmentType.self_discipline: N_("信用承诺书（行业自律型）"),
    CommitmentType.credit_repair: N_("信用承诺书（信用修复型）"),
    CommitmentType.supervision: N_("信用承诺书（监管辅助型）"),
    CommitmentType.other: N_("信用承诺书"),
}
APPLICANT_KINDS = {
    ApplicantKind.person: N_("自然人"),
    ApplicantKind.individual_business: N_("个体工商户"),
    ApplicantKind.company: N_("企业"),
    ApplicantKind.organisation: N_("其他组织"),
}
LANGUAGE_NAMES = {
    Lang.zh: N_("中文"),
    Lang.ug: N_("维吾尔文"),
    Lang.ky: N_("柯尔克孜文（西里尔字母）"),
    Lang.ky_Arab: N_("柯尔克孜文（阿拉伯字母）"),
}
CHINESE_NUMERALS = "一二三四五六七八九十"
# the apps' own names, printed as they are in every language (like the item codes)
CHANNEL_NAMES = {Channel.telegram: "Telegram", Channel.wechat: "微信"}
SIGNATURE_METHODS = {
    SignatureMethod.typed: N_("输入全名并确认"),
    SignatureMethod.drawn: N_("手写签名"),
}


@dataclass(frozen=True)
class LetterView:
    """What the templates see for one language; `_` translates the fixed texts."""

    letter: Letter
    item: Item
    lang: Lang
    _: Gettext

    def t(self, text: I18nText) -> str:
        return text(self.lang)

    @property
    def title(self) -> str:
        return self._(TITLES[self.letter.commitment_type])

    @property
    def applicant_kind(self) -> str:
        return self._(APPLICANT_KINDS[self.letter.applicant.kind])

    def id_type(self, id_type: IdType) -> str:
        return self._(DOCUMENT_NAMES[id_type])

    @property
    def signature_method(self) -> str:
        return self._(SIGNATURE_METHODS[self.letter.signature.method]) if self.letter.signature else ""

    @property
    def channel_name(self) -> str:
        """Where the letter was signed: Telegram, 微信."""
        signature = self.letter.signature
        return CHANNEL_NAMES[signature.channel] if signature else ""

    def heading(self, n: int) -> str:
        """Section numbers: 一、 in Chinese, 1. elsewhere."""
        return f"{CHINESE_NUMERALS[n - 1]}、" if self.lang is Lang.zh else f"{n}. "

    def ordinal(self, n: int) -> str:
        """Sub-section numbers: （一） in Chinese, 1) elsewhere."""
        return f"（{CHINESE_NUMERALS[n - 1]}）" if self.lang is Lang.zh else f"{n}) "

    def language_name(self, lang: Lang) -> str:
        return self._(LANGUAGE_NAMES[lang])

    @property
    def notice_sections(self) -> list[tuple[str, str]]:
        return notice_sections(self.item, self.lang, self._)

    @property
    def signer(self) -> str:
        """Whose hand signs, seed 000 §三(二) and seed 004: "agent" for a proxy, "representative" for
        an organisation (its seal goes beside), else "applicant"."""
        if self.letter.agent is not None:
            return "agent"
        if self.letter.applicant.kind.is_organisation:
            return "representative"
        return "applicant"

    @property
    def signature_image(self) -> str:
        signature = self.letter.signature
        if signature is None or not signature.image_png:
            return ""
        return "data:image/png;base64," + base64.b64encode(signature.image_png).decode()

    def date(self, value: date | datetime) -> str:
        """Chinese dates as 2026年3月1日; in other languages the ISO form, isolated left to right."""
        day = value.date() if isinstance(value, datetime) else value
        if self.lang is Lang.zh:
            return f"{day.year}年{day.month}月{day.day}日"
        # isolated wherever it stands: inside a right-to-left sentence 2027-12-06 read 06-12-2027
        return left_to_right(day.isoformat())

    def time(self, value: datetime) -> str:
        return value.strftime("%Y-%m-%d %H:%M:%S %z")

    @property
    def answers(self) -> list[tuple[str, str]]:
        """The item's own questions and the answers given, as label and text."""
        shown = []
        for field in self.item.fields:
            value = self.letter.answers.get(field.key)
            if value in (None, "", []):
                continue
            shown.append((self.t(field.label), self._answer_text(field.key, value)))
        return shown

    def _answer_text(self, key: str, value: str | list[str]) -> str:
        field = self.item.field(key)
        labels = {c.value: self.t(c.label) for c in field.choices}
        if field.kind is FieldKind.materials:
            return self._("、").join(labels.get(v, v) for v in value)
        if field.kind is FieldKind.choice:
            return labels.get(str(value), str(value))
        if field.kind is FieldKind.date:
            return left_to_right(self.date(date.fromisoformat(str(value))))
        if field.kind is FieldKind.number:
            return f"{left_to_right(value)} {self.t(field.unit)}" if field.unit else left_to_right(value)
        return str(value)

    @property
    def missing_materials(self) -> str:
        if self.letter.supplement is None:
            return ""
        labels = {c.value: self.t(c.label) for c in self.item.missing_materials}
        return self._("、").join(labels.get(v, v) for v in self.letter.supplement.materials)


def notice_sections(item: Item, lang: Lang, _: Gettext) -> list[tuple[str, str]]:
    """The notice in the order of seed 001's template, headed in this language: on the letter and in
    the bot, page by page."""
    notice = item.notice
    requirements = {
        CommitmentType.certification: _("证明的内容"),
        CommitmentType.approval: _("许可条件和材料要求"),
    }.get(item.commitment_type, _("办理条件"))
    disclosure = f"{notice.disclosure.scope(lang)} {notice.disclosure.period(lang)}"
    sections = [(_("事项名称"), item.name(lang))]
    if notice.purpose is not None:
        sections.append((_("证明用途"), notice.purpose(lang)))
    return [
        *sections,
        (_("设定依据"), notice.legal_basis(lang)),
        (requirements, notice.requirements(lang)),
        (_("告知承诺适用对象"), notice.who_may_commit(lang)),
        (_("承诺的方式"), notice.how_to_commit(lang)),
        (_("承诺的效力"), notice.effect(lang)),
        (_("不实承诺的责任"), notice.liability(lang)),
        (_("行政机关核查"), notice.authority_check(lang)),
        (_("承诺书是否公开、公开范围及时限"), disclosure),
    ]
