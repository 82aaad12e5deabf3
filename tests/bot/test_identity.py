"""The applicant's document in the bot: every kind chosen by a button, the credit check for every kind,
no signature without a verdict, and letter numbers pasted back into the chat."""

from __future__ import annotations

import re

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlmodel import Session, select
from stdnum.cn import ric

from api.runtime import Services
from api.services.credit import import_list
from api.store import LetterRecord
from bot.callbacks import Review
from bot.i18n import make_i18n
from forms.catalogue import Catalogue, Item
from forms.languages import Lang
from forms.questionnaire import questions, signer_name
from forms.validation import MESSAGES, Reason
from tests.bot.conftest import Chat
from tests.bot.telegram import Person
from tests.bot.walk import answer_all, answer_current, choose_language, open_item, sample_answers, sign_and_submit


def with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


LISTED = with_check("65302219780101003")
LISTED_PASSPORT = "EA7654321"
KINDS = ["resident_id", "passport", "hk_macao_permit", "taiwan_permit", "residence_permit", "permanent_residence",
         "foreign_passport"]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def listing(api_services: Services) -> None:
    """The credit office's list: a resident ID, and a passport named as one."""
    rows = f"id_number,name,reason,listed_on,id_type\n{LISTED},马建国,x,2025-06-01,\n"
    rows += f"{LISTED_PASSPORT},王小明,x,2025-06-01,passport\n"
    with Session(api_services.write_engine) as session:
        report = import_list(session, api_services.vault, rows.encode(), batch="t", dry_run=False)
    assert report.applied, report


async def started(chat: Chat, user_id: int, lang: Lang = Lang.zh) -> tuple[Person, Item]:
    item = chat.services.catalogue.get("SFJ-001")
    assert item is not None
    person = chat.person(user_id)
    await choose_language(chat, person, lang)
    await open_item(chat, person, item)
    return person, item


def told_listed(chat: Chat, person: Person, item: Item) -> bool:
    told = chat.telegram.last_text(person.chat.id)
    return "失信名单" in told and item.proofs[0](Lang.zh) in told and "信用修复" in told


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("resident_id", f"{LISTED[:6]} {LISTED[6:14]} {LISTED[14:]}"),
        ("resident_id", f"{LISTED[:6]}-{LISTED[6:]}"),
        ("passport", "ea 765 4321"),
        ("foreign_passport", LISTED_PASSPORT.lower()),  # the same passport, called foreign
    ],
)
async def test_a_listed_document_is_turned_away_at_the_number_whatever_its_kind(
    chat: Chat, catalogue: Catalogue, kind: str, typed: str
) -> None:
    person, item = await started(chat, 840000001 + KINDS.index(kind) * 10 + len(typed))
    answers = {**sample_answers(item, Lang.zh), "applicant.id_type": kind, "applicant.id_number": typed}
    await answer_all(chat, person, item, answers, until="applicant.phone")
    assert told_listed(chat, person, item)
    assert await chat.state(person) is None


@pytest.mark.parametrize("kind", KINDS[1:])
async def test_a_resident_id_typed_as_another_kind_is_not_taken(chat: Chat, catalogue: Catalogue, kind: str) -> None:
    person, item = await started(chat, 841000001 + KINDS.index(kind))
    answers = {**sample_answers(item, Lang.zh), "applicant.id_type": kind}
    await answer_all(chat, person, item, answers, until="applicant.id_number")
    await answer_current(chat, person, item, answers, agent=False)  # "another document", then its kind
    await answer_all(chat, person, item, answers, until="applicant.id_number")
    await chat.send(person.says(LISTED))
    assert (await chat.data(person))["step"] == "applicant.id_number", "asked again"
    said = [getattr(m, "text", "") or "" for m in chat.telegram.messages(person.chat.id)[-2:]]
    assert "这一项没有通过检查" in said[0] and "证件号码" in said[1]


