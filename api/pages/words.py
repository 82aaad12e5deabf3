"""The names a clerk reads on the pages: statuses, moves, refusals by code, items and departments.

The API speaks in stable codes; every code a page can meet is worded here, from locales/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from api.errors import ApiError
from forms.catalogue import Catalogue, CommitmentType
from forms.clock import BEIJING
from forms.i18n import Gettext, gettext_for
from forms.kyrgyz_arabic import to_arabic
from forms.languages import Lang
from forms.notifications import NotificationKind
from forms.objections import OUTCOMES, Outcome
from forms.render.view import LANGUAGE_NAMES, TITLES
from forms.sanctions import SANCTIONS, Sanction
from forms.statuses import Status
from forms.validation.reasons import N_

# A status as the window says it (the bot words them for the applicant, bot/labels.py).
STATUSES: dict[Status, str] = {
    Status.signed: N_("待受理"),
    Status.accepted: N_("已受理"),
    Status.awaiting_supplement: N_("待补交材料"),
    Status.supplemented: N_("已补交材料"),
    Status.overdue_terminated: N_("逾期未补交，已终止"),
    Status.completed: N_("已办结"),
    Status.kept: N_("已践诺"),
    Status.broken: N_("承诺不实"),
    Status.repaired: N_("信用已修复"),
    Status.withdrawn: N_("已撤回"),
    Status.superseded: N_("已被取代"),
    Status.expired: N_("已过有效期"),
    Status.refused: N_("不予受理"),
    Status.rectification_due: N_("限期整改中"),
    Status.revoked: N_("已撤销"),
}
# The button that moves a letter to a status.
MOVES: dict[Status, str] = {
    Status.accepted: N_("受理"),
    Status.awaiting_supplement: N_("登记待补交材料"),
    Status.supplemented: N_("登记材料已补交"),
    Status.overdue_terminated: N_("逾期终止"),
    Status.completed: N_("办结"),
    Status.kept: N_("核查属实：已践诺"),
    Status.broken: N_("核查不实：承诺不实"),
    Status.repaired: N_("登记信用修复"),
    Status.superseded: N_("已被新承诺书取代"),
    Status.refused: N_("不予受理"),
    Status.rectification_due: N_("核查：责令限期整改"),
    Status.revoked: N_("撤销（以不实承诺取得）"),
}
# The seal of the stored PDF, as api/services/dossier.py finds it.
SEALS = {
    "intact": N_("印章有效，盖章后没有改动"),
    "altered": N_("盖章后被改动过"),
    "not_ours": N_("不是本平台的印章"),
    "unsigned": N_("没有电子印章"),
    "not_pdf": N_("不是 PDF 文件"),
}
NOTICES: dict[NotificationKind, str] = {
    NotificationKind.status_changed: N_("状态变化通知"),
    NotificationKind.supplement_reminder: N_("补交材料提醒"),
    NotificationKind.objection_resolved: N_("异议处理结果"),
}
FILES = {"authorisation": N_("授权委托书"), "supplement": N_("补交的材料")}
# Who moved a letter, by the event's actor ("staff:<username>" names the clerk).
ACTORS = {"system": N_("系统（期限到期）"), "service": N_("申请人（通过机器人）"), "applicant": N_("申请人")}

# What a refusal means to a clerk, by the API's code.
REFUSALS = {
    "internal_error": N_("出了点问题，已经记录下来。请稍后再试，或联系管理员。"),
    "not_found": N_("没有找到。它不存在，或者不属于您的部门。"),
    "unauthorized": N_("请先登录。"),
    "forbidden": N_("您的账号没有这项权限。"),
    "csrf": N_("页面已过期，请刷新后再试。"),
    "invalid_request": N_("表单填写不完整，请检查后再试。"),
    "login.failed": N_("用户名或密码不对。"),
    "login.throttled": N_("密码错误次数太多，请 {seconds} 秒后再试。"),
    "password.unchanged": N_("新密码不能与当前密码相同。"),
    "password.mismatch": N_("两次输入的新密码不一致。"),
    "password.short": N_("新密码至少要 10 个字符。"),
    "transition.not_allowed": N_("这份承诺书现在的状态不允许这样操作。"),
    "transition.not_yours": N_("这一步不由窗口操作。"),
    "transition.supplement_first": N_("容缺受理的事项要先补齐材料才能办结。"),
    "transition.no_supplement": N_("只有容缺受理的承诺书才需要补交材料。"),
    "transition.reason_required": N_("请填写原因：申请人和信用记录都会看到它。"),
    "transition.stale": N_("这份承诺书刚被别人改过，请看它现在的状态再操作。"),
    "transition.deadline_required": N_("请填写整改期限：给几个工作日整改。"),
    "transition.deadline_range": N_("整改期限应为 1 至 60 个工作日。"),
    "transition.deadline_unexpected": N_("只有责令限期整改才需要填写整改期限。"),
    "transition.sanction_required": N_("请选择撤销后的处理措施。"),
    "transition.sanction_unexpected": N_("只有撤销才需要选择处理措施。"),
    "objection.resolved": N_("这条异议已经处理过了。"),
    "objection.reason_required": N_("请填写处理意见：申请人会看到它。"),
    "objection.outcome_required": N_("请选择异议成立还是不成立。"),
    "credit.not_listed": N_("这个主体没有需要修复的失信记录。"),
    "objection.not_listed": N_("这个证件号码没有被信用核查拒绝，没有可以提出异议的记录。"),
    "search.invalid": N_("查找条件的格式不对，例如日期应为 2026-11-24。"),
    "search.id_number": N_("这不是有效的证件号码。"),
    "search.number": N_("编号的格式不对，请照承诺书上印的编号填写。"),
    "upload.too_large": N_("文件太大。"),
    "request.too_large": N_("提交的内容太大，没有被接收。上传的文件请不要超过页面上写明的大小。"),
    "upload.not_a_letter": N_("这个文件不是本平台出具的承诺书。"),
    "upload.empty": N_("文件是空的。"),
    "upload.type": N_("文件格式不对。"),
    "pdf.unavailable": N_("PDF 暂时无法生成，请稍后再试。"),
    "storage.full": N_("服务器的存储空间已满，这一步没有保存。请稍后再试，并告诉管理员。"),
    "storage.unavailable": N_("服务器暂时无法保存数据，这一步没有保存。请稍后再试，并告诉管理员。"),
    "staff.exists": N_("这个用户名已经有人用了。"),
    "staff.self": N_("不能停用自己的账号。"),
    "staff.window_required": N_("窗口工作人员必须属于一个窗口。"),
    "window.unknown_department": N_("没有这个部门。"),
    # the admin pages' own checks of their forms
    "window.name_required": N_("请填写窗口名称（最多 100 个字）。"),
    "window.departments_required": N_("请至少选择一个部门。"),
    "staff.username": N_("用户名要 2 至 64 个字符，只能用英文字母、数字和 . _ -。"),
    "staff.display_name": N_("姓名最多 100 个字。"),
    "staff.self_reset": N_("不能在这里重置自己的密码，请用“修改密码”。"),
    "credit.import_expired": N_("预览已过期，请重新上传名单。"),
    # a department's seal image (api/services/seals.py), and countersigning when a window accepts
    "seal.department": N_("请选择一个部门。"),
    "seal.empty": N_("请选择印章图片（PNG 文件）。"),
    "seal.not_png": N_("印章图片必须是 PNG 文件。"),
    "seal.too_large": N_("印章图片不能超过 {limit} KB。"),
    "seal.dimensions": N_("印章图片的宽和高应在 {low} 到 {high} 像素之间。"),
    "seal.shape": N_("印章图片应大致为正方形。"),
    "countersign.unavailable": N_("部门的电子签章证书无法使用，承诺书没有受理。请告诉管理员。"),
    "countersign.no_pdf": N_("承诺书的 PDF 还没有生成好，没有受理。请稍后再试。"),
}
# The credit check's verdict at signing (forms.credit.Eligibility), as the window reads it.
VERDICTS = {
    "eligible": N_("未在失信名单上，可以承诺"),
    "green_channel": N_("三年内没有失信记录（绿色通道）"),
    "dishonest": N_("在失信名单上"),
    "false_commitment": N_("有未修复的不实承诺记录"),
}
# Each language by its own name, in its own script, whatever the page's language.
AUTONYMS = {Lang.zh: "中文", Lang.ug: "ئۇيغۇرچە", Lang.ky: "Кыргызча", Lang.ky_Arab: to_arabic("Кыргызча")}
GENERAL_REFUSAL = N_("操作没有成功，请检查后再试。")


def refusal(error: ApiError, _: Gettext) -> str:
    """The error in the clerk's language; a code not listed gets a general sentence."""
    if error.code == "login.throttled":
        seconds = next((d["retry_after"] for d in error.details if "retry_after" in d), 1)
        throttled = REFUSALS["login.throttled"]  # not _(REFUSALS[…]): the extractor would take the key for a text
        return _(throttled).format(seconds=seconds)
    if error.code in ("seal.too_large", "seal.dimensions") and error.details:  # the limits, in the sentence
        limited = REFUSALS[error.code]
        return _(limited).format(**error.details[0])
    return _(REFUSALS.get(error.code, GENERAL_REFUSAL))


