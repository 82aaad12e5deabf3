"""Wiring: the bot, its dispatcher, the commands in each language. Nothing happens at import time."""

from __future__ import annotations

import gc
import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.types import BotCommand, ErrorEvent, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import channel_user
from bot.client import ApiClient
from bot.i18n import LanguageMiddleware, RightToLeft, make_i18n
from bot.keyboards import home_row, markup
from bot.limits import WaitOutRetryAfter
from bot.routers import filling, items, letters, notice, signing, stale, start
from bot.settings import BotSettings
from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.validation.reasons import N_

log = logging.getLogger(__name__)


def build_bot(settings: BotSettings, session: BaseSession | None = None) -> Bot:
    """The bot: Telegram's servers, or a self-hosted Bot API server at TELEGRAM_API_URL."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    if session is None and settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(link_preview_is_disabled=True),
    )
    bot.session.middleware(WaitOutRetryAfter())
    bot.session.middleware(RightToLeft())
    return bot


def build_dispatcher(
    *,
    api: ApiClient,
    catalogue: Catalogue,
    settings: BotSettings,
    storage: BaseStorage,
    isolation: BaseEventIsolation,
    i18n: I18n | None = None,
) -> Dispatcher:
    """The routers in order, the last catching what no step expects; dependencies as handler arguments."""
    i18n = i18n or make_i18n()
    dispatcher = Dispatcher(
        storage=storage, events_isolation=isolation, api=api, catalogue=catalogue, settings=settings, background=set()
    )
    channel_user.setup(dispatcher)
    LanguageMiddleware(i18n).setup(dispatcher)
    dispatcher.include_routers(*(module.build() for module in (start, items, notice, filling, signing, letters, stale)))
    dispatcher.errors.register(_apologise)
    return dispatcher


async def _apologise(event: ErrorEvent) -> bool:
    """An unexpected failure: logged for us, an apology and the way back for the applicant."""
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    message = event.update.message or (
        event.update.callback_query.message if event.update.callback_query is not None else None
    )
    if isinstance(message, Message):
        await message.answer(_("抱歉，出了点问题。您填写的内容都保留着，请稍后再试。"), reply_markup=markup(home_row()))
    return True


COMMANDS = {
    "start": N_("开始"),
    "menu": N_("主菜单"),
    "language": N_("选择语言"),
    "help": N_("帮助"),
}


async def set_commands(bot: Bot, i18n: I18n) -> None:
    """The command list and the bot's description in each language Telegram can tell apart.

    Telegram picks by the user's interface language (two letters): ug and ky have codes; the
    Arabic-script Kyrgyz reader gets the Cyrillic list, Chinese is the default for the rest.
    """
    for lang, code in ((Lang.zh, None), (Lang.ug, "ug"), (Lang.ky, "ky")):
        with i18n.context(), i18n.use_locale(lang.value):
            commands = [BotCommand(command=name, description=_(text)) for name, text in COMMANDS.items()]
            await bot.set_my_commands(commands, language_code=code)
            await bot.set_my_short_description(_("用信用承诺代替证明材料，在线办理政务事项。"), language_code=code)
            await bot.set_my_description(
                _("政务服务信用承诺：阅读告知书，在线填写并签署信用承诺书，随时了解办理进度。"), language_code=code
            )


def freeze_startup_heap() -> None:
    """What start-up built lives as long as the process: out of the collector's sight, the full
    collections that pause an update now and then are short (the API does the same)."""
    gc.collect()
    gc.freeze()