async def test_each_kind_is_a_button_in_the_applicants_language_and_the_hint_fits_the_kind(
    chat: Chat, catalogue: Catalogue
) -> None:
    person, item = await started(chat, 842000001, Lang.ug)
    await answer_all(chat, person, item, sample_answers(item, Lang.ug), until="applicant.id_number")
    ug = make_i18n()
    await chat.send(person.presses(ug.gettext("用其他证件（护照、港澳台居民证件等）", locale="ug")))
    assert (await chat.data(person))["step"] == "applicant.id_type"
    question = next(q for q in questions(item, {"applicant.id_type": "resident_id"}) if q.key == "applicant.id_type")
    labels = [ug.gettext(str(label), locale="ug") for _value, label in question.choices]
    assert [value for value, _label in question.choices] == KINDS
    assert all(label in person.buttons() for label in labels) and len(set(labels)) == len(KINDS)
    assert not any("护照" in label or "通行证" in label for label in labels), "translated, not Chinese"
    await chat.send(person.presses(labels[KINDS.index("hk_macao_permit")]))
    hint = ug.gettext(MESSAGES[Reason.hk_macao_permit_format], locale="ug")
    assert hint in chat.telegram.last_text(person.chat.id)
    await chat.send(person.says("h 1234 5678 01"))  # the booklet's number, as a person types it
    assert (await chat.data(person))["answers"]["applicant.id_number"] == "H12345678"


async def test_without_a_verdict_there_is_no_signature(chat: Chat, catalogue: Catalogue) -> None:
    """A conversation begun before the closed list ("other", any text): the API will not check the
    number, and the applicant is not let through to sign as they were when the check was skipped."""
    person, item = await started(chat, 843000001)
    await answer_all(chat, person, item, sample_answers(item, Lang.zh))
    key = StorageKey(bot_id=chat.bot.id, chat_id=person.chat.id, user_id=person.user.id)
    data = await chat.dispatcher.storage.get_data(key)
    answers = {**data["answers"], "applicant.id_type": "other", "applicant.id_number": "X-1"}
    await chat.dispatcher.storage.set_data(key, {**data, "answers": answers})
    documents = len(chat.telegram.documents(person.chat.id))
    await chat.send(person.presses_data(Review(action="sign").pack()))
    said = " ".join(getattr(m, "text", "") or "" for m in chat.telegram.messages(person.chat.id)[-2:])
    assert "暂时不能签名" in said
    assert await chat.state(person) != "Commit:signing"
    assert len(chat.telegram.documents(person.chat.id)) == documents, "no preview to sign"


async def test_a_letter_number_pasted_back_from_the_chat_opens_the_letter(chat: Chat, catalogue: Catalogue) -> None:
    person, item = await started(chat, 844000001, Lang.ug)
    await answer_all(chat, person, item, sample_answers(item, Lang.ug))
    await sign_and_submit(chat, person, signer_name(item, (await chat.data(person))["answers"]))
    with Session(chat.services.engine) as session:
        letter = session.exec(
            select(LetterRecord).where(
                LetterRecord.channel == "telegram", LetterRecord.channel_user == str(person.user.id)
            )
        ).one()
    told = " ".join(getattr(m, "text", "") or "" for m in chat.telegram.messages(person.chat.id))
    found = re.search(f"\u2066{re.escape(letter.number)}\u2069", told)
    assert found is not None, "the bot isolates the number: a copy carries the marks"
    copied = found.group(0)
    for typed in (copied, letter.number.lower(), letter.number.replace("-", " ")):
        await chat.send(person.says(typed))
        assert letter.number in chat.telegram.last_text(person.chat.id), typed
        assert any("PDF" in b for b in person.buttons()), typed
    stranger = chat.person(844000002)
    await choose_language(chat, stranger, Lang.zh)
    await chat.send(stranger.says(letter.number))
    assert "没有找到这份承诺书" in chat.telegram.last_text(stranger.chat.id)
