"""The way in: choosing the language, the main menu, help."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.callbacks import LanguageChosen, Menu
from bot.conversation import resume_markup
from bot.i18n import remember_language
from bot.keyboards import LANGUAGE_NAMES, languages, main_menu, markup
from forms.catalogue import Catalogue
from forms.languages import LANGS, Lang


def _choose_language(i18n: I18n) -> str:
    """The question in every language at once: the applicant has not chosen one yet."""
    return "\n".join(i18n.gettext("请选择语言。", locale=lang.value) for lang in LANGS)


async def start(message: Message, state: FSMContext, i18n: I18n, language_chosen: bool) -> None:
    if not language_chosen:
        await message.answer(_choose_language(i18n), reply_markup=languages())
        return
    await show_menu(message, state)


async def language_command(message: Message, i18n: I18n) -> None:
    await message.answer(_choose_language(i18n), reply_markup=languages())


async def language_button(query: CallbackQuery, i18n: I18n) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(_choose_language(i18n), reply_markup=languages())


async def language_chosen(
    query: CallbackQuery, callback_data: LanguageChosen, bot: Bot, state: FSMContext, i18n: I18n
) -> None:
    lang = Lang(callback_data.code)
    await remember_language(state.storage, bot.id, query.from_user.id, lang)
    await query.answer()
    with i18n.use_locale(lang.value):
        if isinstance(query.message, Message):
            await query.message.answer(_("语言已设置为：{language}").format(language=LANGUAGE_NAMES[lang]))
            await show_menu(query.message, state)


async def menu_command(message: Message, state: FSMContext) -> None:
    await show_menu(message, state)


async def menu_button(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await show_menu(query.message, state)


async def show_menu(message: Message, state: FSMContext) -> None:
    """The main menu; a commitment in progress (even from before a restart) can be resumed."""
    resume = await resume_markup(state)
    keyboard = main_menu()
    if resume is not None:
        keyboard = markup(*resume.inline_keyboard, *keyboard.inline_keyboard)
    await message.answer(_("您好！这里可以用信用承诺代替部分证明材料，在线办理。请选择："), reply_markup=keyboard)


async def help_command(message: Message, catalogue: Catalogue, lang: Lang) -> None:
    await message.answer(help_text(catalogue, lang), reply_markup=markup(*main_menu().inline_keyboard))


async def help_button(query: CallbackQuery, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(help_text(catalogue, lang), reply_markup=main_menu())


def help_text(catalogue: Catalogue, lang: Lang) -> str:
    """What a commitment is, how it goes, and where each window is and when it is open."""
    parts = [
        _("什么是信用承诺？"),
        _(
            "办理某些事项时，您可以书面承诺自己符合条件，代替提交证明材料。"
            "行政机关之后会核查；承诺不实的，会记入信用记录并依法处理。"
        ),
        _("怎么办理？"),
        _(
            "1. 选择事项，阅读告知书。\n2. 选择作出承诺，或者按一般程序提交证明材料。\n"
            "3. 逐项填写承诺书，检查后签名。\n4. 收到盖有电子印章的承诺书 PDF 和编号。\n"
            "5. 窗口受理、办结和核查时，您都会收到通知。"
        ),
        _("窗口地址和办公时间："),
    ]
    for department in catalogue.departments.values():
        parts.append(
            f"• {department.name(lang)}\n  {department.address(lang)}\n  {department.hours(lang)}  ☎ {department.phone}"
        )
    return "\n\n".join(parts)


def build() -> Router:
    """The handlers of this step, registered on a new router (one per dispatcher)."""
    router = Router(name=__name__)
    router.message(CommandStart())(start)
    router.message(Command("language"))(language_command)
    router.callback_query(Menu.filter(F.action == "language"))(language_button)
    router.callback_query(LanguageChosen.filter(F.code.in_(Lang.__members__)))(language_chosen)
    router.message(Command("menu"))(menu_command)
    router.callback_query(Menu.filter(F.action == "home"))(menu_button)
    router.message(Command("help"))(help_command)
    router.callback_query(Menu.filter(F.action == "help"))(help_button)
    return router
