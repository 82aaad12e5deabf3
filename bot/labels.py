"""Names of statuses, commitment types and refusals, translated where they are shown.

The API answers with stable codes; everything a person reads is worded here from locales/.
"""

from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from forms.catalogue import CommitmentType
from forms.languages import I18nText, Lang
from forms.statuses import Status
from forms.validation import Invalid
from forms.validation.reasons import N_

STATUSES: dict[Status, str] = {
    Status.signed: N_("已签署，等待窗口受理"),
    Status.accepted: N_("窗口已受理"),
    Status.awaiting_supplement: N_("等待补交材料"),
    Status.supplemented: N_("材料已补齐"),
    Status.overdue_terminated: N_("逾期未补交，已终止"),
    Status.completed: N_("已办结"),
    Status.kept: N_("核查通过，已践诺"),
    Status.broken: N_("核查发现承诺不实"),
    Status.repaired: N_("信用已修复"),
    Status.withdrawn: N_("已撤回"),
    Status.superseded: N_("已被新的承诺书取代"),
    Status.expired: N_("已过有效期"),
    Status.refused: N_("窗口不予受理"),
    Status.rectification_due: N_("须限期整改"),
    Status.revoked: N_("已撤销"),
}
# What the applicant can expect next, after the status changes to this one.
NEXT: dict[Status, str] = {
    Status.signed: N_("窗口工作人员会审查您的承诺书。受理后您会收到通知。"),
    Status.accepted: N_("事项正在办理。办结后您会收到通知。"),
    Status.awaiting_supplement: N_("请在承诺的日期之前补交材料：在“我的承诺书”中打开这份承诺书，点“补交材料”。"),
    Status.supplemented: N_("材料已补齐，事项继续办理。"),
    Status.overdue_terminated: N_("因逾期未补交材料，本次申请已终止。如需办理，请重新申请。"),
    Status.completed: N_("事项已办结。行政机关之后会核查承诺是否属实。"),
    Status.kept: N_("核查确认您遵守了承诺。谢谢！"),
    Status.broken: N_("核查发现承诺与实际不符，已记入信用记录。可以按规定申请信用修复。"),
    Status.repaired: N_("您的信用已修复，相关公示将在 3 个工作日内撤下。"),
    Status.withdrawn: N_("承诺已撤回，事项不再按承诺办理。"),
    Status.superseded: N_("这份承诺书已由新的承诺书取代。"),
    Status.expired: N_("承诺书已过有效期。"),
    Status.refused: N_("窗口决定不予受理，原因见上。如需办理，可以按一般程序提交证明材料。"),
    Status.rectification_due: N_("核查发现需要整改。请在期限内整改完毕，行政机关会再次核查。"),
    Status.revoked: N_("因承诺不实，依据这份承诺书作出的决定已被撤销，并记入信用记录。"),
}
TYPES = {
    CommitmentType.certification: N_("证明事项告知承诺"),
    CommitmentType.approval: N_("审批替代型"),
    CommitmentType.proactive: N_("主动公示型"),
    CommitmentType.missing_material: N_("容缺受理型"),
    CommitmentType.self_discipline: N_("行业自律型"),
    CommitmentType.credit_repair: N_("信用修复型"),
    CommitmentType.supervision: N_("监管辅助型"),
    CommitmentType.other: N_("其他"),
}
# What each type means to the applicant, in one plain sentence, shown where they choose by type.
TYPES_EXPLAINED = {
    CommitmentType.certification: N_("不用再去开证明：您承诺情况属实，由办事部门自己核查。"),
    CommitmentType.approval: N_("承诺符合条件，当场拿到许可证，部门事后再核查。"),
    CommitmentType.proactive: N_("自愿承诺守法经营，承诺书在网上公开，不代替任何材料。"),
    CommitmentType.missing_material: N_("材料没带齐也能先受理，您承诺在约定日期前补交。"),
    CommitmentType.self_discipline: N_("向行业协会和顾客承诺守规矩，比如明码标价、干净卫生。"),
    CommitmentType.credit_repair: N_("改正了失信行为，承诺今后守信，申请撤下失信信息。"),
    CommitmentType.supervision: N_("申领补贴时承诺所报情况属实，部门会抽查核实。"),
    CommitmentType.other: N_("其他需要信用承诺的事项，比如牧家乐经营。"),
}
# The API's own code when it is unavailable (5xx), for the sentences that say why.
STORAGE_FULL = "storage.full"
# The API's refusals the applicant can meet, by code.
REFUSALS = {
    "credit.dishonest": N_("您在失信名单上，暂时不能通过承诺办理这一事项。"),
    "credit.false_commitment": N_("您曾作出不实承诺且信用尚未修复，暂时不能通过承诺办理这一事项。"),
    "credit.agent.dishonest": N_("代理人在失信名单上，不能代他人作出承诺。"),
    "credit.agent.false_commitment": N_("代理人曾作出不实承诺且信用尚未修复，不能代他人作出承诺。"),
    "transition.illegal": N_("这份承诺书现在的状态不允许这样做。"),
    "upload.too_large": N_("文件太大：请发送不超过 10 MB 的照片或 PDF。"),
    "request.too_large": N_("文件太大：请发送不超过 10 MB 的照片或 PDF。"),  # refused before it was read
    "upload.type": N_("只能接收照片（JPEG、PNG）或 PDF 文件。"),
    "upload.empty": N_("文件是空的，请重新发送。"),
    "objection.not_public": N_("这份承诺书没有公示，不需要提出异议。"),
    "letter.withdrawn": N_("这份承诺书已撤回。"),
    "replaces.unknown": N_("没有找到要取代的原承诺书。"),
    "replaces.other_item": N_("没有找到要取代的原承诺书。"),
    "replaces.not_in_force": N_("原承诺书已经不再有效，不能再被取代。"),
    "replaces.other_applicant": N_("新的承诺书的证件号码必须与原承诺书的相同。"),
    "replaces.unchanged": N_("名称和法定代表人都没有变更，不需要重新承诺。请修改变更后的名称或法定代表人。"),
}


