"""Buttons for readers of right-to-left scripts: nothing that moves under a thumb going forward."""

from __future__ import annotations

from bot.callbacks import Decision, ItemPicked, Menu, NoticePage
from forms.catalogue import Catalogue
from forms.languages import Lang
from tests.bot.conftest import Chat
from tests.bot.walk import choose_language


def _rows(chat: Chat, person) -> list[list[str]]:  # type: ignore[no-untyped-def]
    markup = chat.telegram.messages(person.chat.id)[-1].reply_markup
    return [[b.callback_data or "" for b in row] for row in markup.inline_keyboard]


async def test_next_page_keeps_its_place_on_every_notice_page_in_uyghur(chat: Chat, catalogue: Catalogue) -> None:
    item = max(catalogue.items.values(), key=lambda i: len(i.notice.model_dump_json()))  # the longest notice
    person = chat.person(720000001)
    await choose_language(chat, person, Lang.ug)
    await chat.send(person.presses_data(Menu(action="new").pack()))
    await chat.send(person.presses_data(ItemPicked(code=item.code).pack()))
    page = 0
    while [Decision(choice="read_commit").pack()] not in _rows(chat, person):
        rows = _rows(chat, person)
        assert rows[0] == [NoticePage(page=page + 1).pack()], f"page {page + 1}: next is alone on the first row"
        if page > 0:
            assert [NoticePage(page=page - 1).pack()] in rows[1:], "previous has a row of its own, below"
        page += 1
        await chat.send(person.presses_data(NoticePage(page=page).pack()))
        assert page < 20
    assert page >= 2, "the notice had a middle page, with both buttons"
