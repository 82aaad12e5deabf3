"""Answering made easy: units said and accepted, counts whole, rules across fields named at the review."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.callbacks import Menu, Nav, Review
from forms import clock
from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.questionnaire import latest_due_on, promise_days, signer_name
from forms.workdays import is_working_day
from tests.bot.conftest import Chat
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers, sign_and_submit
from tests.forms.pdf_reading import pdf_text


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


def _day_buttons(chat: Chat, person) -> list[str]:  # type: ignore[no-untyped-def]
    markup = chat.telegram.messages(person.chat.id)[-1].reply_markup
    return [b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data.startswith("day:")]


async def _to_the_promised_date(chat: Chat, catalogue: Catalogue, person, lang: Lang, typed=None):  # type: ignore[no-untyped-def]
    item = catalogue.items["SCJG-001"]
    await choose_language(chat, person, lang)
    await open_item(chat, person, item)
    answers = sample_answers(item, lang) | (typed or {})
    await answer_all(chat, person, item, answers, until="supplement.due_on")
    assert (await chat.data(person))["step"] == "supplement.due_on"
    return item, answers


@pytest.mark.parametrize("lang", list(Lang))
async def test_a_missing_material_letter_is_signed_with_the_promised_date_chosen_by_a_button(
    chat: Chat, catalogue: Catalogue, lang: Lang
) -> None:
    person = chat.person(710000031 + list(Lang).index(lang))
    item, answers = await _to_the_promised_date(chat, catalogue, person, lang)
    days = _day_buttons(chat, person)
    latest = latest_due_on(item, clock.today())
    # in right-to-left languages each row is mirrored: the earliest day on the right, where reading starts
    days = sorted(days, key=lambda d: d.split(":", 2)[2])
    offered = [date.fromisoformat(d.split(":", 2)[2]) for d in days]
    assert offered == promise_days(item, clock.today()) and offered[-1] == latest
    assert all(is_working_day(d) for d in offered) and offered[0] > clock.today()
    await chat.send(person.presses_data(days[2]))
    data = await chat.data(person)
    assert data["answers"]["supplement.due_on"] == offered[2].isoformat()
    await answer_all(chat, person, item, answers)
    assert await chat.state(person) == "Commit:review"
    await sign_and_submit(chat, person, signer_name(item, data["answers"]))
    # after signing, one message says what to bring, by which date, to which window and when it is open
    told = next(t for t in reversed(_texts(chat, person)) if item.department.hours(lang) in t)
    assert offered[2].isoformat() in told
    assert all(c.label(lang) in told for c in item.missing_materials if c.value in answers["supplement.materials"])
    sealed = pdf_text(chat.telegram.documents(person.chat.id)[-1])
    assert offered[2].isoformat() in sealed or f"{offered[2].year}年{offered[2].month}月{offered[2].day}日" in sealed


async def test_a_promised_date_typed_with_a_uyghur_month_name(chat: Chat, catalogue: Catalogue) -> None:
    person = chat.person(710000041)
    item, _answers = await _to_the_promised_date(chat, catalogue, person, Lang.ug)
    day = promise_days(item, clock.today())[4]
    months = [
        "يانۋار",
        "فېۋرال",
        "مارت",
        "ئاپرېل",
        "ماي",
        "ئىيۇن",
        "ئىيۇل",
        "ئاۋغۇست",
        "سېنتەبىر",
        "ئۆكتەبىر",
        "نويابىر",
        "دېكابىر",
    ]
    await chat.send(person.says(f"{day.day}-{months[day.month - 1]}"))
    assert (await chat.data(person))["answers"]["supplement.due_on"] == day.isoformat()


async def test_a_promised_date_on_a_weekend_is_refused_with_the_reason(chat: Chat, catalogue: Catalogue) -> None:
    person = chat.person(710000051)
    _item, _answers = await _to_the_promised_date(chat, catalogue, person, Lang.zh)
    weekend = next(d for d in (clock.today() + timedelta(days=n) for n in range(1, 9)) if not is_working_day(d))
    await chat.send(person.says(weekend.isoformat()))
    assert "不是工作日" in "\n".join(_texts(chat, person)[-2:])
    assert (await chat.data(person))["step"] == "supplement.due_on"


async def test_a_name_typed_with_a_full_stop_is_kept_with_the_middle_dot_and_signs(
    chat: Chat, catalogue: Catalogue
) -> None:
    item = catalogue.items["SFJ-001"]
    person = chat.person(710000061)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    typed = sample_answers(item, Lang.zh) | {"applicant.name": "买买提.艾力"}
    await answer_all(chat, person, item, typed)
    answers = (await chat.data(person))["answers"]
    assert answers["applicant.name"] == "买买提·艾力"
    await sign_and_submit(chat, person, "买买提.艾力")  # signed as typed, with the full stop again
    assert "买买提·艾力" in pdf_text(chat.telegram.documents(person.chat.id)[-1])


async def test_a_new_commitment_while_one_is_half_filled_asks_first_and_can_continue(
    chat: Chat, catalogue: Catalogue
) -> None:
    item = catalogue.items["SFJ-001"]
    person = chat.person(710000071)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, Lang.zh), until="applicant.phone")
    kept = (await chat.data(person))["answers"]
    await chat.send(person.presses_data(Menu(action="new").pack()))
    assert "还没有填完" in chat.telegram.last_text(person.chat.id)
    assert (await chat.data(person))["answers"] == kept, "nothing dropped by asking"
    await chat.send(person.presses_data(Nav(action="resume").pack()))
    assert (await chat.data(person))["step"] == "applicant.phone"
    await chat.send(person.presses_data(Menu(action="new").pack()))
    await chat.send(person.presses_data(Menu(action="new_anyway").pack()))
    assert await chat.state(person) == "Commit:item" and not (await chat.data(person)).get("answers")


async def _at_the_authorisation(chat: Chat, catalogue: Catalogue, person) -> None:  # type: ignore[no-untyped-def]
    item = next(i for i in catalogue.items.values() if i.proxy_allowed)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, Lang.zh), agent=True, until="agent.authorisation")
    assert (await chat.data(person))["step"] == "agent.authorisation"


async def test_words_typed_where_a_file_is_awaited_get_what_to_send(chat: Chat, catalogue: Catalogue) -> None:
    person = chat.person(710000081)
    await _at_the_authorisation(chat, catalogue, person)
    await chat.send(person.says("我没有扫描仪"))
    told = "\n".join(_texts(chat, person)[-2:])
    assert "拍一张照片" in told and "PDF" in told and "按钮" not in told
    assert (await chat.data(person))["step"] == "agent.authorisation"


async def test_an_empty_file_gets_the_apis_own_reason(chat: Chat, catalogue: Catalogue) -> None:
    person = chat.person(710000091)
    await _at_the_authorisation(chat, catalogue, person)
    await chat.send(person.sends_document(b"", "委托书.pdf", "application/pdf"))
    told = "\n".join(_texts(chat, person)[-3:])
    assert "文件是空的" in told and "太大" not in told, told
    assert (await chat.data(person))["step"] == "agent.authorisation"
