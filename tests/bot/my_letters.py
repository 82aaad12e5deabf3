"""Letters signed through the bot, for the tests of what comes after signing."""

from __future__ import annotations

from sqlmodel import Session, select

from api.store import LetterRecord
from forms.catalogue import Catalogue, CommitmentType, Item
from forms.languages import Lang
from forms.questionnaire import signer_name
from tests.bot.conftest import Chat
from tests.bot.telegram import Person
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers, sign_and_submit


async def signed_letter(chat: Chat, item: Item, user_id: int, *, lang: Lang = Lang.zh) -> tuple[Person, LetterRecord]:
    """A letter signed through the bot by a new applicant, and its stored record."""
    person = chat.person(user_id)
    await choose_language(chat, person, lang)
    await open_item(chat, person, item)
    await answer_all(chat, person, item, sample_answers(item, lang))
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
