"""The agent goes through the credit check too: a listed agent commits for nobody (seed 001 三(六))."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.callbacks import Review
from bot.i18n import make_i18n
from forms.catalogue import Catalogue
from forms.languages import Lang
from tests.bot.conftest import Chat
from tests.bot.test_faults import letters_of, list_as_dishonest
from tests.bot.walk import AGENT, AGENT_ID, answer_all, choose_language, open_item, sample_answers

ITEM = "GAJ-001"  # an agent may commit for the applicant


@pytest.fixture
def listing(chat: Chat) -> Iterator[None]:
    yield
    list_as_dishonest(chat)  # an empty list again for the other tests


def _said(text: str, lang: Lang) -> str:
    return make_i18n().gettext(text, locale=lang.value)


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
async def test_a_listed_agent_is_told_at_their_id_that_they_may_not_commit_for_another(
    chat: Chat, catalogue: Catalogue, listing: None, lang: Lang
) -> None:
    list_as_dishonest(chat, AGENT_ID)
    item = catalogue.get(ITEM)
    assert item is not None
    person = chat.person(830000001 + list(Lang).index(lang))
    await choose_language(chat, person, lang)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, lang), agent=True, until="agent.phone")
    told = chat.telegram.last_text(person.chat.id)
    assert _said("代理人在失信名单上，不能代他人作出承诺。", lang) in told
    assert await chat.state(person) is None and letters_of(chat, person.user.id) == []


async def test_an_agent_listed_after_the_check_is_refused_at_submission_with_the_reason(
    chat: Chat, catalogue: Catalogue, listing: None
) -> None:
    item = catalogue.get(ITEM)
    assert item is not None
    person = chat.person(830000009)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, Lang.zh), agent=True)
    await chat.send(person.presses_data(Review(action="sign").pack()))
    await chat.send(person.says(AGENT["agent.name"]))
    list_as_dishonest(chat, AGENT_ID)  # listed between the signature and the submission
    await chat.send(person.presses_data(Review(action="confirm").pack()))
    told = chat.telegram.last_text(person.chat.id)
    assert "代理人在失信名单上，不能代他人作出承诺。" in told and "承诺人本人可以自己作出承诺" in told
    assert await chat.state(person) is None and letters_of(chat, person.user.id) == []
