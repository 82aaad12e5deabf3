"""The green-channel sentence: said on the API's verdict of three years without a record, and only then."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiogram.methods import SendMessage
from stdnum.cn import ric

from bot.credit import green_channel_note
from bot.i18n import make_i18n
from forms.catalogue import Catalogue
from forms.credit import Eligibility
from forms.languages import Lang
from tests.bot.conftest import Chat
from tests.bot.telegram import Person
from tests.bot.test_faults import list_as_dishonest
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers

# numbers of their own: a record repaired here would take the shared sample number out of the green channel
GREEN_ID = "65302219900101031" + ric.calc_check_digit("65302219900101031" + "0")
AGENTS_PARTY_ID = "65302219900101055" + ric.calc_check_digit("65302219900101055" + "0")
REPAIRED_ID = "65302219900101047" + ric.calc_check_digit("65302219900101047" + "0")
SENTENCES = (
    "信用核查：您连续三年没有失信记录，符合“绿色通道”条件。窗口受理时会看到这一结果，可以依规优先为您办理。",
    "信用核查：承诺人连续三年没有失信记录，符合“绿色通道”条件。窗口受理时会看到这一结果，可以依规优先办理。",
)


@pytest.fixture(autouse=True)
def a_list_imported(chat: Chat) -> None:
    """The credit office has imported its list (here nobody is on it): only then can three clean years be told."""
    list_as_dishonest(chat)


@pytest.fixture
def listing(chat: Chat) -> Iterator[None]:
    yield
    list_as_dishonest(chat)  # an empty list again for the other tests


def _said(chat: Chat, person: Person, lang: Lang) -> list[str]:
    green = [make_i18n().gettext(s, locale=lang.value) for s in SENTENCES]
    texts = [m.text for m in chat.telegram.messages(person.chat.id) if isinstance(m, SendMessage)]
    return [g for text in texts for g in green if g in text]


async def _to_the_phone(
    chat: Chat, catalogue: Catalogue, user: int, number: str, lang: Lang, code: str = "SFJ-001", *, agent: bool = False
) -> Person:
    item = catalogue.items[code]
    person = chat.person(user)
    await choose_language(chat, person, lang)
    await open_item(chat, person, item)
    typed = sample_answers(item, lang) | {"applicant.id_number": number}
    await answer_all(chat, person, item, typed, agent=agent, until="applicant.phone")
    return person


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
async def test_three_years_without_a_record_hears_the_green_channel_and_what_it_changes(
    chat: Chat, catalogue: Catalogue, lang: Lang
) -> None:
    person = await _to_the_phone(chat, catalogue, 790000001 + list(Lang).index(lang), GREEN_ID, lang)
    said = _said(chat, person, lang)
    assert said == [make_i18n().gettext(SENTENCES[0], locale=lang.value)], "once, to the applicant themselves"
    assert lang is Lang.zh or said[0] != SENTENCES[0], "in the applicant's language"


async def test_where_an_agent_may_be_reading_the_green_channel_is_the_committing_partys(
    chat: Chat, catalogue: Catalogue
) -> None:
    assert catalogue.items["GAJ-001"].proxy_allowed
    # an agent acts (asked before or after the party's number: either way the agent may be reading)
    person = await _to_the_phone(chat, catalogue, 790000021, AGENTS_PARTY_ID, Lang.zh, code="GAJ-001", agent=True)
    assert _said(chat, person, Lang.zh) == [SENTENCES[1]], "承诺人, not 您: the agent has not been checked here"


async def test_a_record_repaired_within_three_years_is_eligible_but_hears_no_green_channel(
    chat: Chat, catalogue: Catalogue, listing: None
) -> None:
    list_as_dishonest(chat, REPAIRED_ID)
    list_as_dishonest(chat)  # taken off the list today: repaired, so eligible, but not three clean years
    person = await _to_the_phone(chat, catalogue, 790000011, REPAIRED_ID, Lang.zh)
    assert await chat.state(person) == "Commit:question", "eligible: the questions go on"
    assert _said(chat, person, Lang.zh) == []


def test_only_the_green_channel_verdict_is_worded() -> None:
    i18n = make_i18n()
    with i18n.context(), i18n.use_locale(Lang.zh.value):
        _only_green_worded()


def _only_green_worded() -> None:
    assert green_channel_note(Eligibility.green_channel, agent_acts=False) == SENTENCES[0]
    assert green_channel_note(Eligibility.green_channel, agent_acts=True) == SENTENCES[1], "the party, not the agent"
    for verdict in (*(v for v in Eligibility if v is not Eligibility.green_channel), "unchecked", "unknown"):
        assert green_channel_note(verdict, agent_acts=False) is None, verdict
