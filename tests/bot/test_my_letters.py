"""After signing: the applicant's letters, their PDF and history, withdrawal, missing material, objections."""

from __future__ import annotations

import asyncio
import io

from pyhanko.pdf_utils.reader import PdfFileReader
from sqlmodel import Session, select

from api.runtime import write_session
from api.services.countersign import Countersigning
from api.services.transitions import move
from api.store import LetterEvent, LetterRecord
from bot.callbacks import LetterAction, Menu, Nav, Withdrawal
from forms.catalogue import Catalogue, CommitmentType, Item
from forms.countersign import COUNTERSIGN_FIELD
from forms.languages import Lang
from forms.questionnaire import signer_name
from forms.seal import SEAL_FIELD
from forms.statuses import Actor, Status
from tests.bot.conftest import Chat
from tests.bot.telegram import Person
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers, sign_and_submit

PHOTO = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + b"\x00" * 64  # a JPEG's first bytes


async def signed_letter(chat: Chat, item: Item, user_id: int) -> tuple[Person, LetterRecord]:
    person = chat.person(user_id)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, Lang.zh))
    await sign_and_submit(chat, person, signer_name(item, (await chat.data(person))["answers"]))
    with Session(chat.services.engine) as session:
        letter = session.exec(
            select(LetterRecord).where(LetterRecord.channel == "telegram", LetterRecord.channel_user == str(user_id))
        ).one()
    return person, letter


def first_of(catalogue: Catalogue, kind: CommitmentType, *, public: bool | None = None) -> Item:
    return next(
        item for item in catalogue.items.values()
        if item.commitment_type is kind and (public is None or item.notice.disclosure.public is public)
    )  # fmt: skip


def events(chat: Chat, letter: LetterRecord) -> list[LetterEvent]:
    with Session(chat.services.engine) as session:
        return list(session.exec(select(LetterEvent).where(LetterEvent.letter_id == letter.id)).all())


async def test_my_letters_lists_statuses_and_sends_the_pdf(chat: Chat, catalogue: Catalogue) -> None:
    person, letter = await signed_letter(chat, first_of(catalogue, CommitmentType.certification), 830000001)
    await chat.send(person.presses_data(Menu(action="letters").pack()))
    assert letter.number in chat.telegram.last_text(person.chat.id)
    assert "已签署，等待窗口受理" in chat.telegram.last_text(person.chat.id)
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="show").pack()))
    assert "撤回承诺" in person.buttons()
    before = len(chat.telegram.documents(person.chat.id))
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="pdf").pack()))
    assert len(chat.telegram.documents(person.chat.id)) == before + 1
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="events").pack()))
    assert "办理记录" in chat.telegram.last_text(person.chat.id)


async def test_after_acceptance_the_pdf_is_the_countersigned_copy(chat: Chat, catalogue: Catalogue) -> None:
    person, letter = await signed_letter(chat, first_of(catalogue, CommitmentType.certification), 830000009)
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="pdf").pack()))
    signed_copy = chat.telegram.documents(person.chat.id)[-1]
    await asyncio.to_thread(_accept, chat, letter)  # pyHanko signs with a loop of its own: not on this one
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="pdf").pack()))
    countersigned = chat.telegram.documents(person.chat.id)[-1]
    assert countersigned.startswith(signed_copy) and countersigned != signed_copy
    fields = [s.field_name for s in PdfFileReader(io.BytesIO(countersigned)).embedded_signatures]
    assert fields == [SEAL_FIELD, COUNTERSIGN_FIELD]


def _accept(chat: Chat, letter: LetterRecord) -> None:
    """A clerk accepts: the department countersigns."""
    with write_session(chat.services) as session:
        record = session.exec(select(LetterRecord).where(LetterRecord.id == letter.id)).one()
        move(session, record, Status.accepted, actor=Actor.window, actor_name="staff:clerk",
             countersigning=Countersigning.of(chat.services))  # fmt: skip


async def test_withdrawal_is_confirmed_then_done(chat: Chat, catalogue: Catalogue) -> None:
    person, letter = await signed_letter(chat, first_of(catalogue, CommitmentType.certification), 830000002)
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="withdraw").pack()))
    await chat.send(person.presses("承诺书填写有误"))
    assert "确定要撤回" in chat.telegram.last_text(person.chat.id)
    await chat.send(person.presses("是，撤回"))
    assert "已撤回" in chat.telegram.last_text(person.chat.id)
    with Session(chat.services.engine) as session:
        assert session.get(LetterRecord, letter.id).status == "withdrawn"  # type: ignore[union-attr]


async def test_someone_elses_letter_is_not_shown(chat: Chat, catalogue: Catalogue) -> None:
    _owner, letter = await signed_letter(chat, first_of(catalogue, CommitmentType.certification), 830000003)
    stranger = chat.person(830000004)
    await choose_language(chat, stranger, Lang.zh)
    await chat.send(stranger.presses_data(LetterAction(number=letter.number, action="show").pack()))
    assert "没有找到这份承诺书" in chat.telegram.last_text(stranger.chat.id)
    await chat.send(stranger.presses_data(Withdrawal(number=letter.number, reason="mistake", confirmed=True).pack()))
    with Session(chat.services.engine) as session:
        assert session.get(LetterRecord, letter.id).status == "signed"  # type: ignore[union-attr]


async def test_missing_material_is_handed_in_as_photos(chat: Chat, catalogue: Catalogue) -> None:
    person, letter = await signed_letter(chat, first_of(catalogue, CommitmentType.missing_material), 830000005)
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="show").pack()))
    assert "补交材料" in person.buttons()
    await chat.send(person.presses("补交材料"))
    await chat.send(person.sends_photo(PHOTO))
    assert "已收到 1 份" in chat.telegram.last_text(person.chat.id)
    await chat.send(person.presses_data(Nav(action="done").pack()))
    assert "补交的材料已提交" in chat.telegram.last_text(person.chat.id)
    assert any("补正材料" in event.reason for event in events(chat, letter))


async def test_an_objection_to_published_information_is_recorded(chat: Chat, catalogue: Catalogue) -> None:
    person, letter = await signed_letter(chat, first_of(catalogue, CommitmentType.proactive, public=True), 830000006)
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="object").pack()))
    await chat.send(person.says("公示的店名写错了，应为“天山餐厅”。"))
    assert "异议已提交" in chat.telegram.last_text(person.chat.id)
    assert any("异议" in event.reason for event in events(chat, letter))
