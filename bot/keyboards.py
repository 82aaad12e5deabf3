"""Keyboards, built from translated labels. Rows are reversed for right-to-left languages when
sent (bot.i18n.RightToLeft), so builders here list buttons in reading order."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from aiogram.utils.i18n import gettext as _

from bot.callbacks import LanguageChosen, Menu, Nav
from forms.languages import Lang

LANGUAGE_NAMES = {Lang.zh: "中文", Lang.ug: "ئۇيغۇرچە", Lang.ky: "Кыргызча", Lang.ky_Arab: "قىرعىزچا"}


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def web_app(text: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, web_app=WebAppInfo(url=url))


def markup(*rows: Iterable[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(row) for row in rows if row])


def column(buttons: Iterable[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """One button per row: names of items and departments are long."""
    return [[b] for b in buttons]


def languages() -> InlineKeyboardMarkup:
    return markup(*column(button(name, LanguageChosen(code=lang.value)) for lang, name in LANGUAGE_NAMES.items()))


def main_menu() -> InlineKeyboardMarkup:
    return markup(
        [button(_("新建承诺"), Menu(action="new"))],
        [button(_("我的承诺书"), Menu(action="letters"))],
        [button(_("帮助"), Menu(action="help")), button(_("语言"), Menu(action="language"))],
    )


def home_row() -> list[InlineKeyboardButton]:
    return [button(_("返回主菜单"), Menu(action="home"))]


def step_row(*, back: bool = True) -> list[InlineKeyboardButton]:
    """Back and cancel, under every question."""
    row = [button(_("上一步"), Nav(action="back"))] if back else []
    return [*row, button(_("取消"), Nav(action="cancel"))]
