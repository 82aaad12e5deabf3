"""Filling the letter in: one question at a time, each answer checked as it arrives."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import Answered, DayPicked, Edit, Nav
from bot.client import ApiClient, ApiRefused, ApiUnavailable
from bot.conversation import advance, answers_of, ask, item_of, show_review
from bot.credit import AGENT, Background, check_beside
from bot.files import receive_upload
from bot.filters import has_file, has_text
from bot.i18n import ltr
from bot.keyboards import button, home_row, markup
from bot.labels import reason
from bot.states import Commit
from forms import clock
from forms.catalogue import Catalogue, Item
from forms.channels import ChannelUser
from forms.languages import Lang
from forms.letter import Answer
from forms.questionnaire import (
    Ask,
    Question,
    agent_subject,
    answered,
    check,
    other_document,
    questions,
    step_of,
    subject_of,
)
from forms.validation import MESSAGES, Invalid, Reason
from forms.validation.values import date_example


async def _current(state: FSMContext, item: Item) -> tuple[int, Question]:
    data = await state.get_data()
    return step_of(item, answers_of(data), data.get("step"))


async def _accept(
    message: Message,
    state: FSMContext,
    item: Item,
    question: Question,
    raw: Answer,
    lang: Lang,
    api: ApiClient,
    background: Background,
) -> None:
    """Check one answer: refused, the same question again with the reason; accepted, onwards."""
    answers = answers_of(await state.get_data())
    try:
        value = check(question, raw, item, answers, today=clock.today())
    except Invalid as error:
        await message.answer(_("这一项没有通过检查：{reason}").format(reason=reason(error)))
        await ask(message, state, item, lang)
        return
    answers = answered(answers, question.key, value)
    data = await state.update_data(answers=answers, picked=[])
    if question.key == "applicant.id_number":  # every kind of document: the list names them all
        check_beside(state, api, subject_of(item, answers), message, item, lang, background)
    agent = agent_subject(answers)
    if question.key == "agent.id_number" and agent is not None:  # a listed agent commits for nobody
        check_beside(state, api, agent, message, item, lang, background, role=AGENT)
    await advance(message, state, item, lang, data)


async def typed(
    message: Message, state: FSMContext, catalogue: Catalogue, lang: Lang, api: ApiClient, background: Background
) -> None:
    item = await item_of(state, catalogue)
    if item is None:
        return
    _index, question = await _current(state, item)
    if question.ask is Ask.upload:  # words where a file is awaited: say what to send
        await message.answer(_("这一步要发送文件：每一页拍一张照片发来，或者发送一个 PDF 文件。"))
        await ask(message, state, item, lang)
        return
    if question.ask is not Ask.text:
        await message.answer(_("请用下面的按钮回答。"))
        await ask(message, state, item, lang)
        return
    await _accept(message, state, item, question, message.text or "", lang, api, background)


async def _pressed_on_this_step(
    query: CallbackQuery, state: FSMContext, catalogue: Catalogue, step: int, choice: int | None = None
) -> tuple[Item, Question, Message] | None:
    """The item, the question and the message of a button pressed on the current step; a button of a
    step already passed gets "this step has passed" (an old message, a double tap) and None."""
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        await query.answer()
        return None
    index, question = await _current(state, item)
    if step != index or (choice is not None and choice >= len(question.choices)):
        await query.answer(_("这一步已经过去了。"), show_alert=True)
        return None
    await query.answer()
    return item, question, query.message


async def chose(
    query: CallbackQuery,
    callback_data: Answered,
    state: FSMContext,
    catalogue: Catalogue,
    lang: Lang,
    api: ApiClient,
    background: Background,
) -> None:
    pressed = await _pressed_on_this_step(query, state, catalogue, callback_data.step, callback_data.choice)
    if pressed is None:
        return
    item, question, message = pressed
    value = question.choices[callback_data.choice][0]
    if question.ask is Ask.materials:  # tick or untick, then "done"
        picked = list(
            (await state.get_data()).get("picked") or answers_of(await state.get_data()).get(question.key, [])
        )
        picked = [v for v in picked if v != value] if value in picked else [*picked, value]
        await state.update_data(picked=picked)
        await ask(message, state, item, lang)
        return
    await _accept(message, state, item, question, value, lang, api, background)


async def picked_day(
    query: CallbackQuery,
    callback_data: DayPicked,
    state: FSMContext,
    catalogue: Catalogue,
    lang: Lang,
    api: ApiClient,
    background: Background,
) -> None:
    """A date button: checked as if typed, so a day that has meanwhile passed is refused with why."""
    pressed = await _pressed_on_this_step(query, state, catalogue, callback_data.step)
    if pressed is not None:
        item, question, message = pressed
        await _accept(message, state, item, question, callback_data.day, lang, api, background)


async def other_day(query: CallbackQuery) -> None:
    """Any date within the limit may be typed: say how."""
    await query.answer()
    if isinstance(query.message, Message):
        # the words of the date question's own refusal, with an example to come
        await query.message.answer(_(MESSAGES[Reason.date_format]).format(example=ltr(date_example(clock.today()))))


async def done_picking(
    query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang, api: ApiClient, background: Background
) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    _index, question = await _current(state, item)
    picked = list((await state.get_data()).get("picked") or [])
    await _accept(query.message, state, item, question, picked, lang, api, background)


async def skip(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    _index, question = await _current(state, item)
    if not question.required:
        answers = answers_of(await state.get_data())
        answers[question.key] = ""
        await state.update_data(answers=answers)
    await advance(query.message, state, item, lang)


async def uploaded(
    message: Message,
    state: FSMContext,
    catalogue: Catalogue,
    lang: Lang,
    api: ApiClient,
    bot: Bot,
    background: Background,
    who: ChannelUser,
) -> None:
    """An authorisation as a photo or a PDF: stored by the API, its id kept in the answers."""
    item = await item_of(state, catalogue)
    if item is None:
        return
    _index, question = await _current(state, item)
    if question.ask is not Ask.upload:
        await message.answer(_("这一步不需要文件。"))
        await ask(message, state, item, lang)
        return
    upload_id = await receive_upload(message, bot, api, who, "authorisation")
    if upload_id is None:
        return
    await _accept(message, state, item, question, upload_id, lang, api, background)


async def chose_other_document(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    """Not the resident ID: the kind of document is asked, then its number."""
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    opened = other_document(item, answers_of(await state.get_data()))
    if opened is not None:
        await state.update_data(answers=opened, step="applicant.id_type", picked=[])
    await ask(query.message, state, item, lang)


async def authorisation_template(
    query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang, api: ApiClient
) -> None:
    """The blank letter of authorisation, in Chinese and the applicant's language, to print and sign."""
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    try:
        pdf = await api.authorisation_template(item.code, lang.value)
    except (ApiUnavailable, ApiRefused):
        await query.message.answer(_("暂时无法生成授权委托书模板，请稍后再试，或在窗口领取。"))
        return
    await query.message.answer_document(
        BufferedInputFile(pdf, f"{_('授权委托书')}-{item.code}.pdf"),
        caption=_("请打印后填写，由申请人（委托人）签名或盖章，再拍照或以 PDF 发回这里。"),
    )


