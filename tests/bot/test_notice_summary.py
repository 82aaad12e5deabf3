"""The notice opens with its summary; the full text is one tap away and is what the applicant confirms."""

from __future__ import annotations

import pytest
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup

from bot.callbacks import Decision, ItemPicked, Menu, NoticePage
from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.questionnaire import signer_name
from tests.bot.conftest import Chat
from tests.bot.telegram import Person
from tests.bot.walk import answer_all, choose_language, read_notice_and_commit, sample_answers, sign_and_submit


def _last(chat: Chat, person: Person) -> tuple[str, list[list[str]]]:
    sent = chat.telegram.messages(person.chat.id)[-1]
    assert isinstance(sent, SendMessage)
    markup = sent.reply_markup
    rows = (
        [[b.callback_data or "" for b in row] for row in markup.inline_keyboard]
        if isinstance(markup, InlineKeyboardMarkup)
        else []
    )
    return sent.text, rows


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
async def test_the_summary_comes_first_the_full_notice_is_one_tap_away_and_the_letter_is_signed(
    chat: Chat, catalogue: Catalogue, lang: Lang
) -> None:
    item = catalogue.items["SFJ-001"]
    person = chat.person(780000001 + list(Lang).index(lang))
    await choose_language(chat, person, lang)
    await chat.send(person.presses_data(Menu(action="new").pack()))
    await chat.send(person.presses_data(ItemPicked(code=item.code).pack()))

    text, rows = _last(chat, person)
    assert all(line(lang) in text for line in item.summary), "every line of the summary, in the applicant's language"
    assert item.notice.legal_basis(lang) not in text, "the summary, not yet the notice"
    assert rows[0] == [NoticePage(page=1).pack()], "the full text is the first button, alone on its row"
    confirmations = {Decision(choice=c).pack() for c in ("read", "read_commit", "read_proof")}
    assert all(not confirmations & set(row) for row in rows), "nothing is confirmed from the summary"

    await chat.send(person.presses_data(NoticePage(page=1).pack()))
    text, rows = _last(chat, person)
    assert item.notice.legal_basis(lang) in text, "one tap: the full notice"
    assert [NoticePage(page=0).pack()] in rows, "and back to the summary"

    await read_notice_and_commit(chat, person)
    await answer_all(chat, person, item, sample_answers(item, lang))
    assert await chat.state(person) == "Commit:review"
    await sign_and_submit(chat, person, signer_name(item, (await chat.data(person))["answers"]))
    assert len(chat.telegram.documents(person.chat.id)) == 2, "a preview, then the sealed letter"
    assert await chat.state(person) is None


async def test_understood_is_not_taken_before_the_full_notice_was_shown_to_its_end(
    chat: Chat, catalogue: Catalogue
) -> None:
    item = catalogue.items["NYJ-001"]
    person = chat.person(780000011)
    await choose_language(chat, person, Lang.ug)
    await chat.send(person.presses_data(Menu(action="new").pack()))
    await chat.send(person.presses_data(ItemPicked(code=item.code).pack()))
    await chat.send(person.presses_data(Decision(choice="read").pack()))  # an old or forged button
    assert await chat.state(person) == "Commit:notice"
    text, _rows = _last(chat, person)
    assert item.notice.legal_basis(Lang.ug) in text, "sent to the full notice instead"

    await read_notice_and_commit(chat, person)
    assert await chat.state(person) == "Commit:question", "read to its end, confirmed, committing"


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
async def test_choosing_by_type_says_what_each_type_means(chat: Chat, catalogue: Catalogue, lang: Lang) -> None:
    from bot.callbacks import Browse
    from bot.labels import TYPES_EXPLAINED
    from forms.i18n import gettext_for

    person = chat.person(780000021 + list(Lang).index(lang))
    await choose_language(chat, person, lang)
    await chat.send(person.presses_data(Menu(action="new").pack()))
    await chat.send(person.presses_data(Browse(by="type").pack()))
    text, rows = _last(chat, person)
    listed = {item.commitment_type for item in catalogue.items.values()}
    assert len(rows) - 1 == len(listed), "a button per type, then home"
    _ = gettext_for(lang)
    for commitment_type in listed:
        explained = _(TYPES_EXPLAINED[commitment_type])
        assert explained in text, commitment_type
        assert lang is Lang.zh or explained != TYPES_EXPLAINED[commitment_type], "translated"
