"""What goes wrong in real life: typos, second thoughts, restarts, double taps, outages, flood limits."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session, select
from stdnum.cn import ric

from api.app import create_app
from api.services.credit import import_list
from api.store import LetterRecord
from bot.callbacks import Edit, Menu, Nav, Review
from bot.i18n import make_i18n
from forms.catalogue import Catalogue, Item
from forms.languages import Lang
from forms.questionnaire import questions, signer_name
from forms.sample import SAMPLE_ID
from tests.bot.conftest import Chat, api_client
from tests.bot.telegram import Person
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers

WRONG_IDS = ["65302219900315001", "653022199003150017", "65302219901345001X"]


def letters_of(chat: Chat, user_id: int) -> list[LetterRecord]:
    with Session(chat.services.engine) as session:
        return list(
            session.exec(
                select(LetterRecord).where(
                    LetterRecord.channel == "telegram", LetterRecord.channel_user == str(user_id)
                )
            ).all()
        )


async def to_review(
    chat: Chat, catalogue: Catalogue, user_id: int, lang: Lang = Lang.zh, code: str = "SFJ-001"
) -> tuple[Person, Item]:
    item = catalogue.get(code)
    assert item is not None
    person = chat.person(user_id)
    await choose_language(chat, person, lang)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, lang))
    return person, item


async def test_a_wrong_id_three_times_asks_again_with_the_reason_and_keeps_the_rest(
    chat: Chat, catalogue: Catalogue
) -> None:
    item = catalogue.get("SFJ-001")
    assert item is not None
    person = chat.person(810000001)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    typed = sample_answers(item, Lang.zh)
    typed["applicant.id_number"] = WRONG_IDS[0]
    await answer_all(chat, person, item, typed, until="applicant.id_number")
    reasons = []
    for wrong in WRONG_IDS:
        await chat.send(person.says(wrong))
        messages = chat.telegram.messages(person.chat.id)
        reasons.append(messages[-2].text if hasattr(messages[-2], "text") else "")
        assert "证件号码" in chat.telegram.last_text(person.chat.id), "the same question again"
        assert (await chat.data(person))["step"] == "applicant.id_number"
    assert "18 位" in reasons[0] and "校验位" in reasons[1] and "出生日期" in reasons[2]
    assert (await chat.data(person))["answers"]["applicant.name"] == typed["applicant.name"], "nothing lost"
    await chat.send(person.says(SAMPLE_ID))
    assert (await chat.data(person))["answers"]["applicant.id_number"] == SAMPLE_ID


async def test_edit_from_the_review_returns_to_the_review_with_the_new_answer(chat: Chat, catalogue: Catalogue) -> None:
    person, item = await to_review(chat, catalogue, 810000002)
    answers = (await chat.data(person))["answers"]
    phone_step = [q.key for q in questions(item, answers)].index("applicant.phone")
    await chat.send(person.presses_data(Edit(step=phone_step).pack()))
    assert "目前填写的是" in chat.telegram.last_text(person.chat.id) and "13899990000" in chat.telegram.last_text(
        person.chat.id
    )
    await chat.send(person.says("not a phone"))
    assert "手机号码" in chat.telegram.last_text(person.chat.id) and await chat.state(person) == "Commit:question"
    await chat.send(person.says("+86 139 1234 5678"))
    assert await chat.state(person) == "Commit:review"
    assert "13912345678" in chat.telegram.last_text(person.chat.id)
    assert (await chat.data(person))["answers"]["applicant.name"] == answers["applicant.name"]


async def test_back_goes_to_the_previous_question_and_keeps_its_answer(chat: Chat, catalogue: Catalogue) -> None:
    item = catalogue.get("SFJ-001")
    assert item is not None
    person = chat.person(810000003)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    await chat.send(person.says("张明华"))
    await chat.send(person.presses_data(Nav(action="back").pack()))
    assert (await chat.data(person))["step"] == "applicant.name"
    assert "张明华" in chat.telegram.last_text(person.chat.id)


async def test_a_restart_in_the_middle_loses_nothing_and_old_buttons_say_the_step_has_passed(
    chat: Chat, catalogue: Catalogue
) -> None:
    person, _item = await to_review(chat, catalogue, 810000004)
    before = await chat.data(person)
    chat.restart()  # a new dispatcher on the same conversation file, as after a deploy
    assert await chat.data(person) == before and await chat.state(person) == "Commit:review"
    await chat.send(person.presses_data(Menu(action="home").pack()))
    assert "继续填写承诺书" in person.buttons()
    await chat.send(person.presses("继续填写承诺书"))
    assert await chat.state(person) == "Commit:review"
    await chat.send(person.presses_data(Nav(action="cancel_yes").pack()))  # a button from another step
    assert "这一步已经过去了" in chat.telegram.alerts()[-1]
    assert await chat.state(person) == "Commit:review", "an old button changes nothing"


async def test_a_double_tap_on_sign_makes_one_letter(chat: Chat, catalogue: Catalogue) -> None:
    person, item = await to_review(chat, catalogue, 810000005)
    await chat.send(person.presses_data(Review(action="sign").pack()))
    await chat.send(person.says(signer_name(item, (await chat.data(person))["answers"])))
    confirm = person.presses_data(Review(action="confirm").pack())
    await asyncio.gather(chat.send(confirm), chat.send(person.presses_data(Review(action="confirm").pack())))
    await chat.send(person.presses_data(Review(action="confirm").pack()))  # and once more, later
    assert len(letters_of(chat, person.user.id)) == 1
    assert (
        sum("承诺书已签署并提交" in (getattr(m, "text", "") or "") for m in chat.telegram.messages(person.chat.id)) == 1
    )


class Switch(httpx.AsyncBaseTransport):
    """The API's transport with a switch: off, every call fails as a dead network would."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.down = inner, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("the API is down", request=request)
        return await self.inner.handle_async_request(request)


