"""Last in line: a button from an old message, or a message the current step does not expect.

Buttons outlive their step (old messages stay in the chat, and a restart keeps them): pressing one
gets a friendly word and the way back, never an error.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.conversation import resume_markup
from bot.keyboards import home_row, markup


async def stale_button(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer(_("这一步已经过去了。"))
    if isinstance(query.message, Message):
        resume = await resume_markup(state)
        rows = [*(resume.inline_keyboard if resume else []), home_row()]
        await query.message.answer(_("这个按钮属于已经完成的一步。您可以从这里继续："), reply_markup=markup(*rows))


async def unexpected(message: Message, state: FSMContext) -> None:
    resume = await resume_markup(state)
    rows = [*(resume.inline_keyboard if resume else []), home_row()]
    await message.answer(_("没有明白您的意思。请使用下面的按钮，或发送 /start。"), reply_markup=markup(*rows))


def build() -> Router:
    """The handlers of this step, registered on a new router (one per dispatcher)."""
    router = Router(name=__name__)
    router.callback_query()(stale_button)
    router.message()(unexpected)
    return router
