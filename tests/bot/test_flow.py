"""The whole commitment, from /start to the sealed PDF in the chat, for every commitment type."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from api.store import LetterRecord
from forms.catalogue import ApplicantKind, Catalogue, CommitmentType, Item
from forms.languages import Lang
from forms.questionnaire import signer_name
from tests.bot.conftest import Chat
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers, sign_and_submit
from tests.forms.pdf_reading import pdf_text


def one_item_per_type(catalogue: Catalogue) -> dict[CommitmentType, Item]:
    found: dict[CommitmentType, Item] = {}
    for item in catalogue.items.values():
        found.setdefault(item.commitment_type, item)
    return found


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
@pytest.mark.parametrize("commitment_type", list(CommitmentType))
async def test_a_letter_of_every_type_from_start_to_sealed_pdf(
    chat: Chat, catalogue: Catalogue, commitment_type: CommitmentType, lang: Lang
) -> None:
    item = one_item_per_type(catalogue)[commitment_type]
    person = chat.person(700000000 + list(CommitmentType).index(commitment_type) * 10 + list(Lang).index(lang))
    await choose_language(chat, person, lang)
    await open_item(chat, person, item)
    typed = sample_answers(item, lang)
    await answer_all(chat, person, item, typed)
    assert await chat.state(person) == "Commit:review"
    answers = (await chat.data(person))["answers"]
    await sign_and_submit(chat, person, signer_name(item, answers))

    with Session(chat.services.engine) as session:
        letter = session.exec(
            select(LetterRecord).where(
                LetterRecord.channel == "telegram", LetterRecord.channel_user == str(person.user.id)
            )
        ).one()
    assert letter.item_code == item.code and letter.language == lang.value
    documents = chat.telegram.documents(person.chat.id)
    assert len(documents) == 2, "a preview, then the sealed letter"
    sealed = pdf_text(documents[-1])
    assert letter.number in sealed
    assert await chat.state(person) is None, "the conversation is over"


async def test_with_an_https_address_the_signature_may_also_be_drawn_in_the_mini_app(
    chat: Chat, catalogue: Catalogue
) -> None:
    from aiogram.types import InlineKeyboardMarkup

    from bot.callbacks import Review
    from forms.questionnaire import content_hash_of, draft

    chat.settings = chat.settings.model_copy(update={"public_url": "https://chengnuo.example.cn"})
    chat.restart()
    item = catalogue.get("SFJ-001")
    assert item is not None
    person = chat.person(760000001)
    await choose_language(chat, person, Lang.ug)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, Lang.ug))
    await chat.send(person.presses_data(Review(action="sign").pack()))
    asking = chat.telegram.messages(person.chat.id)[-1]
    assert isinstance(asking.reply_markup, InlineKeyboardMarkup)
    apps = [b.web_app.url for row in asking.reply_markup.inline_keyboard for b in row if b.web_app]
    answers = (await chat.data(person))["answers"]
    expected = content_hash_of(item, draft(item, answers, Lang.ug))
    assert apps == [f"https://chengnuo.example.cn/miniapp/signature?lang=ug&content_hash={expected}"]


async def test_an_agent_signs_with_the_authorisation_sent_as_a_pdf(chat: Chat, catalogue: Catalogue) -> None:
    from sqlmodel import col

    from api.store.applicant import Upload

    item = next(i for i in catalogue.items.values() if i.proxy_allowed)
    person = chat.person(760000002)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, Lang.zh), agent=True)
    answers = (await chat.data(person))["answers"]
    assert answers["agent.present"] == "yes" and answers["agent.authorisation"].startswith("up_")
    await sign_and_submit(chat, person, "李代理")
    with Session(chat.services.engine) as session:
        letter = session.exec(
            select(LetterRecord).where(
                LetterRecord.channel == "telegram", LetterRecord.channel_user == str(person.user.id)
            )
        ).one()
        upload = session.exec(select(Upload).where(col(Upload.letter_id) == letter.id)).one()
    assert upload.purpose == "authorisation" and upload.media_type == "application/pdf"
    assert "李代理" in pdf_text(chat.telegram.documents(person.chat.id)[-1])


async def test_an_agent_commits_for_someone_else_and_the_sealed_letter_names_both(
    chat: Chat, catalogue: Catalogue
) -> None:
    """The person in the chat is the agent: told whose commitment it is before signing; the letter
    carries both parties, each with their name and number (in full or masked, as it prints them)."""
    from forms.sample import SAMPLE_ID
    from forms.validation import mask_id
    from tests.bot.walk import AGENT, AGENT_ID

    item = next(i for i in catalogue.items.values() if i.proxy_allowed and i.applicant_kinds == [ApplicantKind.person])
    person = chat.person(760000003)
    await choose_language(chat, person, Lang.zh)
    await open_item(chat, person, item)
    typed = sample_answers(item, Lang.zh)
    await answer_all(chat, person, item, typed, agent=True)
    await sign_and_submit(chat, person, AGENT["agent.name"])
    confirming = [getattr(m, "text", None) or "" for m in chat.telegram.messages(person.chat.id)][-3]
    assert f"代“{typed['applicant.name']}”作出承诺" in confirming, confirming

    sealed = pdf_text(chat.telegram.documents(person.chat.id)[-1])
    for name, number in ((str(typed["applicant.name"]), SAMPLE_ID), (AGENT["agent.name"], AGENT_ID)):
        assert name in sealed, name
        assert number in sealed or mask_id(number) in sealed, number
