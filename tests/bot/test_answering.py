"""Answering made easy: units said and accepted, counts whole, rules across fields named at the review."""

from __future__ import annotations

import pytest

from bot.callbacks import Review
from forms.catalogue import Catalogue
from forms.languages import Lang
from tests.bot.conftest import Chat
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers


def _texts(chat: Chat, person) -> list[str]:  # type: ignore[no-untyped-def]
    return [getattr(m, "text", None) or "" for m in chat.telegram.messages(person.chat.id)]


@pytest.mark.parametrize(("lang", "unit", "typed"), [(Lang.zh, "单位：亩", "1200亩"), (Lang.ug, "مو", "1200 مو")])
async def test_an_area_question_says_its_unit_and_takes_it_typed_after_the_number(
    chat: Chat, catalogue: Catalogue, lang: Lang, unit: str, typed: str
) -> None:
    item = catalogue.items["NYJ-001"]
    person = chat.person(710000001 + list(Lang).index(lang))
    await choose_language(chat, person, lang)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, lang), until="answers.contracted_area")
    assert unit in chat.telegram.last_text(person.chat.id)
    await chat.send(person.says(typed))
    data = await chat.data(person)
    assert data["answers"]["answers.contracted_area"] == "1200"
    assert data["step"] == "answers.ban_area", "accepted: the next question"


async def test_a_count_of_people_refuses_a_fraction_and_stays_on_the_step(chat: Chat, catalogue: Catalogue) -> None:
    item = catalogue.items["SFJ-001"]
    person = chat.person(710000011)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, Lang.zh), until="answers.household_size")
    await chat.send(person.says("3.5"))
    assert any("整数" in text for text in _texts(chat, person)[-2:])
    assert (await chat.data(person))["step"] == "answers.household_size"
    await chat.send(person.says("3人"))
    assert (await chat.data(person))["answers"]["answers.household_size"] == "3"


async def test_parts_larger_than_the_whole_are_named_at_the_review_and_signing_waits(
    chat: Chat, catalogue: Catalogue
) -> None:
    item = catalogue.items["NYJ-001"]
    person = chat.person(710000021)
    await choose_language(chat, person, Lang.ug)
    await open_item(chat, person, item)
    typed = sample_answers(item, Lang.ug) | {
        "answers.contracted_area": "1000",
        "answers.ban_area": "700",
        "answers.balance_area": "400",
    }
    await answer_all(chat, person, item, typed)
    assert await chat.state(person) == "Commit:review"
    review = chat.telegram.last_text(person.chat.id)
    assert "ئۆزگەرتىش كېرەك" in review and "يىغىندىسى «ھۆددىگە ئالغان ئوتلاقنىڭ ئومۇمىي كۆلىمى»" in review, review
    buttons = [b.callback_data for row in chat.telegram.messages(person.chat.id)[-1].reply_markup.inline_keyboard
               for b in row]  # fmt: skip
    assert Review(action="sign").pack() not in buttons, "no signing while the areas do not add up"
    await chat.send(person.presses_data(Review(action="sign").pack()))  # an older review's button
    assert await chat.state(person) == "Commit:review"
    assert not chat.telegram.documents(person.chat.id), "no preview was made"
