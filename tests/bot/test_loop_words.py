"""What the applicant reads of the loop: a rectification's deadline, a revocation's sanction, the
answer to an objection; and the objection to a credit refusal, offered where the refusal is said."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from api.services.countersign import Countersigning
from api.services.objections import resolve
from api.services.transitions import move
from api.store import LetterRecord, Objection, OutboxMessage
from bot.callbacks import LetterAction, Menu
from bot.i18n import ltr, make_i18n
from bot.notices import word
from bot.wechat.settings import WeChatSettings
from bot.wechat.templates import template_for
from forms import clock
from forms.catalogue import Catalogue, CommitmentType
from forms.i18n import gettext_for
from forms.languages import Lang
from forms.notifications import ObjectionResolved, StatusChanged
from forms.objections import Outcome
from forms.sanctions import Sanction
from forms.statuses import Actor, Status
from forms.workdays import add_working_days
from tests.bot.conftest import Chat
from tests.bot.test_faults import LISTED_ID, list_as_dishonest, listing  # noqa: F401 (a fixture)
from tests.bot.test_my_letters import first_of, signed_letter
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers

LANGS = [Lang.zh, Lang.ug, Lang.ky, Lang.ky_Arab]


def worded(payload: StatusChanged | ObjectionResolved, catalogue: Catalogue, lang: Lang) -> str:
    i18n = make_i18n()
    with i18n.context(), i18n.use_locale(lang.value):
        return word(payload, catalogue, lang).text


@pytest.mark.parametrize("lang", LANGS)
def test_a_rectification_states_its_deadline_and_a_revocation_its_sanction(catalogue: Catalogue, lang: Lang) -> None:
    rectify = StatusChanged(number="SFJ-2026-000042", item_code="SFJ-001", from_status="completed",
                            to_status="rectification_due", reason="消防通道堵塞", language=lang,
                            due_on=date(2026, 12, 18))  # fmt: skip
    text = worded(rectify, catalogue, lang)
    assert ltr("2026-12-18") in text and "消防通道堵塞" in text
    revoke = StatusChanged(number="SFJ-2026-000042", item_code="SFJ-001", from_status="completed",
                           to_status="revoked", reason="承诺不实", language=lang,
                           sanction=Sanction.no_commitment_route)  # fmt: skip
    sanction = worded(revoke, catalogue, lang)
    chinese = worded(revoke, catalogue, Lang.zh)
    assert "不再适用告知承诺制" in chinese
    if lang is not Lang.zh:  # said in the applicant's language, not left in Chinese
        assert "不再适用告知承诺制" not in sanction and "整改期限" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_the_answer_to_an_objection_is_worded_in_every_language(catalogue: Catalogue, lang: Lang) -> None:
    def answer(number: str | None, outcome: Outcome) -> str:
        return worded(
            ObjectionResolved(number=number, outcome=outcome, reason="核实属实", language=lang), catalogue, lang
        )

    texts = {(number, outcome): answer(number, outcome) for number in ("SCJG-2026-000007", None) for outcome in Outcome}
    assert len(set(texts.values())) == 4  # four different answers
    assert all("核实属实" in text for text in texts.values())
    assert ltr("SCJG-2026-000007") in texts[("SCJG-2026-000007", Outcome.upheld)]
    if lang is not Lang.zh:
        assert not any("异议" in text for text in texts.values())


async def test_a_listed_applicant_objects_to_the_refusal_and_hears_the_answer(
    chat: Chat,
    catalogue: Catalogue,
    listing: None,  # noqa: F811
) -> None:
    list_as_dishonest(chat, LISTED_ID)
    item = catalogue.get("SFJ-001")
    assert item is not None
    person = chat.person(810000077)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    typed = {**sample_answers(item, Lang.zh), "applicant.id_number": LISTED_ID}
    await answer_all(chat, person, item, typed, until="applicant.phone")
    told = chat.telegram.last_text(person.chat.id)
    assert "失信名单" in told and "异议" in told
    await chat.send(person.presses_data(Menu(action="credit_objection").pack()))
    assert "依据" in chat.telegram.last_text(person.chat.id)
    await chat.send(person.says("\u200b\u202e\u200b"))  # nothing to read once the marks are gone: asked again
    assert "1000 字以内" in chat.telegram.last_text(person.chat.id)
    await chat.send(person.says("该案件已执行完毕，\u200b法院已出具结案证明\u202c"))
    assert "异议已提交" in chat.telegram.last_text(person.chat.id)

    with Session(chat.services.write_engine) as session:
        objection = session.exec(select(Objection).where(Objection.channel_user == "810000077")).one()
        assert (objection.letter_id, objection.text) == (None, "该案件已执行完毕，法院已出具结案证明")
        assert objection.subject_masked and LISTED_ID not in objection.subject_masked
        resolve(session, objection, None, outcome=Outcome.upheld, reason="结案证明属实", actor="staff:credit")
        notice = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "objection_resolved")).one()
        assert notice.channel_user == "810000077"
    checked = await chat.api.credit_check(LISTED_ID, "resident_id")
    assert checked.eligible


async def test_my_letter_shows_the_rectification_deadline(chat: Chat, catalogue: Catalogue) -> None:
    person, letter = await signed_letter(chat, first_of(catalogue, CommitmentType.certification), 830000077)

    def checked() -> None:  # in a thread: pyHanko countersigns on a loop of its own
        with Session(chat.services.write_engine) as session:
            record = session.exec(select(LetterRecord).where(LetterRecord.id == letter.id)).one()
            for step in (Status.accepted, Status.completed):
                move(session, record, step, actor=Actor.window, actor_name="staff:t",
                     countersigning=Countersigning.of(chat.services))  # fmt: skip
            move(session, record, Status.rectification_due, actor=Actor.window, actor_name="staff:t",
                 reason="须补办手续", rectify_within=4)  # fmt: skip

    await asyncio.to_thread(checked)
    due = add_working_days(clock.today(), 4)
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="show").pack()))
    shown = chat.telegram.last_text(person.chat.id)
    assert "须限期整改" in shown and f"整改期限：{ltr(due.isoformat())} 之前" in shown


def test_an_answered_objection_travels_on_the_wechat_status_template(catalogue: Catalogue) -> None:
    settings = WeChatSettings(WECHAT_TEMPLATE_STATUS="tpl-status")
    now = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
    answer = ObjectionResolved(number=None, outcome=Outcome.rejected, reason="记录属实", language=Lang.ug)
    found = template_for(answer, settings, catalogue, now)
    assert found is not None
    template, fields = found
    assert template == "tpl-status" and fields["character_string1"] == "-" and fields["time4"] == "2026-12-07 10:30"
    assert fields["thing3"] == gettext_for(Lang.ug)("异议不成立") != "异议不成立"
    assert template_for(answer, WeChatSettings(), catalogue, now) is None
