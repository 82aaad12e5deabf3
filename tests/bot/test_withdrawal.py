"""Withdrawal (seed 001 三(七)) from supplemented: a reason chosen, recorded by the API, and then the
ordinary procedure: the proofs to bring, the window, its address and hours. Telegram and WeChat,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from api.runtime import Services, write_session
from api.services.countersign import Countersigning
from api.services.transitions import move
from api.store import LetterEvent, LetterRecord, OutboxMessage
from bot.callbacks import LanguageChosen, LetterAction, Withdrawal
from bot.i18n import make_i18n
from bot.notices import word
from forms.catalogue import Catalogue, CommitmentType, Item
from forms.languages import Lang
from forms.notifications import StatusChanged
from forms.statuses import Actor, Status
from tests.bot.conftest import STORES, Chat, services_on
from tests.bot.test_my_letters import first_of, signed_letter
from tests.bot.test_wechat_flow import signed_through_wechat
from tests.bot.wechat_app import WeChatChat, openid, wechat_running


@pytest.fixture(scope="module", params=STORES)
def api_services(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from services_on(request.param, tmp_path_factory)


@pytest.fixture
async def account(api_services: Services, tmp_path: Path) -> AsyncIterator[WeChatChat]:
    async with wechat_running(api_services, tmp_path, safe=True) as chat:
        yield chat


def supplemented(services: Services, letter: LetterRecord) -> None:
    """The window accepts the 容缺 letter, asks for the material, and finds it handed in."""
    with write_session(services) as session:
        record = session.get(LetterRecord, letter.id)
        assert record is not None
        for status in (Status.accepted, Status.awaiting_supplement, Status.supplemented):
            move(session, record, status, actor=Actor.window, actor_name="staff:clerk.scjg",
                 countersigning=Countersigning.of(services))  # fmt: skip


def withdrawal_event(services: Services, letter: LetterRecord) -> LetterEvent:
    with Session(services.engine) as session:
        found = select(LetterEvent).where(LetterEvent.letter_id == letter.id, LetterEvent.to_status == "withdrawn")
        return session.exec(found).one()


def guidance_of(item: Item, lang: Lang) -> list[str]:
    """What the guidance must name: every proof, and the window's place and hours."""
    department = item.department
    return [*(proof(lang) for proof in item.proofs), department.address(lang), department.hours(lang)]


async def test_a_supplemented_letter_is_withdrawn_for_a_chosen_reason_and_the_window_is_named(
    chat: Chat, catalogue: Catalogue
) -> None:
    item = first_of(catalogue, CommitmentType.missing_material)
    person, letter = await signed_letter(chat, item, 840000001)
    await asyncio.to_thread(supplemented, chat.services, letter)  # pyHanko countersigns on a loop of its own
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="show").pack()))
    assert "材料已补齐" in chat.telegram.last_text(person.chat.id)
    await chat.send(person.presses("撤回承诺"))
    assert "请选择原因" in chat.telegram.last_text(person.chat.id)
    assert {"改为按一般程序提交证明材料", "不再需要办理这一事项", "承诺书填写有误", "其他原因"} <= set(person.buttons())
    await chat.send(person.presses("改为按一般程序提交证明材料"))
    asked = chat.telegram.last_text(person.chat.id)
    assert "确定要撤回" in asked and "改为按一般程序提交证明材料" in asked
    await chat.send(person.presses("是，撤回"))

    told = chat.telegram.last_text(person.chat.id)
    assert "已撤回" in told and "一般程序" in told
    assert all(part in told for part in guidance_of(item, Lang.zh)), told
    event = withdrawal_event(chat.services, letter)
    assert (event.from_status, event.reason) == ("supplemented", "申请人撤回承诺：改为按一般程序提交证明材料")
    assert event.actor == f"applicant:telegram:{person.user.id}"


async def test_a_reason_of_ones_own_is_typed_and_read_back_in_uyghur(chat: Chat, catalogue: Catalogue) -> None:
    item = first_of(catalogue, CommitmentType.missing_material)
    person, letter = await signed_letter(chat, item, 840000002)
    await asyncio.to_thread(supplemented, chat.services, letter)  # pyHanko countersigns on a loop of its own
    await chat.send(person.presses_data(LanguageChosen(code=Lang.ug.value).pack()))
    await chat.send(person.presses_data(Withdrawal(number=letter.number, reason="other").pack()))
    assert await chat.state(person) == "MyLetters:withdrawal_reason"
    await chat.send(person.says("ئىش ئورنىمنى يۆتكىدىم"))
    await chat.send(person.presses_data(Withdrawal(number=letter.number, reason="other", confirmed=True).pack()))

    told = chat.telegram.last_text(person.chat.id)
    assert all(part in told for part in guidance_of(item, Lang.ug)), told
    assert "请携带" not in told, "worded in Uyghur, not in Chinese"
    event = withdrawal_event(chat.services, letter)
    assert event.reason == "申请人撤回承诺：ئىش ئورنىمنى يۆتكىدىم"
    # the applicant's notice of the move reads the chosen reason in their language
    with Session(chat.services.engine) as session:
        notice = session.exec(
            select(OutboxMessage).where(OutboxMessage.letter_id == letter.id).order_by(col(OutboxMessage.id).desc())
        ).first()
    assert notice is not None
    payload = StatusChanged.model_validate_json(notice.payload)
    i18n = make_i18n()
    with i18n.context(), i18n.use_locale(Lang.ug.value):
        said = word(payload, catalogue, Lang.ug).text
    assert "ئىش ئورنىمنى يۆتكىدىم" in said and "申请人撤回承诺" not in said


async def test_an_old_confirmation_button_asks_for_a_reason_instead_of_withdrawing(
    chat: Chat, catalogue: Catalogue
) -> None:
    person, letter = await signed_letter(chat, first_of(catalogue, CommitmentType.certification), 840000003)
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="withdraw_yes").pack()))
    assert "请选择原因" in chat.telegram.last_text(person.chat.id)
    with Session(chat.services.engine) as session:
        assert session.get(LetterRecord, letter.id).status == "signed"  # type: ignore[union-attr]


async def test_withdrawal_from_supplemented_through_wechat_tells_the_window_and_its_hours(
    account: WeChatChat, catalogue: Catalogue
) -> None:
    item = first_of(catalogue, CommitmentType.missing_material)
    follower = account.person(openid(840))
    letter = await signed_through_wechat(account, item, follower)
    await asyncio.to_thread(supplemented, account.services, letter)
    await account.send(follower.presses_data(LetterAction(number=letter.number, action="show").pack()))
    await account.send(follower.presses_data(LetterAction(number=letter.number, action="withdraw").pack()))
    assert "请选择原因" in follower.last()
    await account.send(follower.presses_data(Withdrawal(number=letter.number, reason="not_needed").pack()))
    assert "不再需要办理这一事项" in follower.last()
    confirm = Withdrawal(number=letter.number, reason="not_needed", confirmed=True).pack()
    await account.send(follower.presses_data(confirm))

    told = "\n".join(follower.texts()[-2:])
    assert "已撤回" in told
    assert all(part in told for part in guidance_of(item, Lang.zh)), told
    event = withdrawal_event(account.services, letter)
    assert (event.from_status, event.reason) == ("supplemented", "申请人撤回承诺：不再需要办理这一事项")
