"""Finding the item: by department, by commitment type, or by typing words of its name."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import Browse, ItemPicked, Menu, Nav
from bot.conversation import ANSWERED_STATES, item_of
from bot.filters import has_text
from bot.keyboards import button, column, home_row, markup
from bot.labels import type_explained, type_name
from bot.routers.notice import show_notice_page
from bot.states import Commit
from forms.catalogue import Catalogue, CommitmentType, Item
from forms.catalogue.search import find_items
from forms.languages import Lang


def _ways() -> list[list]:  # type: ignore[type-arg]
    return [
        [button(_("按部门查找"), Browse(by="department"))],
        [button(_("按承诺类型查找"), Browse(by="type"))],
        [button(_("全部事项"), Browse(by="all"))],
        home_row(),
    ]


async def new_commitment(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    """A new letter; one half filled in is not dropped without asking (a mistap on the menu)."""
    await query.answer()
    item = await item_of(state, catalogue)
    if item is not None and await state.get_state() in ANSWERED_STATES and isinstance(query.message, Message):
        await query.message.answer(
            _("您有一份承诺书还没有填完：{item}。继续填写，还是放弃它、办理新的事项？").format(item=item.name(lang)),
            reply_markup=markup(
                [button(_("继续填写承诺书"), Nav(action="resume"))],
                [button(_("放弃，办理新的事项"), Menu(action="new_anyway"))],
            ),
        )
        return
    await _ways_to_find(query, state)


async def start_afresh(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await _ways_to_find(query, state)


async def _ways_to_find(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(Commit.item)
    if isinstance(query.message, Message):
        await query.message.answer(
            _("请选择要办理的事项。也可以直接输入事项名称中的词语，例如“食品”或“法律援助”。"),
            reply_markup=markup(*_ways()),
        )


async def by_department(query: CallbackQuery, callback_data: Browse, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if not callback_data.value:
        departments = [d for d in catalogue.departments.values() if _items(catalogue, department=d.code)]
        rows = column(button(d.name(lang), Browse(by="department", value=d.code)) for d in departments)
        await query.message.answer(_("请选择部门："), reply_markup=markup(*rows, home_row()))
        return
    await _offer(query.message, _items(catalogue, department=callback_data.value), lang)


async def by_type(query: CallbackQuery, callback_data: Browse, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if not callback_data.value:
        types = [t for t in CommitmentType if _items(catalogue, commitment_type=t)]
        rows = column(button(type_name(t), Browse(by="type", value=t.value)) for t in types)
        # the names alone are officials' words: each comes with what it means for the applicant
        explained = "\n\n".join(f"• {type_name(t)}\n{type_explained(t)}" for t in types)
        asked = _("请选择承诺类型：")
        await query.message.answer(f"{asked}\n\n{explained}", reply_markup=markup(*rows, home_row()))
        return
    await _offer(query.message, _items(catalogue, commitment_type=CommitmentType(callback_data.value)), lang)


async def all_items(query: CallbackQuery, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _offer(query.message, list(catalogue.items.values()), lang)


async def typed_words(message: Message, catalogue: Catalogue, lang: Lang) -> None:
    found = find_items(catalogue, message.text or "")
    if not found:
        await message.answer(_("没有找到相关事项。请换个词试试，或者按部门查找。"), reply_markup=markup(*_ways()))
        return
    await _offer(message, found, lang)


async def item_picked(
    query: CallbackQuery, callback_data: ItemPicked, state: FSMContext, catalogue: Catalogue, lang: Lang
) -> None:
    item = catalogue.get(callback_data.code)
    await query.answer()
    if item is None or not isinstance(query.message, Message):
        return
    await state.set_state(Commit.notice)
    await state.update_data(item=item.code, answers={}, page=0)
    await show_notice_page(query.message, item, 0, lang)


def _items(
    catalogue: Catalogue, *, department: str | None = None, commitment_type: CommitmentType | None = None
) -> list[Item]:
    return [
        item
        for item in catalogue.items.values()
        if (department is None or item.department.code == department)
        and (commitment_type is None or item.commitment_type is commitment_type)
    ]


async def _offer(message: Message, items: list[Item], lang: Lang) -> None:
    rows = column(button(item.name(lang), ItemPicked(code=item.code)) for item in items[:30])
    await message.answer(
        _("找到 {count} 个事项，请选择：").format(count=len(items)), reply_markup=markup(*rows, home_row())
    )


def build() -> Router:
    """The handlers of this step, registered on a new router (one per dispatcher)."""
    router = Router(name=__name__)
    router.callback_query(Menu.filter(F.action == "new"))(new_commitment)
    router.callback_query(Menu.filter(F.action == "new_anyway"))(start_afresh)
    router.callback_query(StateFilter(Commit.item), Browse.filter(F.by == "department"))(by_department)
    router.callback_query(StateFilter(Commit.item), Browse.filter(F.by == "type"))(by_type)
    router.callback_query(StateFilter(Commit.item), Browse.filter(F.by == "all"))(all_items)
    router.message(StateFilter(Commit.item), has_text)(typed_words)
    router.callback_query(StateFilter(Commit.item), ItemPicked.filter())(item_picked)
    return router
