"""Re-commitment (seed 000 三(二)) in the bot: my letters → a letter → "name or legal representative
changed" → the same item again, filled in where nothing changed; signing it supersedes the old
letter, the applicant is told, and the window sees both letters linked. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from api.runtime import Services
from api.store import LetterEvent, LetterRecord, OutboxMessage
from bot.callbacks import LetterAction
from bot.i18n import ltr, make_i18n
from bot.notices import word
from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.notifications import StatusChanged
from forms.sample import SAMPLE_CODE
from tests.api.staffing import make_staff
from tests.api.test_sessions import _browser, log_in
from tests.bot.conftest import STORES, Chat, services_on
from tests.bot.test_my_letters import signed_letter
from tests.bot.test_wechat_flow import signed_through_wechat
from tests.bot.walk import answer_all, read_notice_and_commit, sample_answers, sign_and_submit
from tests.bot.wechat_app import WeChatChat, openid, wechat_running
from tests.forms.pdf_reading import pdf_text

NEW_NAME = "阿合奇县天山新商贸有限公司"


@pytest.fixture(scope="module", params=STORES)
def api_services(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from services_on(request.param, tmp_path_factory)


def texts(chat: Chat, chat_id: int) -> list[str]:
    return [getattr(m, "text", None) or "" for m in chat.telegram.messages(chat_id)]


async def test_a_new_name_makes_a_new_letter_that_supersedes_the_old_one(chat: Chat, catalogue: Catalogue) -> None:
    item = catalogue.items["SCJG-002"]  # an enterprise's letter
    person, old = await signed_letter(chat, item, 850000001)
    await chat.send(person.presses_data(LetterAction(number=old.number, action="show").pack()))
    await chat.send(person.presses("名称或法定代表人变更"))
    assert any(old.number in text and "原名称" in text for text in texts(chat, person.chat.id)[-2:])
    await read_notice_and_commit(chat, person)

    data = await chat.data(person)
    assert data["step"] == "applicant.name", "the name is asked first: it is what changed"
    carried = data["answers"]
    assert carried["applicant.id_number"] == SAMPLE_CODE and carried["applicant.kind"] == "company"
    assert any(key.startswith("answers.") for key in carried), "the item's own answers carry over"
    typed = sample_answers(item, Lang.zh) | {"applicant.name": NEW_NAME}
    await answer_all(chat, person, item, typed)
    assert await chat.state(person) == "Commit:review"
    await sign_and_submit(chat, person, str(typed["applicant.legal_representative"]))

    with Session(chat.services.engine) as session:
        new = session.exec(select(LetterRecord).where(LetterRecord.replaces == old.number)).one()
        before = session.get(LetterRecord, old.id)
        assert before is not None
        moved = session.exec(
            select(LetterEvent).where(LetterEvent.letter_id == old.id).order_by(col(LetterEvent.id).desc())
        ).first()
    assert new.applicant_name == NEW_NAME and new.status == "signed"
    assert before.status == "superseded"
    assert moved is not None and moved.actor == "system" and new.number in moved.reason
    told = texts(chat, person.chat.id)
    assert any(new.number in text and old.number in text and "取代" in text for text in told), told[-3:]
    sealed = pdf_text(chat.telegram.documents(person.chat.id)[-1])
    assert NEW_NAME in sealed and old.number in sealed, "the new letter says which one it replaces"

    await chat.send(person.presses_data(LetterAction(number=new.number, action="show").pack()))
    assert f"取代了原承诺书：{ltr(old.number)}" in chat.telegram.last_text(person.chat.id)

    # the old letter's notice says, in the applicant's language, which letter took its place
    with Session(chat.services.engine) as session:
        notices = session.exec(select(OutboxMessage).where(OutboxMessage.letter_id == old.id)).all()
    [notice] = [StatusChanged.model_validate_json(n.payload) for n in notices if "superseded" in n.payload]
    i18n = make_i18n()
    with i18n.context(), i18n.use_locale(Lang.ky.value):
        said = word(notice, catalogue, Lang.ky).text
    assert new.number in said and "取代" not in said and "алмаштырылды" in said, said

    # the window sees both, each linking to the other
    username, password = make_staff(chat.services, departments=(item.department.code,))
    async with _browser(chat.services) as browser:
        await log_in(browser, username, password)
        new_page = await browser.get(f"/letters/{new.number}")
        old_page = await browser.get(f"/letters/{old.number}")
    assert new_page.status_code == 200 and f'href="/letters/{old.number}"' in new_page.text
    assert old_page.status_code == 200 and f'href="/letters/{new.number}"' in old_page.text


async def test_unchanged_names_are_sent_back_to_the_review(chat: Chat, catalogue: Catalogue) -> None:
    item = catalogue.items["SCJG-002"]
    person, old = await signed_letter(chat, item, 850000002)
    await chat.send(person.presses_data(LetterAction(number=old.number, action="renew").pack()))
    await read_notice_and_commit(chat, person)
    typed = sample_answers(item, Lang.zh)  # the same name and legal representative again
    await answer_all(chat, person, item, typed)
    await sign_and_submit(chat, person, str(typed["applicant.legal_representative"]))
    assert any("都没有变更" in text for text in texts(chat, person.chat.id)[-3:])
    assert await chat.state(person) == "Commit:review"
    with Session(chat.services.engine) as session:
        assert session.get(LetterRecord, old.id).status == "signed"  # type: ignore[union-attr]
        assert session.exec(select(LetterRecord).where(LetterRecord.replaces == old.number)).first() is None


async def test_someone_elses_letter_cannot_be_replaced(chat: Chat, catalogue: Catalogue) -> None:
    _owner, letter = await signed_letter(chat, catalogue.items["SCJG-002"], 850000003)
    stranger = chat.person(850000004)
    await chat.send(stranger.presses_data(LetterAction(number=letter.number, action="renew").pack()))
    assert "没有找到这份承诺书" in chat.telegram.last_text(stranger.chat.id)
    assert await chat.state(stranger) is None


@pytest.fixture
async def account(api_services: Services, tmp_path: Path) -> AsyncIterator[WeChatChat]:
    async with wechat_running(api_services, tmp_path, safe=True) as running:
        yield running


async def test_a_new_legal_representative_through_wechat(account: WeChatChat, catalogue: Catalogue) -> None:
    item = catalogue.items["SCJG-002"]
    follower = account.person(openid(850))
    old = await signed_through_wechat(account, item, follower)
    await account.send(follower.presses_data(LetterAction(number=old.number, action="renew").pack()))
    await read_notice_and_commit(account, follower)  # type: ignore[arg-type]
    typed = sample_answers(item, Lang.zh) | {"applicant.legal_representative": "李新华"}
    await answer_all(account, follower, item, typed)  # type: ignore[arg-type]
    await sign_and_submit(account, follower, "李新华")  # type: ignore[arg-type]

    with Session(account.services.engine) as session:
        new = session.exec(select(LetterRecord).where(LetterRecord.replaces == old.number)).one()
        assert session.get(LetterRecord, old.id).status == "superseded"  # type: ignore[union-attr]
    assert any(new.number in text and old.number in text and "取代" in text for text in follower.texts())
