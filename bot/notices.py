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
from bot.keyboards import button, markup
from bot.labels import next_step, status_name
from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.notifications import Payload, StatusChanged, SupplementReminder
from forms.statuses import Status
from forms.validation.reasons import N_

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
        reason = _(reason) if reason in SYSTEM_REASONS else reason[:MAX_REASON]
        lines.append(_("原因：{reason}").format(reason=reason))
    if hint := next_step(payload.to_status):
        lines.append(hint)
    show = button(_("查看承诺书"), LetterAction(number=payload.number, action="show"))
    if payload.to_status is Status.accepted:
        # the department countersigned as it accepted (seed 000: one copy for each party): this is theirs
        lines.append(_("行政机关已在承诺书上加盖电子签章。请保存双方签章的承诺书，这是您的一份。"))
        countersigned = button(_("双方签章的承诺书（PDF）"), LetterAction(number=payload.number, action="pdf"))
        return Wording("\n".join(lines), markup([countersigned], [show]))
    return Wording("\n".join(lines), markup([show]))


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
