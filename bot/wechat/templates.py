"""Template messages: how a notification travels when the 48 h window of customer-service messages
is closed. A template is chosen in the Account's admin (公众平台 → 模板消息) and its id configured;
its fields are named by WeChat's convention for the kinds of value, and ours fill them:

  status change (WECHAT_TEMPLATE_STATUS):     character_string1 letter number, thing2 item,
                                              thing3 new status, time4 when
  supplement due (WECHAT_TEMPLATE_REMINDER):  character_string1 letter number, thing2 item,
                                              time3 the promised date, thing4 what to do
"""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

from bot.labels import STATUSES
from bot.wechat.settings import WeChatSettings
from forms.catalogue import Catalogue
from forms.clock import BEIJING
from forms.i18n import gettext_for
from forms.notifications import ObjectionResolved, Payload, StatusChanged, SupplementReminder
from forms.objections import OUTCOMES
from forms.validation.reasons import N_

THING = 20  # characters a template's "thing" field takes
SUPPLEMENT_DUE = N_("请按时补交材料")
OBJECTION = N_("异议处理结果")


def template_for(payload: Payload, settings: WeChatSettings, catalogue: Catalogue,
                 now: datetime) -> tuple[str, dict[str, str]] | None:  # fmt: skip
    """The template id and its fields for this notification; None when no template is configured."""
    _ = gettext_for(payload.language)
    when = now.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    if isinstance(payload, ObjectionResolved):  # on the status template: what, and how it was decided
        if settings.template_status is None:
            return None
        fields = {"character_string1": payload.number or "-", "thing2": _(OBJECTION)[:THING],
                  "thing3": _(OUTCOMES[payload.outcome])[:THING], "time4": when}  # fmt: skip
        return settings.template_status, fields
    item = catalogue.get(payload.item_code)
    name = (item.name(payload.language) if item else payload.item_code)[:THING]
    if isinstance(payload, StatusChanged):
        if settings.template_status is None:
            return None
        status = _(STATUSES[payload.to_status])[:THING]
        fields = {"character_string1": payload.number, "thing2": name, "thing3": status,
                  "time4": when}  # fmt: skip
        return settings.template_status, fields
    if isinstance(payload, SupplementReminder):
        if settings.template_reminder is None:
            return None
        fields = {"character_string1": payload.number, "thing2": name, "time3": payload.due_on.isoformat(),
                  "thing4": _(SUPPLEMENT_DUE)[:THING]}  # fmt: skip
        return settings.template_reminder, fields
    assert_never(payload)
