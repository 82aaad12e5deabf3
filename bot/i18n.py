"""The applicant's language: chosen once, remembered per user, applied to every message sent.

Texts come from locales/ through aiogram's I18n (msgids are the Chinese texts). Uyghur and
Arabic-script Kyrgyz read right to left: every such message starts with a strong right-to-left
mark so Telegram lays it out from the right even when it begins with a number, and button rows
are reversed so the first choice sits on the right.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from forms.i18n import DOMAIN, LOCALES_DIR, left_to_right
from forms.languages import Lang

RLM = "\u200f"  # RIGHT-TO-LEFT MARK: a strong right-to-left character that shows nothing
PROFILE = "profile"  # the storage destiny of what outlives one conversation: the language


def make_i18n() -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=Lang.zh.value, domain=DOMAIN)


def profile_key(bot_id: int, user_id: int) -> StorageKey:
    return StorageKey(bot_id=bot_id, chat_id=user_id, user_id=user_id, destiny=PROFILE)


async def stored_language(storage: BaseStorage, bot_id: int, user_id: int) -> Lang | None:
    value = await storage.get_value(profile_key(bot_id, user_id), "language")
    return Lang(value) if isinstance(value, str) and value in Lang.__members__ else None


async def remember_language(storage: BaseStorage, bot_id: int, user_id: int, lang: Lang) -> None:
    await storage.update_data(profile_key(bot_id, user_id), {"language": lang.value})


def first_guess(language_code: str | None) -> Lang:
    """Telegram's interface language, as a first guess only: it never says ug, and rarely ky."""
    code = (language_code or "").lower()
    if code.startswith("ug"):
        return Lang.ug
    if code.startswith("ky"):
        return Lang.ky
    return Lang.zh


class LanguageMiddleware(I18nMiddleware):
    """Each update is handled in its user's remembered language (Chinese until they choose)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        storage: BaseStorage | None = data.get("fsm_storage")
        bot: Bot | None = data.get("bot")
        if user is None or storage is None or bot is None:
            return Lang.zh.value
        chosen = await stored_language(storage, bot.id, user.id)
        data["lang"] = chosen or first_guess(user.language_code)
        data["language_chosen"] = chosen is not None
        return str(data["lang"].value)


def ltr(value: object) -> str:
    """An ID, number, code or date kept left to right inside right-to-left text."""
    return left_to_right(value)


class RightToLeft(BaseRequestMiddleware):
    """Every outgoing message in a right-to-left language: a leading mark, button rows reversed."""

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        i18n = I18n.get_current(no_error=True)
        if i18n is not None and Lang(i18n.current_locale).rtl:
            method = method.model_copy(update=_right_to_left(method))
        return await make_request(bot, method)


def _right_to_left(method: TelegramMethod[Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("text", "caption"):
        value = getattr(method, name, None)
        if isinstance(value, str) and value and not value.startswith(RLM):
            changes[name] = RLM + value
    markup = getattr(method, "reply_markup", None)
    if isinstance(markup, InlineKeyboardMarkup):
        changes["reply_markup"] = markup.model_copy(
            update={"inline_keyboard": [row[::-1] for row in markup.inline_keyboard]}
        )
    elif isinstance(markup, ReplyKeyboardMarkup):
        changes["reply_markup"] = markup.model_copy(update={"keyboard": [row[::-1] for row in markup.keyboard]})
    return changes
