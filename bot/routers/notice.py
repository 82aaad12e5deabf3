"""The authority's notice (告知书), page by page, then the choice: commit or bring the proof."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import Decision, NoticePage
from bot.conversation import ask, item_of
from bot.i18n import ltr
from bot.keyboards import button, home_row, markup
from bot.states import Commit
from forms.catalogue import Catalogue, Item
from forms.languages import Lang
from forms.render.view import notice_sections

PAGE_LENGTH = 2500  # a page reads comfortably on a phone; Telegram's limit is 4096


def notice_pages(item: Item, lang: Lang) -> list[str]:
    """The notice's sections and the commitments asked for, grouped into pages of readable length."""
    heading = _("【{title}】")  # brackets a Chinese reader expects; other languages choose their own
    sections = [heading.format(title=title) + f"\n{text}" for title, text in notice_sections(item, lang, _)]
    promised = "\n".join(f"{n}. {c(lang)}" for n, c in enumerate(item.commitments, 1))
    sections.append(heading.format(title=_("您将承诺")) + f"\n{promised}")
    pages: list[str] = []
    for section in sections:
        if pages and len(pages[-1]) + len(section) < PAGE_LENGTH:
            pages[-1] += "\n\n" + section
        else:
            pages.append(section)
    return pages


async def show_notice_page(message: Message, item: Item, page: int, lang: Lang) -> None:
    pages = notice_pages(item, lang)
    page = max(0, min(page, len(pages) - 1))
    heading = _("告知书（第 {page} 页，共 {pages} 页）").format(page=ltr(page + 1), pages=ltr(len(pages)))
    # "Next" is a whole row of its own, above "previous": it never changes place, in a language
    # read right to left as in Chinese, so a thumb pressing on never goes back by mistake.
    rows = []
    if page < len(pages) - 1:
        rows.append([button(_("下一页"), NoticePage(page=page + 1))])
    if page > 0:
        rows.append([button(_("上一页"), NoticePage(page=page - 1))])
    if page == len(pages) - 1:
        rows.append([button(_("我已阅读并理解"), Decision(choice="read"))])
    await message.answer(f"{heading}\n\n{pages[page]}", reply_markup=markup(*rows, home_row()))


async def turn_page(
    query: CallbackQuery, callback_data: NoticePage, state: FSMContext, catalogue: Catalogue, lang: Lang
) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    if item is not None and isinstance(query.message, Message):
        await state.update_data(page=callback_data.page)
        await show_notice_page(query.message, item, callback_data.page, lang)


async def understood(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await state.set_state(Commit.decide)
    if isinstance(query.message, Message):
        await query.message.answer(
            _("您可以自主选择：作出承诺，代替提交证明材料；或者按一般程序提交证明材料。"),
            reply_markup=markup(
                [button(_("作出承诺"), Decision(choice="commit"))],
                [button(_("提交证明材料"), Decision(choice="proof"))],
                home_row(),
            ),
        )


async def bring_proof(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    """Proof instead of a commitment: what to bring, and where and when the window is open."""
    await query.answer()
    item = await item_of(state, catalogue)
    await state.clear()
    if item is None or not isinstance(query.message, Message):
        return
    department = item.department
    proofs = "\n".join(f"{n}. {p(lang)}" for n, p in enumerate(item.proofs, 1))
    text = _("请携带以下材料到窗口办理：\n{proofs}\n\n{department}\n{address}\n{hours}\n电话：{phone}").format(
        proofs=proofs,
        department=department.name(lang),
        address=department.address(lang),
        hours=department.hours(lang),
        phone=ltr(department.phone),
    )
    await query.message.answer(text, reply_markup=markup(home_row()))


async def commit(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    await state.update_data(answers={}, step=None, editing=False, picked=[])
    await ask(query.message, state, item, lang)


def build() -> Router:
    """The handlers of this step, registered on a new router (one per dispatcher)."""
    router = Router(name=__name__)
    router.callback_query(StateFilter(Commit.notice), NoticePage.filter())(turn_page)
    router.callback_query(StateFilter(Commit.notice), Decision.filter(F.choice == "read"))(understood)
    router.callback_query(StateFilter(Commit.decide), Decision.filter(F.choice == "proof"))(bring_proof)
    router.callback_query(StateFilter(Commit.decide), Decision.filter(F.choice == "commit"))(commit)
    return router