async def test_the_api_down_at_submission_the_applicant_is_told_and_a_retry_submits_once(
    chat: Chat, catalogue: Catalogue
) -> None:
    switch = Switch(httpx.ASGITransport(app=create_app(chat.services.settings, chat.services)))
    chat.api = api_client(chat.services, transport=switch)
    chat.restart()
    person, item = await to_review(chat, catalogue, 810000006)
    await chat.send(person.presses_data(Review(action="sign").pack()))
    await chat.send(person.says(signer_name(item, (await chat.data(person))["answers"])))
    switch.down = True
    await chat.send(person.presses_data(Review(action="confirm").pack()))
    assert "提交没有成功" in chat.telegram.last_text(person.chat.id) and "重新提交" in person.buttons()
    assert await chat.state(person) == "Commit:confirm" and letters_of(chat, person.user.id) == []
    kept = (await chat.data(person))["answers"]
    switch.down = False
    await chat.send(person.presses("重新提交"))
    assert len(letters_of(chat, person.user.id)) == 1
    assert letters_of(chat, person.user.id)[0].applicant_name == kept["applicant.name"]


async def test_telegram_answering_429_is_waited_out(chat: Chat, catalogue: Catalogue) -> None:
    person, item = await to_review(chat, catalogue, 810000007)
    await chat.send(person.presses_data(Review(action="sign").pack()))
    await chat.send(person.says(signer_name(item, (await chat.data(person))["answers"])))
    chat.telegram.too_many = [1]  # the next call: "Too Many Requests: retry after 1"
    sent_before = len(chat.telegram.requests)
    await chat.send(person.presses_data(Review(action="confirm").pack()))
    refused, retried = chat.telegram.requests[sent_before : sent_before + 2]
    assert refused == retried, "the refused call was made again after the wait"
    assert len(letters_of(chat, person.user.id)) == 1
    assert "承诺书已签署并提交" in "".join(getattr(m, "text", "") or "" for m in chat.telegram.messages(person.chat.id))
    assert len(chat.telegram.documents(person.chat.id)) == 2, "the preview and the sealed letter"


