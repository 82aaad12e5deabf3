"""The whole commitment through a WeChat Official Account: the real app's /wechat, the real
dispatcher, the real API and store; WeChat's servers faked at their HTTP boundary."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, col, select

from api.runtime import Services
from api.store import LetterRecord
from api.store.applicant import Upload
from bot.callbacks import LetterAction, Menu, Nav, Review, Withdrawal
from bot.wechat.menu import MENU_LETTERS
from bot.wechat.reply import LIMIT
from forms.catalogue import Catalogue, CommitmentType, Item
from forms.languages import Lang
from forms.questionnaire import signer_name
from tests.bot.test_flow import one_item_per_type
from tests.bot.test_my_letters import events, first_of
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers, sign_and_submit
from tests.bot.wechat_app import Follower, WeChatChat, openid, photo, wechat_running
from tests.forms.drawings import drawing
from tests.forms.pdf_reading import pdf_text


@pytest.fixture
async def account(api_services: Services, tmp_path: Path) -> AsyncIterator[WeChatChat]:
    """Safe mode (AES), as a 服务号 should run; plain mode has its own tests."""
    async with wechat_running(api_services, tmp_path, safe=True) as chat:
        yield chat


def letters_of(chat: WeChatChat, follower: Follower) -> list[LetterRecord]:
    with Session(chat.services.engine) as session:
        mine = (LetterRecord.channel == "wechat", LetterRecord.channel_user == follower.openid)
        found = select(LetterRecord).where(*mine)
        return list(session.exec(found).all())


async def open_link(chat: WeChatChat, url: str) -> bytes:
    """Open a link from the chat as WeChat's browser would: the page, then its download."""
    path = urlsplit(url)
    page = await chat.http.get(f"{path.path}?{path.query}" if path.query else path.path)
    assert page.status_code == 200, page.text
    pdf = await chat.http.get(path.path.rstrip("/") + "/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    return pdf.content


async def signed_through_wechat(chat: WeChatChat, item: Item, follower: Follower, lang: Lang = Lang.zh) -> LetterRecord:
    await choose_language(chat, follower, lang)  # type: ignore[arg-type]
    await open_item(chat, follower, item)  # type: ignore[arg-type]
    await answer_all(chat, follower, item, sample_answers(item, lang))  # type: ignore[arg-type]
    answers = (await chat.data(follower))["answers"]
    await sign_and_submit(chat, follower, signer_name(item, answers))  # type: ignore[arg-type]
    [letter] = letters_of(chat, follower)
    return letter


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
@pytest.mark.parametrize("commitment_type", list(CommitmentType))
async def test_a_letter_of_every_type_through_wechat_ends_with_the_sealed_letter_behind_its_link(
    account: WeChatChat, catalogue: Catalogue, commitment_type: CommitmentType, lang: Lang
) -> None:
    item = one_item_per_type(catalogue)[commitment_type]
    follower = account.person(openid(100 + list(CommitmentType).index(commitment_type) * 10 + list(Lang).index(lang)))
    letter = await signed_through_wechat(account, item, follower, lang)
    assert letter.item_code == item.code and letter.language == lang.value
    assert await account.state(follower) is None, "the conversation is over"
    links = [url for url in follower.links() if "/d/" in url]
    assert len(links) == 2, f"a preview link, then the sealed letter's: {links}"
    sealed = pdf_text(await open_link(account, links[-1]))
    assert letter.number in sealed
    assert all(len(text.encode()) <= LIMIT for text in follower.texts()), "every message fits WeChat's limit"


async def test_the_quota_of_five_messages_is_never_exceeded_over_a_whole_commitment(
    account: WeChatChat, catalogue: Catalogue
) -> None:
    item = one_item_per_type(catalogue)[CommitmentType.certification]
    follower = account.person(openid(201))
    await signed_through_wechat(account, item, follower)
    assert account.api.refused == [], "the fake refuses a 6th message, as WeChat does"
    replies = [text for text in follower.read if text]
    assert len(replies) >= 10, "each step answered by its passive reply"


async def test_an_agent_sends_the_authorisation_as_a_photo(account: WeChatChat, catalogue: Catalogue) -> None:
    item = next(i for i in catalogue.items.values() if i.proxy_allowed)
    follower = account.person(openid(202))
    await choose_language(account, follower, Lang.zh)  # type: ignore[arg-type]
    await open_item(account, follower, item)  # type: ignore[arg-type]
    await answer_all(account, follower, item, sample_answers(item, Lang.zh), agent=True)  # type: ignore[arg-type]
    assert await account.state(follower) == "Commit:review"
    with Session(account.services.engine) as session:
        uploads = session.exec(select(Upload).where(col(Upload.channel_user) == follower.openid)).all()
    assert len(uploads) == 1, "the photo fetched through the media API and stored as the authorisation"


async def test_an_agent_on_wechat_gets_the_authorisation_template_behind_a_link(
    account: WeChatChat, catalogue: Catalogue
) -> None:
    item = catalogue.get("NYJ-001")
    assert item is not None and item.proxy_allowed
    follower = account.person(openid(212))
    await choose_language(account, follower, Lang.ug)  # type: ignore[arg-type]
    await open_item(account, follower, item)  # type: ignore[arg-type]
    typed = sample_answers(item, Lang.ug)
    await answer_all(account, follower, item, typed, agent=True, until="agent.authorisation")  # type: ignore[arg-type]
    await account.send(follower.presses_data(Nav(action="authorisation_template").pack()))
    link = urlsplit(follower.links()[-1])
    assert link.path == "/api/items/NYJ-001/authorisation" and link.query == "lang=ug"
    answer = await account.http.get(f"{link.path}?{link.query}")  # public: nothing personal in it
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    template = " ".join(pdf_text(answer.content).split())
    assert item.name(Lang.zh) in template and "代为作出信用承诺并签署承诺书" in template
    assert all(word in template for word in item.name(Lang.ug).split()), "the Uyghur beside the Chinese"


async def test_my_letters_the_pdf_behind_a_link_and_withdrawal(account: WeChatChat, catalogue: Catalogue) -> None:
    item = first_of(catalogue, CommitmentType.certification)
    follower = account.person(openid(203))
    letter = await signed_through_wechat(account, item, follower)
    await account.send(follower.clicks(MENU_LETTERS))
    assert letter.number in follower.last()
    await account.send(follower.presses_data(LetterAction(number=letter.number, action="pdf").pack()))
    assert letter.number in pdf_text(await open_link(account, follower.links()[-1]))
    await account.send(follower.presses_data(LetterAction(number=letter.number, action="withdraw").pack()))
    await account.send(follower.presses_data(Withdrawal(number=letter.number, reason="mistake").pack()))
    assert "确定要撤回" in follower.last()
    await account.send(follower.presses_data(Withdrawal(number=letter.number, reason="mistake", confirmed=True).pack()))
    [after] = letters_of(account, follower)
    assert after.status == "withdrawn"


async def test_missing_material_is_handed_in_as_a_photo(account: WeChatChat, catalogue: Catalogue) -> None:
    item = first_of(catalogue, CommitmentType.missing_material)
    follower = account.person(openid(204))
    letter = await signed_through_wechat(account, item, follower)
    await account.send(follower.presses_data(LetterAction(number=letter.number, action="supplement").pack()))
    await account.send(follower.sends_photo(photo()))
    assert "已收到 1 份" in follower.last()
    await account.send(follower.presses_data(Nav(action="done").pack()))
    assert "补交的材料已提交" in follower.last()
    assert any("补正材料" in event.reason for event in events(account, letter))  # type: ignore[arg-type]


async def test_an_objection_through_wechat_is_recorded(account: WeChatChat, catalogue: Catalogue) -> None:
    item = first_of(catalogue, CommitmentType.proactive, public=True)
    follower = account.person(openid(213))
    letter = await signed_through_wechat(account, item, follower)
    await account.send(follower.presses_data(LetterAction(number=letter.number, action="object").pack()))
    await account.send(follower.says("公示的店名写错了，应为“天山餐厅”。"))
    assert "异议已提交" in follower.last()
    assert any("异议" in event.reason for event in events(account, letter))  # type: ignore[arg-type]


async def test_someone_elses_letter_is_not_shown_through_wechat(account: WeChatChat, catalogue: Catalogue) -> None:
    item = first_of(catalogue, CommitmentType.certification)
    owner, other = account.person(openid(205)), account.person(openid(206))
    letter = await signed_through_wechat(account, item, owner)
    await choose_language(account, other, Lang.zh)  # type: ignore[arg-type]
    await account.send(other.presses_data(LetterAction(number=letter.number, action="show").pack()))
    assert letter.number not in other.last()
    await account.send(other.presses_data(LetterAction(number=letter.number, action="pdf").pack()))
    assert not other.links()


async def test_typing_the_number_does_what_tapping_does(account: WeChatChat) -> None:
    follower = account.person(openid(207))
    await account.send(follower.says("/start"))
    numbers = dict(follower.taps())
    assert len(numbers) == 4, "one choice per language"
    await account.send(follower.says("2"))  # Uyghur, the second
    assert "ئۇيغۇرچە" in follower.last()
    await account.send(follower.presses_data(Menu(action="new").pack()))
    assert follower.taps(), "the menu's choices, numbered"


async def test_a_typed_number_is_the_answer_where_the_question_waits_for_words(
    account: WeChatChat, catalogue: Catalogue
) -> None:
    item = next(i for i in catalogue.items.values() if i.proxy_allowed)
    follower = account.person(openid(208))
    await choose_language(account, follower, Lang.zh)  # type: ignore[arg-type]
    await open_item(account, follower, item)  # type: ignore[arg-type]
    data = await account.data(follower)
    assert data["step"] == "agent.present", "who applies comes first"
    await answer_all(account, follower, item, sample_answers(item, Lang.zh), until="applicant.phone")  # type: ignore[arg-type]
    await account.send(follower.says("1"))  # a typed "1" at the phone question: an answer, refused
    assert (await account.data(follower))["step"] == "applicant.phone"
    assert "applicant.phone" not in (await account.data(follower))["answers"]


async def test_old_choices_after_a_restart_say_the_step_has_passed(
    api_services: Services, catalogue: Catalogue, tmp_path: Path
) -> None:
    item = one_item_per_type(catalogue)[CommitmentType.certification]
    async with wechat_running(api_services, tmp_path) as before:
        follower = before.person(openid(209))
        await choose_language(before, follower, Lang.zh)  # type: ignore[arg-type]
        await open_item(before, follower, item)  # type: ignore[arg-type]
        old = follower.taps()
        if item.proxy_allowed:  # the first choice (who applies) answered: its buttons are old now
            await before.send(follower.taps_old(old[0][1], old[0][0]))
    async with wechat_running(api_services, tmp_path) as after:
        again = after.person(openid(209))
        await after.send(again.presses_data(Menu(action="home").pack()))
        await after.send(again.taps_old(old[0][1], old[0][0]))
        assert "这一步已经过去了" in again.last() or "继续" in again.last()
        assert (await after.data(again))["item"] == item.code, "nothing lost"


async def test_a_long_notice_in_uyghur_is_paged_within_wechats_limit(account: WeChatChat, catalogue: Catalogue) -> None:
    follower = account.person(openid(210))
    await choose_language(account, follower, Lang.ug)  # type: ignore[arg-type]
    longest = max(catalogue.items.values(), key=lambda i: len(str(i.notice)))
    await open_item(account, follower, longest)  # type: ignore[arg-type]
    assert all(len(text.encode()) <= LIMIT for text in follower.texts())


async def test_follow_greets_in_three_languages_and_unfollow_stops_notifications(account: WeChatChat) -> None:
    follower = account.person(openid(211))
    greeting = await account.send(follower.follows())
    assert "请选择语言" in greeting and "تىل" in greeting and "тил" in greeting.lower()
    await account.send(follower.unfollows())
    assert (await account.running.channel.followers.get(follower.openid)).unsubscribed


async def test_sign_through_the_signature_page_opened_from_wechat(account: WeChatChat, catalogue: Catalogue) -> None:
    item = one_item_per_type(catalogue)[CommitmentType.certification]
    follower = account.person(openid(212))
    await choose_language(account, follower, Lang.zh)  # type: ignore[arg-type]
    await open_item(account, follower, item)  # type: ignore[arg-type]
    await answer_all(account, follower, item, sample_answers(item, Lang.zh))  # type: ignore[arg-type]
    await account.send(follower.presses_data(Review(action="sign").pack()))
    pages = [url for url in follower.links() if "/miniapp/signature" in url]
    assert len(pages) == 1 and "#token=" in pages[0] and "initData" not in pages[0]
    page = urlsplit(pages[0])
    content_hash, token = parse_qs(page.query)["content_hash"][0], parse_qs(page.fragment)["token"][0]
    drawn = {"content_hash": content_hash, "image_png": base64.b64encode(drawing()).decode()}
    stored = await account.http.post("/api/signatures", json=drawn, headers={"X-Signature-Token": token})
    assert stored.status_code == 201, stored.text
    await account.send(follower.says(signer_name(item, (await account.data(follower))["answers"])))
    await account.send(follower.presses_data(Review(action="confirm").pack()))
    [letter] = letters_of(account, follower)
    sealed = pdf_text(await open_link(account, [url for url in follower.links() if "/d/" in url][-1]))
    assert letter.number in sealed
    fetched = await account.running.api.drawn_signature(follower.who, content_hash)
    assert fetched is not None, "the drawing made from WeChat's link went into the letter"