@dataclass(frozen=True)
class Words:
    """The templates' helper for one language: `w.status(s)`, `w.item(code)`, `w.day(d)`…"""

    lang: Lang
    catalogue: Catalogue

    @property
    def _(self) -> Gettext:
        return gettext_for(self.lang)

    @property
    def statuses(self) -> list[Status]:
        return list(STATUSES)

    def status(self, status: str) -> str:
        """Every status has its words (tests/api/test_vocabulary.py); the store's text is a Status."""
        return self._(STATUSES[Status(status)])

    def move(self, status: str) -> str:
        target = Status(status)
        return self._(MOVES[target]) if target in MOVES else self.status(target)

    def type(self, commitment_type: str) -> str:
        return self._(TITLES[CommitmentType(commitment_type)])

    def item(self, code: str) -> str:
        item = self.catalogue.get(code)
        return item.name(self.lang) if item else code

    def department(self, code: str) -> str:
        department = self.catalogue.departments.get(code)
        return department.name(self.lang) if department else code

    def language(self, lang: str) -> str:
        return self._(LANGUAGE_NAMES[Lang(lang)])

    def seal(self, verdict: str) -> str:
        return self._(SEALS[verdict]) if verdict in SEALS else verdict

    def notice(self, kind: str) -> str:
        return self._(NOTICES[NotificationKind(kind)])

    def sanction(self, sanction: str) -> str:
        return self._(SANCTIONS[Sanction(sanction)])

    @property
    def sanctions(self) -> list[Sanction]:
        return list(SANCTIONS)

    def outcome(self, outcome: str) -> str:
        return self._(OUTCOMES[Outcome(outcome)])

    def file(self, purpose: str) -> str:
        return self._(FILES[purpose]) if purpose in FILES else purpose

    def actor(self, actor: str) -> str:
        kind, _, name = actor.partition(":")
        return name if kind == "staff" else self._(ACTORS.get(kind, ACTORS["system"]))

    @staticmethod
    def language_own(lang: Lang) -> str:
        return AUTONYMS[lang]

    def refusal(self, error: ApiError) -> str:
        return refusal(error, self._)

    def verdict(self, eligibility: str) -> str:
        return self._(VERDICTS[eligibility]) if eligibility in VERDICTS else eligibility

    @staticmethod
    def day(value: date | datetime | None) -> str:
        """Dates and times in Beijing time, digits only: read the same in every language."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        return value.isoformat()