async def test_an_unexpected_failure_gets_an_apology_in_the_applicants_language(
    chat: Chat, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    person = chat.person(810000008)
    await choose_language(chat, person, Lang.ug)
    monkeypatch.setattr(chat.api, "letters_of", broken)
    await chat.send(person.presses_data(Menu(action="letters").pack()))
    sorry = make_i18n().gettext("抱歉，出了点问题。您填写的内容都保留着，请稍后再试。", locale="ug")
    assert chat.telegram.last_text(person.chat.id) == "\u200f" + sorry, "in Uyghur, right to left"


LISTED_ID = "65302219780101003" + ric.calc_check_digit("65302219780101003" + "0")


def list_as_dishonest(chat: Chat, *id_numbers: str) -> None:
    """Import the dishonesty list as the credit office would (the file is the whole current list)."""
    rows = "".join(f"{number},马建国,法院判决未履行,2025-06-01\n" for number in id_numbers)
    with Session(chat.services.write_engine) as session:
        report = import_list(
            session, chat.services.vault, f"id_number,name,reason,listed_on\n{rows}".encode(), batch="t", dry_run=False
        )
        session.commit()
    assert not report.problems


@pytest.fixture
def listing(chat: Chat) -> Iterator[None]:
    yield
    list_as_dishonest(chat)  # an empty list again for the other tests


async def test_a_listed_applicant_is_turned_away_at_the_id_with_the_proofs(
    chat: Chat, catalogue: Catalogue, listing: None
) -> None:
    list_as_dishonest(chat, LISTED_ID)
    item = catalogue.get("SFJ-001")
    assert item is not None
    person = chat.person(810000009)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    typed = {**sample_answers(item, Lang.zh), "applicant.id_number": LISTED_ID}
    await answer_all(chat, person, item, typed, until="applicant.phone")
    told = chat.telegram.last_text(person.chat.id)
    assert "失信名单" in told and item.proofs[0](Lang.zh) in told and "信用修复" in told
    assert await chat.state(person) is None and letters_of(chat, person.user.id) == []


async def test_listed_between_the_check_and_the_signature_the_submission_turns_them_away(
    chat: Chat, catalogue: Catalogue, listing: None
) -> None:
    person, item = await to_review(chat, catalogue, 810000010)
    await chat.send(person.presses_data(Review(action="sign").pack()))
    await chat.send(person.says(signer_name(item, (await chat.data(person))["answers"])))
    list_as_dishonest(chat, SAMPLE_ID)
    await chat.send(person.presses_data(Review(action="confirm").pack()))
    told = chat.telegram.last_text(person.chat.id)
    assert "失信名单" in told and item.proofs[0](Lang.zh) in told
    assert await chat.state(person) is None and letters_of(chat, person.user.id) == []


async def test_a_full_disk_at_submission_is_said_in_the_applicants_language_and_a_retry_submits_once(
    chat: Chat, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API answers 507 storage.full: the applicant is told so in Uyghur, with nothing lost and
    no number given; "submit again" once there is room gives the one letter."""

    def ug(text: str) -> str:
        return make_i18n().gettext(text, locale="ug")

    def no_space(*_: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    person, item = await to_review(chat, catalogue, 810000011, Lang.ug)
    await chat.send(person.presses_data(Review(action="sign").pack()))
    await chat.send(person.says(signer_name(item, (await chat.data(person))["answers"])))
    with monkeypatch.context() as full:
        full.setattr(chat.services.pdfs, "write", no_space)
        await chat.send(person.presses_data(Review(action="confirm").pack()))
    told = chat.telegram.last_text(person.chat.id)
    assert ug("提交没有成功：服务器的存储空间已满。您填写的内容都已保存，请稍后点“重新提交”。") in told
    assert ug("重新提交") in person.buttons() and await chat.state(person) == "Commit:confirm"
    await chat.send(person.presses(ug("重新提交")))
    assert len(letters_of(chat, person.user.id)) == 1
    assert len(chat.telegram.documents(person.chat.id)) == 2, "the preview and the sealed letter"
