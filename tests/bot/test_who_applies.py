"""Who applies comes first: the applicant themself, or an agent, who then gives their own name and ID
before the applicant's (asked about "the applicant", not "you"), and may download a 授权委托书 to sign."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.callbacks import Nav
from bot.i18n import make_i18n
from forms.catalogue import Catalogue, Item
from forms.languages import Lang
from forms.sample import SAMPLE_ID
from tests.bot.conftest import Chat
from tests.bot.telegram import Person
from tests.bot.test_faults import list_as_dishonest
from tests.bot.walk import answer_all, answer_current, choose_language, open_item, sample_answers
from tests.forms.pdf_reading import pdf_text

ITEM = "NYJ-001"  # a herder may send someone to commit for them


def _said(text: str, lang: Lang) -> str:
    return make_i18n().gettext(text, locale=lang.value)


async def _opened(chat: Chat, catalogue: Catalogue, user_id: int, lang: Lang, code: str = ITEM) -> tuple[Person, Item]:
    item = catalogue.get(code)
    assert item is not None
    person = chat.person(user_id)
    await choose_language(chat, person, lang)
    await open_item(chat, person, item)
    return person, item


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
async def test_the_first_question_is_who_applies_before_any_name(chat: Chat, catalogue: Catalogue, lang: Lang) -> None:
    person, _item = await _opened(chat, catalogue, 880000001 + list(Lang).index(lang), lang)
    assert (await chat.data(person))["step"] == "agent.present"
    asked = chat.telegram.last_text(person.chat.id)
    assert _said("这项承诺由谁来办理？", lang) in asked and "1 / " not in asked
    assert _said("我自己办理", lang) in person.buttons() and _said("替别人办理（我是代理人）", lang) in person.buttons()
    if lang is Lang.ug:
        assert not any("办理" in b for b in person.buttons()), "translated"


async def test_an_item_without_agents_starts_with_the_name_worded_for_the_applicant(
    chat: Chat, catalogue: Catalogue
) -> None:
    person, item = await _opened(chat, catalogue, 880000011, Lang.zh, "SFJ-001")
    assert not item.proxy_allowed
    assert (await chat.data(person))["step"] == "applicant.name"
    asked = chat.telegram.last_text(person.chat.id)
    assert "请输入您的姓名" in asked and "身份证上是汉字就写汉字" in asked, "in which script: as on the ID"


async def _steps_and_texts(chat: Chat, person: Person, item: Item, lang: Lang) -> list[tuple[str, str]]:
    """Each question the agent is asked, by key, with what the bot said."""
    typed = sample_answers(item, lang)
    seen: list[tuple[str, str]] = []
    before = 0
    while await chat.state(person) == "Commit:question":
        step = (await chat.data(person))["step"]
        said = [getattr(m, "text", "") or "" for m in chat.telegram.messages(person.chat.id)]
        seen.append((step, "\n".join(said[before:])))  # the question, and what the credit check said beside it
        before = len(said)
        await answer_current(chat, person, item, typed, agent=True)
    return seen


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
async def test_an_agent_gives_their_own_name_first_and_is_asked_about_the_applicant_in_the_third_person(
    chat: Chat, catalogue: Catalogue, lang: Lang
) -> None:
    list_as_dishonest(chat)  # a list imported, nobody on it: the committing party's clean record can be told
    person, item = await _opened(chat, catalogue, 880000021 + list(Lang).index(lang), lang)
    seen = await _steps_and_texts(chat, person, item, lang)
    steps = [step for step, _text in seen]
    assert steps[:8] == [
        "agent.present", "agent.name", "agent.id_number", "agent.phone",
        "applicant.name", "applicant.id_number", "applicant.phone", "agent.authorisation",
    ]  # fmt: skip
    texts = dict(seen)
    assert _said("请输入您（代理人）本人的姓名，与居民身份证上印的一致。", lang) in texts["agent.name"]
    applicant = _said("请输入申请人（委托人）的姓名，与其证件上印的一致。", lang)
    assert applicant in texts["applicant.name"]
    assert _said("照证件上印的文字写：身份证上是汉字就写汉字，不要自己翻译或音译。", lang) in texts["applicant.name"]
    assert _said("请输入您的姓名，与证件上印的一致。", lang) not in texts["applicant.name"], "not 'your name'"
    assert _said("请输入申请人（委托人）的证件号码。", lang) in texts["applicant.id_number"]
    assert _said("请输入申请人（委托人）的手机号码，窗口会用它联系申请人。", lang) in texts["applicant.phone"]
    green = _said(
        "信用核查：承诺人连续三年没有失信记录，符合“绿色通道”条件。窗口受理时会看到这一结果，可以依规优先办理。", lang
    )
    assert green in texts["applicant.phone"], "the applicant's record, not the agent's"
    assert await chat.state(person) == "Commit:review"
    answers = (await chat.data(person))["answers"]
    assert answers["agent.present"] == "yes" and answers["applicant.id_number"] == SAMPLE_ID


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
async def test_the_authorisation_template_downloads_with_the_item_named_in_both_languages(
    chat: Chat, catalogue: Catalogue, lang: Lang
) -> None:
    person, item = await _opened(chat, catalogue, 880000031 + list(Lang).index(lang), lang)
    await answer_all(chat, person, item, sample_answers(item, lang), agent=True, until="agent.authorisation")
    await chat.send(person.presses(_said("下载授权委托书模板", lang)))
    template = pdf_text(chat.telegram.documents(person.chat.id)[-1])
    flat = " ".join(template.split())
    for expected in ("授权委托书", item.name(Lang.zh), "代为作出信用承诺并签署承诺书", "委托人（签名或盖章）"):
        assert expected in flat, expected
    if lang is Lang.ug:
        for words in (_said("授权委托书", lang), _said("委托人（申请人）", lang), _said("委托期限", lang)):
            assert all(word in flat for word in words.split()), words
        assert all(word in flat for word in item.name(lang).split())
    else:
        assert "ھاۋالەنامە" not in flat
    assert (await chat.data(person))["step"] == "agent.authorisation", "still waiting for the signed one"


async def test_a_draft_begun_before_who_applies_came_first_goes_on_from_its_step(
    chat: Chat, catalogue: Catalogue
) -> None:
    """A conversation stored by the earlier order (the applicant first, the agent question later, the
    kind of document asked) goes on at the same question, and asks who applies when it comes to it."""
    person, item = await _opened(chat, catalogue, 880000041, Lang.zh)
    typed = sample_answers(item, Lang.zh)
    key = StorageKey(bot_id=chat.bot.id, chat_id=person.chat.id, user_id=person.user.id)
    data = await chat.dispatcher.storage.get_data(key)
    answers = {k: typed[k] for k in ("applicant.name", "applicant.id_type", "applicant.id_number")}
    await chat.dispatcher.storage.set_data(key, {**data, "answers": answers, "step": "applicant.phone"})
    await chat.send(person.presses_data(Nav(action="resume").pack()))
    assert "请输入手机号码" in chat.telegram.last_text(person.chat.id)
    await chat.send(person.says(str(typed["applicant.phone"])))
    assert (await chat.data(person))["step"] == "agent.present", "who applies, not yet answered"
    await chat.dispatcher.storage.set_data(key, {**(await chat.data(person)), "step": "gone.question"})
    await chat.send(person.presses_data(Nav(action="resume").pack()))
    assert (await chat.data(person))["step"] == "agent.present", "a step no longer asked: the first open one"


async def test_the_template_is_refused_with_a_reason_for_an_unknown_item_or_one_without_agents(chat: Chat) -> None:
    from bot.client import ApiRefused

    for code, status, reason in (("XX-999", 404, "item.unknown"), ("SFJ-001", 409, "item.no_agent")):
        with pytest.raises(ApiRefused) as refused:
            await chat.api.authorisation_template(code, "ug")
        assert (refused.value.status, refused.value.code) == (status, reason)
    with pytest.raises(ApiRefused) as refused:
        await chat.api.authorisation_template(ITEM, "fr")
    assert refused.value.status == 422