async def back(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    index, _question = await _current(state, item)
    previous = questions(item, answers_of(await state.get_data()))[max(0, index - 1)]
    await state.update_data(step=previous.key, picked=[])
    await ask(query.message, state, item, lang)


async def edit(query: CallbackQuery, callback_data: Edit, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    asked = questions(item, answers_of(await state.get_data()))
    if callback_data.step >= len(asked):
        return
    await state.update_data(step=asked[callback_data.step].key, editing=True, picked=[])
    await ask(query.message, state, item, lang)


async def back_to_review(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    if item is not None and isinstance(query.message, Message):
        await advance(query.message, state, item, lang)


async def resume(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    """Back to where the applicant was, e.g. after a restart or a detour to the menu."""
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    if await state.get_state() == Commit.question.state:
        await ask(query.message, state, item, lang)
    else:
        await show_review(query.message, state, item, lang)


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await state.update_data(cancelled_from=await state.get_state())
    await state.set_state(Commit.cancelling)
    if isinstance(query.message, Message):
        await query.message.answer(
            _("确定要取消吗？已填写的内容将被清除。"),
            reply_markup=markup(
                [button(_("是，取消"), Nav(action="cancel_yes")), button(_("否，继续填写"), Nav(action="cancel_no"))]
            ),
        )


async def cancel_confirmed(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.answer(_("已取消。"), reply_markup=markup(home_row()))


async def cancel_declined(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    previous = (await state.get_data()).get("cancelled_from")
    if item is None or not isinstance(query.message, Message):
        return
    if previous == Commit.question.state:
        await ask(query.message, state, item, lang)
    else:
        await show_review(query.message, state, item, lang)


def build() -> Router:
    """The handlers of this step, registered on a new router (one per dispatcher)."""
    router = Router(name=__name__)
    router.message(StateFilter(Commit.question), has_text)(typed)
    router.callback_query(StateFilter(Commit.question), Answered.filter())(chose)
    router.callback_query(StateFilter(Commit.question), DayPicked.filter())(picked_day)
    router.callback_query(StateFilter(Commit.question), Nav.filter(F.action == "other_day"))(other_day)
    router.callback_query(StateFilter(Commit.question), Nav.filter(F.action == "done"))(done_picking)
    router.callback_query(StateFilter(Commit.question), Nav.filter(F.action == "skip"))(skip)
    router.message(StateFilter(Commit.question), has_file)(uploaded)
    router.callback_query(StateFilter(Commit.question), Nav.filter(F.action == "other_document"))(chose_other_document)
    router.callback_query(StateFilter(Commit.question), Nav.filter(F.action == "authorisation_template"))(
        authorisation_template
    )
    router.callback_query(StateFilter(Commit.question), Nav.filter(F.action == "back"))(back)
    router.callback_query(StateFilter(Commit.review), Edit.filter())(edit)
    router.callback_query(StateFilter(Commit.question), Nav.filter(F.action == "review"))(back_to_review)
    router.callback_query(Nav.filter(F.action == "resume"))(resume)
    router.callback_query(StateFilter(Commit), Nav.filter(F.action == "cancel"))(cancel)
    router.callback_query(StateFilter(Commit.cancelling), Nav.filter(F.action == "cancel_yes"))(cancel_confirmed)
    router.callback_query(StateFilter(Commit.cancelling), Nav.filter(F.action == "cancel_no"))(cancel_declined)
    return router
