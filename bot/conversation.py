"""One applicant's letter in progress: what is answered, which question is next, how it is shown.

Everything lives in the conversation's storage data, so a restart loses nothing:
  item      the item's code
  answers   the canonical answers so far, keyed as forms.questionnaire keys them
  step      the key of the question being asked
  editing   true when the question was opened from the review page, which it returns to
  picked    the choices ticked so far on a several-of question
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import Answered, DayPicked, Edit, Nav, Review
from bot.i18n import ltr
from bot.keyboards import button, column, markup, step_row
from bot.labels import day_label, reason, text_of
from bot.states import Commit, MyLetters
from forms import clock
from forms.catalogue import Catalogue, Item
from forms.languages import Lang
from forms.letter import Answer
from forms.questionnaire import (
    Ask,
    Question,
    conflicts,
    latest_due_on,
    other_document,
    promise_days,
    questions,
    step_of,
    unanswered,
)

ANSWERED_STATES = {Commit.question.state, Commit.review.state, Commit.signing.state, Commit.confirm.state}


async def item_of(state: FSMContext, catalogue: Catalogue) -> Item | None:
    code = (await state.get_data()).get("item")
    return catalogue.get(code) if code else None


async def resume_markup(state: FSMContext) -> InlineKeyboardMarkup | None:
    """A "continue" button when a letter is being filled in (also after a restart)."""
    if await state.get_state() not in ANSWERED_STATES:
        return None
    return markup([button(_("继续填写承诺书"), Nav(action="resume"))])


def shown_value(question: Question, value: Answer, lang: Lang) -> str:
    """An answer as the applicant reads it back: choices by their label, numbers kept left to right."""
    labels = {v: text_of(label, lang) for v, label in question.choices}
    if question.ask is Ask.upload:
        return _("已上传")
    if isinstance(value, list):
        return _("、").join(labels.get(v, v) for v in value)
    if value == "":
        return _("（未填写）")
    if value in labels:
        return labels[value]
    return ltr(value) if any(c.isdigit() for c in value) else value


async def ask(message: Message, state: FSMContext, item: Item, lang: Lang, data: dict[str, Any] | None = None) -> None:
    """Ask the question data["step"] names, with the progress and its buttons.

    `data`: the conversation's data when the caller has just written it (one read fewer).
    """
    data = await state.get_data() if data is None else data
    answers: dict[str, Answer] = data.get("answers", {})
    asked = questions(item, answers)
    index, question = step_of(item, answers, data.get("step"))
    await state.set_state(Commit.question)
    if data.get("step") != question.key:
        await state.set_data({**data, "step": question.key})
    lines = [_("第 {step} 步，共 {total} 步").format(step=ltr(index + 1), total=ltr(len(asked)))]
    label = text_of(question.label, lang)
    if "{latest}" in label:  # the 容缺 date question names the last date allowed
        latest = latest_due_on(item, clock.today())
        label = label.format(latest=ltr(latest.isoformat()) if latest else "")
    lines.append(label)
    if question.unit is not None:
        lines.append(_("单位：{unit}").format(unit=question.unit(lang)))
    if question.hint is not None:
        lines.append(text_of(question.hint, lang))
    if question.key in answers and question.ask is not Ask.upload:
        lines.append(_("目前填写的是：{value}").format(value=shown_value(question, answers[question.key], lang)))
    rows: list[list[InlineKeyboardButton]] = []
    if question.ask is Ask.choice:
        rows += column(button(text_of(label, lang), Answered(step=index, choice=i)) for i, (_v, label) in
                       enumerate(question.choices))  # fmt: skip
    if question.ask is Ask.materials:
        picked = set(data.get("picked", answers.get(question.key, [])))
        rows += column(
            button(("☑ " if value in picked else "☐ ") + text_of(label, lang), Answered(step=index, choice=i))
            for i, (value, label) in enumerate(question.choices)
        )
        rows.append([button(_("选好了"), Nav(action="done"))])
    if question.key == "supplement.due_on":  # the promise is a tap, not a date to type
        days = [button(day_label(day, lang), DayPicked(step=index, day=day.isoformat()))
                for day in promise_days(item, clock.today())]  # fmt: skip
        rows += [days[i : i + 3] for i in range(0, len(days), 3)]
        rows.append([button(_("其他日期"), Nav(action="other_day"))])
    if question.key == "applicant.id_number" and "applicant.id_type" not in answers and other_document(item, answers):
        rows.append([button(_("用其他证件（护照、港澳台居民证件等）"), Nav(action="other_document"))])
    if question.key == "agent.authorisation":  # a letter to print, fill in and have signed
        rows.append([button(_("下载授权委托书模板"), Nav(action="authorisation_template"))])
    if not question.required:
        rows.append([button(_("跳过"), Nav(action="skip"))])
    if data.get("editing"):
        rows.append([button(_("返回检查页"), Nav(action="review"))])
    rows.append(step_row(back=index > 0))
    await message.answer("\n\n".join(lines), reply_markup=markup(*rows))


async def advance(
    message: Message, state: FSMContext, item: Item, lang: Lang, data: dict[str, Any] | None = None
) -> None:
    """After an answer: the next open question, else the review."""
    data = await state.get_data() if data is None else data
    answers: dict[str, Answer] = data.get("answers", {})
    following = unanswered(item, answers)
    if following is None:
        await show_review(message, state, item, lang)
        return
    data = {**data, "step": following.key, "picked": []}
    await state.set_data(data)
    await ask(message, state, item, lang, data)


async def show_review(message: Message, state: FSMContext, item: Item, lang: Lang) -> None:
    """Every answer with an edit button for each; then preview and sign."""
    data = await state.get_data()
    answers: dict[str, Answer] = data.get("answers", {})
    await state.set_state(Commit.review)
    await state.update_data(editing=False, picked=[])
    lines = [_("请检查您填写的内容：{item}").format(item=item.name(lang)), ""]
    edits = []
    for index, question in enumerate(questions(item, answers)):
        if question.key not in answers:
            continue
        short = text_of(question.short, lang)
        lines.append(f"{short}: {shown_value(question, answers[question.key], lang)}")
        edits.append(button(_("修改：{what}").format(what=short), Edit(step=index)))
    broken = conflicts(item, answers)
    if broken:  # named here, with the edit buttons below, rather than after a refused preview
        lines += ["", *(_("需要修改：{reason}").format(reason=reason(c)) for c in broken)]
    else:
        lines += ["", _("内容无误的话，请先查看承诺书预览，然后签名。")]
    rows = [[b] for b in edits]
    if not broken:
        rows.insert(0, [button(_("预览并签名"), Review(action="sign"))])
    rows.append([button(_("取消"), Nav(action="cancel"))])
    await message.answer("\n".join(lines), reply_markup=markup(*rows))


def answers_of(data: dict[str, Any]) -> dict[str, Answer]:
    return dict(data.get("answers", {}))


async def expects_typing(state: FSMContext, catalogue: Catalogue) -> bool:
    """True when the step waits for typed words, so that a channel without buttons (the terminal,
    WeChat) reads "2" as the answer, not as the second button: an amount, a count, a name."""
    current = await state.get_state()
    typing_states = (
        Commit.signing.state,
        MyLetters.objection.state,
        MyLetters.withdrawal_reason.state,
        MyLetters.credit_objection.state,
    )
    if current in typing_states:
        return True
    if current != Commit.question.state:
        return False
    item = await item_of(state, catalogue)
    if item is None:
        return False
    data = await state.get_data()
    asked = {q.key: q for q in questions(item, data.get("answers", {}))}
    question = asked.get(data.get("step", ""))
    # the promised date is offered as buttons: "2" is the second day; a date typed is still a date
    return question is not None and question.ask is Ask.text and question.key != "supplement.due_on"
