"""What the applicant reads of a notification, in their language: the same words on every channel.

The courier of each channel (Telegram's bot/delivery.py, WeChat's) leases the outbox and calls
`word` inside the letter's locale; it decides only how the message travels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import LetterAction
from bot.i18n import ltr
from bot.keyboards import button, home_row, markup
from bot.labels import next_step, status_name
from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.notifications import ObjectionResolved, Payload, StatusChanged, SupplementReminder
from forms.objections import Outcome
from forms.recommitment import SUPERSEDED, superseding_number
from forms.sanctions import SANCTIONS
from forms.statuses import Status
from forms.validation.reasons import N_
from forms.withdrawal import REASONS, WithdrawalReason, read_recorded

MAX_REASON = 1000  # a clerk's reason, cut so the message stays far below Telegram's 4096 characters
# Reasons the API itself writes (deadlines, expiry, the bot's withdrawal): the applicant reads them
# in their language. A clerk's own words are shown as written.
SYSTEM_REASONS = frozenset(
    {
        N_("承诺有效期届满"),
        N_("逾期未提交补正材料，作终止退件处理"),
        N_("申请人撤回承诺"),
    }
)


@dataclass(frozen=True)
class Wording:
    text: str
    buttons: InlineKeyboardMarkup | None = None


def word(payload: Payload, catalogue: Catalogue, lang: Lang) -> Wording:
    """The message in the current locale, with the button that opens what it is about."""
    if isinstance(payload, StatusChanged):
        return _status_changed(payload, catalogue, lang)
    if isinstance(payload, SupplementReminder):
        return _supplement_reminder(payload)
    if isinstance(payload, ObjectionResolved):
        return _objection_resolved(payload)
    assert_never(payload)


def _status_changed(payload: StatusChanged, catalogue: Catalogue, lang: Lang) -> Wording:
    item = catalogue.get(payload.item_code)
    lines = [
        _("您的承诺书 {number}（{item}）状态已更新：{status}").format(
            number=ltr(payload.number),
            item=item.name(lang) if item else ltr(payload.item_code),
            status=status_name(payload.to_status),
        )
    ]
    reason = payload.reason.strip()
    if reason:
        reason = _reason(reason)
        lines.append(_("原因：{reason}").format(reason=reason))
    if payload.due_on is not None:
        lines.append(_("整改期限：{date} 之前").format(date=ltr(payload.due_on.isoformat())))
    if payload.sanction is not None:
        lines.append(_("处理措施：{sanction}").format(sanction=_(SANCTIONS[payload.sanction])))
    if hint := next_step(payload.to_status):
        lines.append(hint)
    show = button(_("查看承诺书"), LetterAction(number=payload.number, action="show"))
    if payload.to_status is Status.accepted:
        # the department countersigned as it accepted (seed 000: one copy for each party): this is theirs
        lines.append(_("行政机关已在承诺书上加盖电子签章。请保存双方签章的承诺书，这是您的一份。"))
        countersigned = button(_("双方签章的承诺书（PDF）"), LetterAction(number=payload.number, action="pdf"))
        return Wording("\n".join(lines), markup([countersigned], [show]))
    return Wording("\n".join(lines), markup([show]))


def _reason(recorded: str) -> str:
    """A move's reason in the applicant's language where the API or the bot wrote it; a clerk's as written."""
    if recorded in SYSTEM_REASONS:
        return _(recorded)
    if (withdrawal := read_recorded(recorded)) is not None:
        chosen, typed = withdrawal
        said = typed if chosen is WithdrawalReason.other else _(REASONS[chosen])
        return _("申请人撤回承诺：{reason}").format(reason=said)
    if (number := superseding_number(recorded)) is not None:
        return _(SUPERSEDED).format(number=ltr(number))
    return recorded[:MAX_REASON]


def _supplement_reminder(payload: SupplementReminder) -> Wording:
    number, due_on, days = ltr(payload.number), ltr(payload.due_on.isoformat()), payload.working_days_left
    if days > 0:
        text = _("请在 {due_on} 之前补交承诺书 {number} 的材料，还剩 {days} 个工作日。").format(
            due_on=due_on, number=number, days=days
        )
    else:
        text = _("今天（{due_on}）是补交承诺书 {number} 材料的最后一天，请尽快补交。").format(
            due_on=due_on, number=number
        )
    supplement = button(_("补交材料"), LetterAction(number=payload.number, action="supplement"))
    return Wording(text, markup([supplement]))


def _objection_resolved(payload: ObjectionResolved) -> Wording:
    """The answer to an objection: to a published letter, or to a credit refusal (no letter)."""
    upheld = payload.outcome is Outcome.upheld
    if payload.number is None:
        first = (_("您对信用核查结果提出的异议成立。现在可以重新通过承诺办理。") if upheld
                 else _("您对信用核查结果提出的异议不成立，信用核查结果不变。"))  # fmt: skip
    elif upheld:
        first = _("您对承诺书 {number} 公示信息提出的异议成立，公示信息将予以更正或撤下。").format(
            number=ltr(payload.number)
        )
    else:
        first = _("您对承诺书 {number} 公示信息提出的异议不成立，公示信息不变。").format(number=ltr(payload.number))
    lines = [first, _("处理意见：{reason}").format(reason=payload.reason.strip()[:MAX_REASON])]
    if payload.number is None:
        return Wording("\n".join(lines), markup(home_row()))
    show = button(_("查看承诺书"), LetterAction(number=payload.number, action="show"))
    return Wording("\n".join(lines), markup([show]))
