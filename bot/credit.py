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

from bot.callbacks import Menu
from bot.client import ApiClient, ApiRefused, ApiUnavailable
from bot.keyboards import button, home_row, markup
from bot.labels import REFUSALS, refusal
from forms.catalogue import Item
from forms.credit import Eligibility
from forms.languages import Lang
from forms.questionnaire import Subject

log = logging.getLogger(__name__)
ELIGIBLE = frozenset(verdict.value for verdict in Eligibility if verdict.may_commit)  # kept as text in the storage


def admitted(verdict: str, item: Item) -> bool:
    """The verdict (as kept in the storage) lets the applicant commit to this item: a listed subject
    may make the credit-repair commitment (信用修复型) and that one only."""
    return verdict in ELIGIBLE or (verdict in set(Eligibility) and Eligibility(verdict).admits(item.commitment_type))


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
    elif not answer.reason.admits(item.commitment_type):
        await turn_away(message, state, item, lang, answer.reason, subject)
    else:
        answers = (await state.get_data()).get("answers", {})
        if str(answers.get("applicant.id_number")) == subject.id_number:  # not a number corrected meanwhile
            # an agent may act where the item allows it and they have not said "no" (the question may come later)
            agent_acts = answers.get("agent.present", "yes" if item.proxy_allowed else "no") == "yes"
            note = green_channel_note(answer.reason, agent_acts=agent_acts)
            if note:
                await message.answer(note)


def green_channel_note(verdict: str, *, agent_acts: bool) -> str | None:
    """The green channel (seed 000 六(一)), said only on the API's verdict that the committing party has
    three years without a record, and with what it changes: the window sees the verdict with the letter
    and may handle it first. It is the committing party's, so it is "you" only when no agent acts."""
    if verdict != Eligibility.green_channel:
        return None
    if agent_acts:
        return _(
            "信用核查：承诺人连续三年没有失信记录，符合“绿色通道”条件。窗口受理时会看到这一结果，可以依规优先办理。"
        )
    return _("信用核查：您连续三年没有失信记录，符合“绿色通道”条件。窗口受理时会看到这一结果，可以依规优先为您办理。")


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


async def turn_away(message: Message, state: FSMContext, item: Item, lang: Lang, reason: str, subject: Subject) -> None:
    """Not eligible: said politely, with the proofs to bring instead, how credit repair works, and
    the right to object to the refusal (seed 002 三(三)): the number refused is kept for that."""
    proofs = "\n".join(f"{n}. {p(lang)}" for n, p in enumerate(item.proofs, 1))
    code = f"credit.{reason}"
    why = refusal(code) if code in REFUSALS else _("暂时不能通过承诺办理这一事项。")
    await state.clear()
    await state.update_data(refused={"id_type": subject.id_type.value, "id_number": subject.id_number})
    await message.answer(
        _(
            "{why}\n\n您仍然可以按一般程序办理，请携带以下材料到窗口：\n{proofs}\n\n"
            "完成信用修复后，可以重新使用承诺办理。信用修复的办法可以在窗口或“信用中国”网站了解。"
        ).format(why=why, proofs=proofs)
        + "\n\n"
        + _("如果您认为信用核查结果有误，可以提出异议，并说明依据（例如法院的结案证明）。"),
        reply_markup=markup([button(_("对核查结果提出异议"), Menu(action="credit_objection"))], home_row()),
    )