def status_name(status: Status) -> str:
    return _(STATUSES[status])


def next_step(status: Status) -> str:
    """What the applicant can expect now that the letter is in this status."""
    return _(NEXT[status])


def type_name(commitment_type: CommitmentType) -> str:
    return _(TYPES[commitment_type])


def type_explained(commitment_type: CommitmentType) -> str:
    return _(TYPES_EXPLAINED[commitment_type])


def refusal(code: str) -> str:
    """A refusal from the API in the applicant's words; codes not listed get a general message."""
    if code in REFUSALS:
        return _(REFUSALS[code])
    if code.startswith("transition.") or code.startswith("status."):
        illegal = REFUSALS["transition.illegal"]  # a variable: the extractor would take the key for a text
        return _(illegal)
    return _("这一步没有成功。请检查后再试，或到窗口咨询。")


def text_of(value: I18nText | str, lang: str) -> str:
    """A catalogue text in this language, or a msgid translated."""
    return value(lang) if isinstance(value, I18nText) else _(value)


def reason(error: Invalid) -> str:
    """Why an answer was refused, in the applicant's language."""
    return error.message(_, get_i18n().current_locale)


WEEKDAYS = (N_("周一"), N_("周二"), N_("周三"), N_("周四"), N_("周五"), N_("周六"), N_("周日"))


def day_label(day: date, lang: Lang) -> str:
    """A date on a button, as people say it: 12月8日 周二, 12-ئاينىڭ 8-كۈنى، سەيشەنبە."""
    return _("{month}月{day}日 {weekday}").format(month=day.month, day=day.day, weekday=_(WEEKDAYS[day.weekday()]))
