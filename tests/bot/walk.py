"""An applicant walking the whole commitment through the real dispatcher: the steps tests share."""

from __future__ import annotations

from stdnum.cn import ric

from bot.callbacks import Answered, Decision, ItemPicked, LanguageChosen, Menu, Nav, NoticePage, Review
from bot.wechat.reply import MORE
from forms.catalogue import Item
from forms.languages import Lang
from forms.letter import Answer, IdType
from forms.questionnaire import Ask, other_document, questions
from forms.sample import sample_letter
from tests.bot.conftest import Chat
from tests.bot.telegram import Person

AUTHORISATION_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sample_answers(item: Item, lang: Lang) -> dict[str, Answer]:
    """What a careful applicant types: the sample letter's values, by question key."""
    letter = sample_letter(item, lang)
    applicant = letter.applicant
    typed: dict[str, Answer] = {
        "applicant.kind": applicant.kind.value,
        "applicant.name": applicant.name,
        "applicant.legal_representative": applicant.legal_representative or "",
        "applicant.id_type": applicant.id_type.value,
        "applicant.id_number": applicant.id_number,
        "applicant.phone": applicant.phone,
        "agent.present": "no",
    }
    typed |= {f"answers.{key}": value for key, value in letter.answers.items()}
    if letter.supplement is not None:
        typed["supplement.materials"] = letter.supplement.materials
        typed["supplement.due_on"] = letter.supplement.due_on.isoformat()
    return typed


async def choose_language(chat: Chat, person: Person, lang: Lang) -> None:
    await chat.send(person.says("/start"))
    await chat.send(person.presses_data(LanguageChosen(code=lang.value).pack()))


async def open_item(chat: Chat, person: Person, item: Item) -> None:
    """From the menu to the commitment: all items, the item, every notice page, understood, commit."""
    await chat.send(person.presses_data(Menu(action="new").pack()))
    await chat.send(person.presses_data(ItemPicked(code=item.code).pack()))
    await read_notice_and_commit(chat, person)


async def read_notice_and_commit(chat: Chat, person: Person) -> None:
    """The summary, then every page of the full notice (the summary's one button is page 1), understood, commit."""
    page = 0
    while Decision(choice="read_commit").pack() not in _last_buttons(person):
        if MORE in _last_buttons(person):  # WeChat cut a long page into pages of its own
            await chat.send(person.presses_data(MORE))
            continue
        page += 1
        await chat.send(person.presses_data(NoticePage(page=page).pack()))
        assert page < 20, "the notice never ends"
    await chat.send(person.presses_data(Decision(choice="read_commit").pack()))  # read, understood, commit


def _last_buttons(person: Person) -> list[str]:
    if hasattr(person, "last_buttons"):  # another channel's applicant (tests/bot/wechat_app.py)
        return list(person.last_buttons())
    for sent in reversed(person.telegram.messages(person.chat.id)):
        markup = sent.reply_markup
        if markup is not None and hasattr(markup, "inline_keyboard"):
            return [b.callback_data or "" for row in markup.inline_keyboard for b in row]
    return []


async def answer_all(
    chat: Chat, person: Person, item: Item, typed: dict[str, Answer], *, agent: bool = False, until: str | None = None
) -> None:
    """Answer each question the bot asks, as a person would: typing, pressing, sending a file.

    Stops at the review, or when the bot asks the question `until`.
    """
    for _ in range(40):
        data = await chat.data(person)
        if await chat.state(person) != "Commit:question" or data.get("step") == until:
            return
        await answer_current(chat, person, item, typed, agent=agent)
    raise AssertionError("the questions never end")


async def answer_current(chat: Chat, person: Person, item: Item, typed: dict[str, Answer], *, agent: bool) -> None:
    data = await chat.data(person)
    asked = questions(item, data.get("answers", {}))
    index = [q.key for q in asked].index(data["step"])
    question = asked[index]
    value = typed.get(question.key)
    if question.key == "agent.present" and agent:
        value = "yes"
    value = AGENT.get(question.key, value) if agent else value
    answers = data.get("answers", {})
    other = typed.get("applicant.id_type", IdType.resident_id.value) != IdType.resident_id.value
    if (
        question.key == "applicant.id_number"
        and other
        and other_document(item, answers)
        and "applicant.id_type" not in answers
    ):
        await chat.send(person.presses_data(Nav(action="other_document").pack()))  # not the resident ID
    elif question.ask is Ask.upload:
        await chat.send(person.sends_document(AUTHORISATION_PDF, "委托书.pdf", "application/pdf"))
    elif question.ask is Ask.choice:
        choice = [v for v, _ in question.choices].index(str(value))
        await chat.send(person.presses_data(Answered(step=index, choice=choice).pack()))
    elif question.ask is Ask.materials:
        for picked in value or []:
            choice = [v for v, _ in question.choices].index(picked)
            await chat.send(person.presses_data(Answered(step=index, choice=choice).pack()))
        await chat.send(person.presses_data(Nav(action="done").pack()))
    else:
        assert value is not None, f"no sample answer for {question.key}"
        await chat.send(person.says(str(value)))


AGENT_ID = "65302219850704002" + ric.calc_check_digit("65302219850704002" + "0")
AGENT = {"agent.name": "李代理", "agent.id_number": AGENT_ID, "agent.phone": "13700001111"}


async def sign_and_submit(chat: Chat, person: Person, name: str) -> None:
    await chat.send(person.presses_data(Review(action="sign").pack()))
    await chat.send(person.says(name))
    await chat.send(person.presses_data(Review(action="confirm").pack()))
