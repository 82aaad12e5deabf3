"""My letters as a reader in Xinjiang sees them: Beijing dates, numbers that keep their order."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import Session

from api.store import LetterRecord
from bot.callbacks import LetterAction, Menu
from forms.catalogue import Catalogue, CommitmentType
from forms.languages import Lang
from tests.bot.conftest import Chat
from tests.bot.my_letters import first_of, signed_letter


async def test_a_letter_signed_before_eight_in_the_morning_shows_that_day(chat: Chat, catalogue: Catalogue) -> None:
    person, letter = await signed_letter(chat, first_of(catalogue, CommitmentType.certification), 840000001)
    early = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)  # 07:30 on 6 December in Beijing
    with Session(chat.services.engine) as session:
        session.execute(update(LetterRecord).where(LetterRecord.id == letter.id).values(signed_at=early))
        session.commit()
    await chat.send(person.presses_data(LetterAction(number=letter.number, action="show").pack()))
    shown = chat.telegram.last_text(person.chat.id)
    assert "2026-12-06" in shown and "2026-12-05" not in shown, shown


async def test_letter_numbers_on_buttons_are_isolated_in_uyghur(chat: Chat, catalogue: Catalogue) -> None:
    person, letter = await signed_letter(
        chat, first_of(catalogue, CommitmentType.certification), 840000011, lang=Lang.ug
    )
    await chat.send(person.presses_data(Menu(action="letters").pack()))
    markup = chat.telegram.messages(person.chat.id)[-1].reply_markup
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert any(f"\u2066{letter.number}\u2069" in label for label in labels), labels
