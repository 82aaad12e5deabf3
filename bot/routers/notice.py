"""The authority's notice (告知书): its summary first, then the full text page by page, then the
choice: commit or bring the proof.

Page 0 is the summary; pages 1… are the full notice. "I have read and understood" is only on the
full notice's last page, and is taken only once that page was shown: the letter says the applicant
"已经知晓行政机关告知的全部内容" (seed 001's template, 三(一); seed 004), which a summary does not
give; it helps a reader through the notice (seed 001, 统一规范工作流程: 通俗易懂), it does not replace it.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import Decision, NoticePage
from bot.conversation import advance, item_of
from bot.guidance import proof_guidance
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


SUMMARY = 0  # the page number of the summary; the full notice's pages follow it


def summary_text(item: Item, lang: Lang) -> str:
    """The item's summary lines from the catalogue, and that the full text is what counts."""
    lines = "\n".join(f"• {line(lang)}" for line in item.summary)
    return "\n\n".join(
        [
            _("告知书摘要：{item}").format(item=item.name(lang)),
            lines,
            _("摘要只帮助理解，以告知书全文为准。请阅读全文，读到最后一页后确认。"),
        ]
    )


async def show_notice_page(message: Message, item: Item, page: int, lang: Lang) -> None:
    """The summary (page 0) or a page of the full notice (1…)."""
    pages = notice_pages(item, lang)
    page = max(SUMMARY, min(page, len(pages)))
    if page == SUMMARY:
        # one way on: the full text; confirming is not offered here (module docstring)
        read_all = [button(_("阅读告知书全文"), NoticePage(page=1))]
        await message.answer(summary_text(item, lang), reply_markup=markup(read_all, home_row()))
        return
    heading = _("告知书（第 {page} 页，共 {pages} 页）").format(page=ltr(page), pages=ltr(len(pages)))
    # "Next" is a whole row of its own, above "previous": it never changes place, in a language
    # read right to left as in Chinese, so a thumb pressing on never goes back by mistake.
    rows = []
    if page < len(pages):
        rows.append([button(_("下一页"), NoticePage(page=page + 1))])
    rows.append([button(_("上一页") if page > 1 else _("返回摘要"), NoticePage(page=page - 1))])
    if page == len(pages):  # read, understood and chosen in one tap (申请人可自主选择)
        rows.append([button(_("我已阅读并理解，作出承诺"), Decision(choice="read_commit"))])
        rows.append([button(_("我已阅读，改为提交证明材料"), Decision(choice="read_proof"))])
    await message.answer(f"{heading}\n\n{pages[page - 1]}", reply_markup=markup(*rows, home_row()))


def last_page(item: Item, lang: Lang) -> int:
    return len(notice_pages(item, lang))


async def turn_page(
    query: CallbackQuery, callback_data: NoticePage, state: FSMContext, catalogue: Catalogue, lang: Lang
) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    if item is not None and isinstance(query.message, Message):
        await state.update_data(page=callback_data.page)
        if callback_data.page >= last_page(item, lang):  # the whole notice has been shown, to its end
            await state.update_data(notice_read=item.notice_hash)
        await show_notice_page(query.message, item, callback_data.page, lang)


async def _read_to_the_end(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> bool:
    """The full notice was shown to its last page; else back to its first page, saying why."""
    item = await item_of(state, catalogue)
    if item is not None and (await state.get_data()).get("notice_read") != item.notice_hash:
        if isinstance(query.message, Message):  # not from the summary: the full notice is read first
            await query.message.answer(_("请先阅读告知书全文，读到最后一页后再确认。"))
            await show_notice_page(query.message, item, 1, lang)
        return False
    return True


async def read_and_commit(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    if await _read_to_the_end(query, state, catalogue, lang):
        await state.set_state(Commit.decide)
        await commit(query, state, catalogue, lang)
    else:
        await query.answer()


async def read_and_bring_proof(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    if await _read_to_the_end(query, state, catalogue, lang):
        await bring_proof(query, state, catalogue, lang)
    else:
        await query.answer()


async def understood(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    """The one-button confirmation of earlier messages: then the choice, as it was."""
    await query.answer()
    if not await _read_to_the_end(query, state, catalogue, lang):
        return
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
    text = proof_guidance(item, lang)
    await query.message.answer(text, reply_markup=markup(home_row()))


async def commit(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    # a re-commitment starts from what carries over from the letter it replaces (bot/routers/letters.py)
    prefilled = (await state.get_data()).get("prefilled", {})
    data = await state.update_data(answers=dict(prefilled), step=None, editing=False, picked=[])
    await advance(query.message, state, item, lang, data)


def build() -> Router:
    """The handlers of this step, registered on a new router (one per dispatcher)."""
    router = Router(name=__name__)
    router.callback_query(StateFilter(Commit.notice), NoticePage.filter())(turn_page)
    router.callback_query(StateFilter(Commit.notice), Decision.filter(F.choice == "read"))(understood)
    router.callback_query(StateFilter(Commit.notice), Decision.filter(F.choice == "read_commit"))(read_and_commit)
    router.callback_query(StateFilter(Commit.notice), Decision.filter(F.choice == "read_proof"))(read_and_bring_proof)
    router.callback_query(StateFilter(Commit.decide), Decision.filter(F.choice == "proof"))(bring_proof)
    router.callback_query(StateFilter(Commit.decide), Decision.filter(F.choice == "commit"))(commit)
    return router
