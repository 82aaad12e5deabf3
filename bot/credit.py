"""The credit check (信用核查), asked as soon as the ID is known, without holding the conversation up.

The check runs beside the conversation: the applicant goes on to the next question at once, and
hears from it only when it matters (not eligible, or eligible for the green channel). Its verdict is
kept under a storage key of its own, so it never races the conversation's own data. Before signing,
the verdict must be in: if the check could not be made, it is made then, and without a verdict
there is no signature (the API's gate at submission stays the last word).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.client import ApiClient, ApiRefused, ApiUnavailable
from bot.keyboards import home_row, markup
from bot.labels import REFUSALS, refusal
from forms.catalogue import Item
from forms.credit import Eligibility
from forms.languages import Lang
from forms.questionnaire import Subject, by_agent

log = logging.getLogger(__name__)
ELIGIBLE = frozenset(verdict.value for verdict in Eligibility if verdict.may_commit)  # kept as text in the storage
UNCHECKED = "unchecked"  # the API would not check this number: no verdict, no signature
Background = set[asyncio.Task[None]]


AGENT = "agent"  # the agent's check, kept apart from the committing party's


def _key(state: FSMContext, role: str = "") -> StorageKey:
    return replace(state.key, destiny=f"credit_{role}" if role else "credit")


def check_beside(state: FSMContext, api: ApiClient, subject: Subject, message: Message, item: Item, lang: Lang,
                 background: Background, *, role: str = "") -> None:  # fmt: skip
    """Start the check (of the agent when `role` is AGENT); the task is kept in `background` until it ends."""
    task = asyncio.create_task(_check(state, api, subject, message, item, lang, role))
    background.add(task)
    task.add_done_callback(background.discard)


def _kept(subject: Subject, verdict: str) -> dict[str, str]:
    return {"id_type": subject.id_type.value, "id_number": subject.id_number, "verdict": verdict}


async def _check(
    state: FSMContext, api: ApiClient, subject: Subject, message: Message, item: Item, lang: Lang, role: str
) -> None:
    await state.storage.set_data(_key(state, role), _kept(subject, "pending"))
    try:
        answer = await api.credit_check(subject.id_number, subject.id_type.value)
    except (ApiUnavailable, ApiRefused):
        log.warning("credit check not made now; it is made again before signing")
        await state.storage.set_data(_key(state, role), _kept(subject, "unknown"))
        return
    await state.storage.set_data(_key(state, role), _kept(subject, answer.reason))
    if role == AGENT:
        if not answer.eligible:
            await turn_agent_away(message, state, answer.reason)
    elif answer.reason is Eligibility.green_channel:
        if by_agent((await state.get_data()).get("answers", {})):  # the agent is told about the applicant
            await message.answer(_("信用核查：申请人三年内没有失信记录，可以享受绿色通道。"))
        else:
            await message.answer(_("信用核查：您三年内没有失信记录，可以享受绿色通道。"))
    elif not answer.eligible:
        await turn_away(message, state, item, lang, answer.reason)


async def verdict_before_signing(state: FSMContext, api: ApiClient, subject: Subject, *, role: str = "") -> str:
    """The verdict on this document, asking now when the check beside the conversation could not be made.

    UNCHECKED when the API refuses to check the number; raises ApiUnavailable when it cannot be reached.
    """
    kept = await state.storage.get_data(_key(state, role))
    same = (kept.get("id_type"), kept.get("id_number")) == (subject.id_type.value, subject.id_number)
    if same and kept.get("verdict") not in (None, "pending", "unknown"):
        return str(kept["verdict"])
    try:
        answer = await api.credit_check(subject.id_number, subject.id_type.value)
    except ApiRefused:
        return UNCHECKED
    await state.storage.set_data(_key(state, role), _kept(subject, answer.reason))
    return answer.reason


async def turn_agent_away(message: Message, state: FSMContext, reason: str) -> None:
    """A listed agent commits for nobody (seed 001 三(六)): said with the reason and what the applicant can do."""
    code = f"credit.agent.{reason}"
    why = refusal(code) if code in REFUSALS else _("代理人暂时不能代他人作出承诺。")
    await state.clear()
    await message.answer(
        _("{why}\n\n承诺人本人可以自己作出承诺，或者委托其他代理人办理。").format(why=why),
        reply_markup=markup(home_row()),
    )


async def turn_away(message: Message, state: FSMContext, item: Item, lang: Lang, reason: str) -> None:
    """Not eligible: said politely, with the proofs to bring instead and how credit repair works."""
    proofs = "\n".join(f"{n}. {p(lang)}" for n, p in enumerate(item.proofs, 1))
    code = f"credit.{reason}"
    why = refusal(code) if code in REFUSALS else _("暂时不能通过承诺办理这一事项。")
    await state.clear()
    await message.answer(
        _(
            "{why}\n\n您仍然可以按一般程序办理，请携带以下材料到窗口：\n{proofs}\n\n"
            "完成信用修复后，可以重新使用承诺办理。信用修复的办法可以在窗口或“信用中国”网站了解。"
        ).format(why=why, proofs=proofs),
        reply_markup=markup(home_row()),
    )
