"""How much a person does from /start to the sealed letter: every message typed, button pressed and
file sent counts as one input (issue 15: 21 inputs with 9 typed for SFJ-001 in Chinese, 26 for
NYJ-001 in Uyghur through an agent, before the questions were shortened)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest
from aiogram.types import Update

from forms.catalogue import Catalogue
from forms.languages import Lang
from forms.questionnaire import signer_name
from tests.bot.conftest import Chat
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers, sign_and_submit

BEFORE = {"SFJ-001": 17, "NYJ-001": 26}  # counted on main when this began (the issue, earlier: 21 and 26)


@dataclass
class Counting:
    """The chat, counting what the person sends by kind."""

    chat: Chat
    inputs: Counter[str] = field(default_factory=Counter)

    async def send(self, update: Update) -> None:
        message = update.message
        kind = (
            "pressed"
            if update.callback_query
            else "file"
            if message and (message.document or message.photo)
            else "typed"
        )
        self.inputs[kind] += 1
        await self.chat.send(update)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.chat, name)


@pytest.mark.parametrize(("code", "lang", "agent"), [("SFJ-001", Lang.zh, False), ("NYJ-001", Lang.ug, True)])
async def test_the_inputs_from_start_to_the_sealed_letter_are_fewer_than_before(
    chat: Chat, catalogue: Catalogue, code: str, lang: Lang, agent: bool
) -> None:
    item = catalogue.get(code)
    assert item is not None
    counting = Counting(chat)
    person = chat.person(870000001 + list(Lang).index(lang))
    await choose_language(counting, person, lang)  # type: ignore[arg-type]
    await open_item(counting, person, item)  # type: ignore[arg-type]
    await answer_all(counting, person, item, sample_answers(item, lang), agent=agent)  # type: ignore[arg-type]
    answers = (await chat.data(person))["answers"]
    await sign_and_submit(counting, person, signer_name(item, answers))  # type: ignore[arg-type]
    assert await chat.state(person) is None and len(chat.telegram.documents(person.chat.id)) == 2, "sealed"
    total = sum(counting.inputs.values())
    print(
        f"\n{code} {lang.value}{' through an agent' if agent else ''}: {total} inputs "
        f"({counting.inputs['typed']} typed, {counting.inputs['pressed']} pressed, {counting.inputs['file']} files)"
    )
    assert total < BEFORE[code]
