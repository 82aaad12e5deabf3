"""My letters: their statuses, a letter's PDF and history, withdrawal, missing material, objections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import LetterAction, Menu, Nav, Withdrawal
from bot.client import ApiClient, ApiRefused, ApiUnavailable
from bot.files import receive_upload
from bot.filters import has_file, has_letter_number, has_text
from bot.guidance import proof_guidance
from bot.i18n import ltr
from bot.keyboards import button, column, home_row, markup
from bot.labels import refusal, status_name
from bot.routers.notice import show_notice_page
from bot.states import Commit, MyLetters
from forms import clock
from forms.catalogue import Catalogue
from forms.channels import ChannelUser
from forms.clock import BEIJING
from forms.languages import Lang
from forms.objections import objection_text as checked_objection
from forms.public import LetterPublic
from forms.recommitment import prefilled
from forms.statuses import HAND_IN, IN_FORCE, Status, withdrawable
from forms.validation import Invalid, parse_letter_number
from forms.withdrawal import REASONS, TYPED_MAX, WithdrawalReason, reason_of, recorded_reason

T = TypeVar("T")


def _item_name(catalogue: Catalogue, code: str, lang: Lang) -> str:
    item = catalogue.get(code)
    return item.name(lang) if item else code


async def _own(api: ApiClient, who: ChannelUser, number: str) -> LetterPublic | None:
    """One of this applicant's letters: a number from an old button is checked, never trusted."""
    return next((letter for letter in await api.letters_of(who) if letter.number == number), None)


async def _unavailable(message: Message) -> None:
    await message.answer(_("暂时连接不上服务，请稍后再试。"), reply_markup=markup(home_row()))


async def my_letters(query: CallbackQuery, catalogue: Catalogue, lang: Lang, api: ApiClient, who: ChannelUser) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    try:
        letters = await api.letters_of(who)
    except (ApiUnavailable, ApiRefused):
        await _unavailable(query.message)
        return
    if not letters:
        await query.message.answer(_("您还没有承诺书。"), reply_markup=markup(home_row()))
        return
    rows = column(
        # the number isolated: in a right-to-left button SFJ-2026-000042 would read 000042-2026-SFJ
        button(
            f"{ltr(letter.number)} · {status_name(letter.status)}", LetterAction(number=letter.number, action="show")
        )
        for letter in letters
    )
    lines = [_("您的承诺书：")]
    lines += [
        f"{ltr(letter.number)} {_item_name(catalogue, letter.item_code, lang)}: {status_name(letter.status)}"
        for letter in letters
    ]
    lines += ["", _("也可以直接发送承诺书编号来查看。")]
    await query.message.answer("\n".join(lines), reply_markup=markup(*rows, home_row()))


async def show_letter(
    query: CallbackQuery,
    callback_data: LetterAction,
    catalogue: Catalogue,
    lang: Lang,
    api: ApiClient,
    who: ChannelUser,
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    try:
        letter = await _own(api, who, callback_data.number)
    except (ApiUnavailable, ApiRefused):
        await _unavailable(query.message)
        return
    await _show(query.message, letter, catalogue, lang)


async def typed_number(message: Message, catalogue: Catalogue, lang: Lang, api: ApiClient, who: ChannelUser) -> None:
    """A letter number typed or pasted (copied from a message, with its invisible marks): that letter."""
    try:
        letter = await _own(api, who, parse_letter_number(message.text or ""))
    except (ApiUnavailable, ApiRefused):
        await _unavailable(message)
        return
    await _show(message, letter, catalogue, lang)


async def _show(message: Message, letter: LetterPublic | None, catalogue: Catalogue, lang: Lang) -> None:
    """One of the applicant's letters with what can be done with it; a word when it is not theirs."""
    if letter is None:
        await message.answer(_("没有找到这份承诺书。"), reply_markup=markup(home_row()))
        return
    lines = [
        _("编号：{number}").format(number=ltr(letter.number)),
        _("事项：{item}").format(item=_item_name(catalogue, letter.item_code, lang)),
        _("状态：{status}").format(status=status_name(letter.status)),
        _("签署日期：{date}").format(date=ltr(clock.day_of(letter.signed_at).isoformat())),
        _("有效期至：{date}").format(date=ltr(letter.valid_until.isoformat())),
    ]
    if letter.supplement_due_on is not None:
        lines.append(_("补交材料期限：{date}").format(date=ltr(letter.supplement_due_on.isoformat())))
    if letter.replaces is not None:
        lines.append(_("取代了原承诺书：{number}").format(number=ltr(letter.replaces)))
    if letter.rectification_due_on is not None and letter.status == Status.rectification_due:
        lines.append(_("整改期限：{date} 之前").format(date=ltr(letter.rectification_due_on.isoformat())))
    number = letter.number
    rows: list[list[InlineKeyboardButton]] = [
        [button(_("PDF 文件"), LetterAction(number=number, action="pdf")),
         button(_("办理记录"), LetterAction(number=number, action="events"))],
    ]  # fmt: skip
    if letter.supplement_due_on is not None and letter.status in HAND_IN:
        rows.append([button(_("补交材料"), LetterAction(number=number, action="supplement"))])
    if letter.public:
        rows.append([button(_("对公示信息提出异议"), LetterAction(number=number, action="object"))])
    if withdrawable(letter.status):
        rows.append([button(_("撤回承诺"), LetterAction(number=number, action="withdraw"))])
    if letter.status in IN_FORCE:
        rows.append([button(_("名称或法定代表人变更"), LetterAction(number=number, action="renew"))])
    rows.append([button(_("我的承诺书"), Menu(action="letters"))])
    await message.answer("\n".join(lines), reply_markup=markup(*rows, home_row()))


async def send_pdf(query: CallbackQuery, callback_data: LetterAction, api: ApiClient, who: ChannelUser) -> None:
    await query.answer()
    pdf = await _fetch_own(query, api, who, callback_data.number, api.pdf)
    if pdf is not None and isinstance(query.message, Message):
        await query.message.answer_document(BufferedInputFile(pdf, f"{callback_data.number}.pdf"))


async def _fetch_own(
    query: CallbackQuery, api: ApiClient, who: ChannelUser, number: str, fetch: Callable[[str], Awaitable[T]]
) -> T | None:
    """Something of one of the applicant's own letters; None (and a word, if the API is away) otherwise."""
    if not isinstance(query.message, Message):
        return None
    try:
        if await _own(api, who, number) is None:
            return None
        return await fetch(number)
    except (ApiUnavailable, ApiRefused):
        await _unavailable(query.message)
        return None


async def history(query: CallbackQuery, callback_data: LetterAction, api: ApiClient, who: ChannelUser) -> None:
    await query.answer()
    events = await _fetch_own(query, api, who, callback_data.number, api.events)
    if events is None or not isinstance(query.message, Message):
        return
    lines = [_("办理记录：")]
    lines += [
        f"{ltr(f'{event.at.astimezone(BEIJING):%Y-%m-%d %H:%M}')} {status_name(event.to_status)}" for event in events
    ]
    back = [button(_("返回"), LetterAction(number=callback_data.number, action="show"))]
    await query.message.answer("\n".join(lines), reply_markup=markup(back, home_row()))


async def withdraw(query: CallbackQuery, callback_data: LetterAction) -> None:
    """First why (seed 001 三(七)): the reasons as buttons, "other" typed."""
    await query.answer()
    if not isinstance(query.message, Message):
        return
    number = callback_data.number
    rows = column(button(_(words), Withdrawal(number=number, reason=reason.value)) for reason, words in REASONS.items())
    rows.append([button(_("返回"), LetterAction(number=number, action="show"))])
    await query.message.answer(
        _("为什么要撤回承诺书 {number}？请选择原因：").format(number=ltr(number)), reply_markup=markup(*rows)
    )


async def withdrawal_reason(query: CallbackQuery, callback_data: Withdrawal, state: FSMContext) -> None:
    await query.answer()
    reason = reason_of(callback_data.reason)
    if not isinstance(query.message, Message) or reason is None:
        return
    if reason is WithdrawalReason.other:
        await state.set_state(MyLetters.withdrawal_reason)
        await state.update_data(number=callback_data.number)
        await query.message.answer(
            _("请写明撤回的原因（{limit} 字以内）：").format(limit=TYPED_MAX),
            reply_markup=markup([button(_("取消"), Nav(action="cancel"))]),
        )
        return
    await _confirm_withdrawal(query.message, callback_data.number, reason, _(REASONS[reason]))


async def typed_withdrawal_reason(message: Message, state: FSMContext) -> None:
    text = (message.text or "").strip()
    if not 1 <= len(text) <= TYPED_MAX:
        await message.answer(_("请写明撤回的原因（{limit} 字以内）：").format(limit=TYPED_MAX))
        return
    number = (await state.get_data())["number"]
    await state.set_state(None)
    await state.update_data(withdrawal={"number": number, "text": text})  # kept for the confirmation
    await _confirm_withdrawal(message, number, WithdrawalReason.other, text)


async def _confirm_withdrawal(message: Message, number: str, reason: WithdrawalReason, said: str) -> None:
    await message.answer(
        _("确定要撤回承诺书 {number} 吗？\n原因：{reason}\n撤回后，事项不再按承诺办理。").format(
            number=ltr(number), reason=said
        ),
        reply_markup=markup(
            [button(_("是，撤回"), Withdrawal(number=number, reason=reason.value, confirmed=True)),
             button(_("否"), LetterAction(number=number, action="show"))]
        ),
    )  # fmt: skip


async def withdraw_confirmed(
    query: CallbackQuery,
    callback_data: Withdrawal,
    state: FSMContext,
    catalogue: Catalogue,
    lang: Lang,
    api: ApiClient,
    who: ChannelUser,
) -> None:
    """Withdrawn with the reason chosen; then what happens next: the ordinary procedure."""
    await query.answer()
    number, reason = callback_data.number, reason_of(callback_data.reason)
    if not isinstance(query.message, Message) or reason is None:
        return
    typed = ""
    if reason is WithdrawalReason.other:
        kept = (await state.get_data()).get("withdrawal") or {}
        if kept.get("number") != number:  # an old button: the words typed are gone
            await withdraw(query, LetterAction(number=number, action="withdraw"))
            return
        typed = str(kept["text"])
    try:
        letter = await _own(api, who, number)
        if letter is None:
            await query.message.answer(_("没有找到这份承诺书。"), reply_markup=markup(home_row()))
            return
        await api.withdraw(number, who, recorded_reason(reason, typed))
    except ApiUnavailable:
        await _unavailable(query.message)
        return
    except ApiRefused as refused:
        await query.message.answer(refusal(refused.code), reply_markup=markup(home_row()))
        return
    await state.update_data(withdrawal=None)
    lines = [_("承诺书 {number} 已撤回。").format(number=ltr(number))]
    item = catalogue.get(letter.item_code)
    if item is not None:
        lines += [_("事项不再按承诺办理。如仍需办理，请按一般程序提交证明材料。"), proof_guidance(item, lang)]
    await query.message.answer("\n\n".join(lines), reply_markup=markup(home_row()))


async def recommit(
    query: CallbackQuery,
    callback_data: LetterAction,
    state: FSMContext,
    catalogue: Catalogue,
    lang: Lang,
    api: ApiClient,
    who: ChannelUser,
) -> None:
    """Re-commitment (seed 000 三(二)): the same item's letter again, from the notice, with what
    has not changed filled in; signing it supersedes this one."""
    await query.answer()
    if not isinstance(query.message, Message):
        return
    number = callback_data.number
    try:
        letter = await _own(api, who, number)
        content = await api.content(number, who) if letter is not None else None
    except ApiUnavailable:
        await _unavailable(query.message)
        return
    except ApiRefused:
        content = None
    item = catalogue.get(content.item_code) if content is not None else None
    if letter is None or content is None or item is None:
        await query.message.answer(_("没有找到这份承诺书。"), reply_markup=markup(home_row()))
        return
    if letter.status not in IN_FORCE:
        await query.message.answer(refusal("replaces.not_in_force"), reply_markup=markup(home_row()))
        return
    await state.clear()
    await state.set_state(Commit.notice)
    kept = prefilled(item, content.applicant, content.answers, today=clock.today())
    await state.update_data(item=item.code, answers={}, page=0, replaces=number, prefilled=kept)
    await query.message.answer(
        _(
            "名称或法定代表人变更后，需要重新作出承诺。新的承诺书签署后，原承诺书 {number} 即由它取代。\n"
            "原名称：{name}\n请再读一遍告知书；没有变化的内容已经填好，最后可以在检查页核对。"
        ).format(number=ltr(number), name=content.applicant.name)
    )
    await show_notice_page(query.message, item, 0, lang)


async def supplement(query: CallbackQuery, callback_data: LetterAction, state: FSMContext) -> None:
    await query.answer()
    await state.set_state(MyLetters.supplement)
    await state.update_data(number=callback_data.number, uploads=[])
    if isinstance(query.message, Message):
        await query.message.answer(
            _("请发送补交的材料：照片或 PDF，可以发送多份。发送完毕后点“提交”。"),
            reply_markup=markup([button(_("提交"), Nav(action="done")), button(_("取消"), Nav(action="cancel"))]),
        )


async def supplement_file(message: Message, state: FSMContext, api: ApiClient, bot: Bot, who: ChannelUser) -> None:
    upload_id = await receive_upload(message, bot, api, who, "supplement")
    if upload_id is None:
        return
    uploads = [*(await state.get_data()).get("uploads", []), upload_id]
    await state.update_data(uploads=uploads)
    await message.answer(
        _("已收到 {count} 份。还有的话请继续发送，发送完毕后点“提交”。").format(count=len(uploads)),
        reply_markup=markup([button(_("提交"), Nav(action="done")), button(_("取消"), Nav(action="cancel"))]),
    )


async def supplement_done(query: CallbackQuery, state: FSMContext, api: ApiClient, who: ChannelUser) -> None:
    await query.answer()
    data = await state.get_data()
    if not isinstance(query.message, Message):
        return
    if not data.get("uploads"):
        await query.message.answer(_("还没有收到文件。请先发送照片或 PDF。"))
        return
    try:
        await api.hand_in(data["number"], who, data["uploads"])
    except ApiUnavailable:
        await query.message.answer(_("暂时连接不上服务，请稍后再点“提交”。已发送的文件都保留着。"))
        return
    except ApiRefused as refused:
        await state.clear()
        await query.message.answer(refusal(refused.code), reply_markup=markup(home_row()))
        return
    await state.clear()
    await query.message.answer(_("补交的材料已提交，窗口核对后会通知您。"), reply_markup=markup(home_row()))


async def objection(query: CallbackQuery, callback_data: LetterAction, state: FSMContext) -> None:
    await query.answer()
    await state.set_state(MyLetters.objection)
    await state.update_data(number=callback_data.number)
    if isinstance(query.message, Message):
        await query.message.answer(
            _("请写明对公示信息的异议：哪一项信息有误，正确的应该是什么。"),
            reply_markup=markup([button(_("取消"), Nav(action="cancel"))]),
        )


async def _objection(message: Message, state: FSMContext, send: Callable[[str], Awaitable[object]], done: str) -> None:
    """An objection's words, checked, sent and acknowledged; the step stays on a length refused or an
    API out of reach (the words are typed again), and ends on the API's refusal with its reason."""
    try:
        text = checked_objection(message.text or "")
    except Invalid:  # empty once invisible marks are gone, or too long
        await message.answer(_("异议请写在 1000 字以内。"))
        return
    try:
        await send(text)
    except ApiUnavailable:
        await message.answer(_("暂时连接不上服务，请稍后再发送一次。"))
        return
    except ApiRefused as refused:
        await state.clear()
        await message.answer(refusal(refused.code), reply_markup=markup(home_row()))
        return
    await state.clear()
    await message.answer(done, reply_markup=markup(home_row()))


async def objection_text(message: Message, state: FSMContext, api: ApiClient, who: ChannelUser) -> None:
    number = (await state.get_data())["number"]
    await _objection(message, state, lambda text: api.object_to(number, who, text),
                     _("异议已提交，有关部门会核实处理并告知您结果。"))  # fmt: skip


async def credit_objection(query: CallbackQuery, state: FSMContext) -> None:
    """After a credit refusal: the objection to it, for the number that was refused."""
    await query.answer()
    refused = (await state.get_data()).get("refused")
    if not isinstance(query.message, Message):
        return
    if not refused:  # an old button, after another conversation
        await query.message.answer(_("请重新开始办理，信用核查后再提出异议。"), reply_markup=markup(home_row()))
        return
    await state.set_state(MyLetters.credit_objection)
    await query.message.answer(
        _("请写明您对信用核查结果的异议和依据（例如：案件已执行完毕，有法院的结案证明）。"),
        reply_markup=markup([button(_("取消"), Nav(action="cancel"))]),
    )


async def credit_objection_text(message: Message, state: FSMContext, api: ApiClient, who: ChannelUser,
                                lang: Lang) -> None:  # fmt: skip
    refused = (await state.get_data())["refused"]
    await _objection(
        message,
        state,
        lambda text: api.object_to_credit_refusal(who, refused["id_number"], refused["id_type"], text, lang.value),
        _("异议已提交，信用管理部门会核实处理并告知您结果。"),
    )


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.answer(_("已取消。"), reply_markup=markup(home_row()))


def build() -> Router:
    """The handlers of this step, registered on a new router (one per dispatcher)."""
    router = Router(name=__name__)
    router.callback_query(Menu.filter(F.action == "letters"))(my_letters)
    router.callback_query(LetterAction.filter(F.action == "show"))(show_letter)
    router.message(StateFilter(None), has_letter_number)(typed_number)
    router.callback_query(LetterAction.filter(F.action == "pdf"))(send_pdf)
    router.callback_query(LetterAction.filter(F.action == "events"))(history)
    # "withdraw_yes": a confirmation button sent before reasons were asked; it asks for one now
    router.callback_query(LetterAction.filter(F.action.in_({"withdraw", "withdraw_yes"})))(withdraw)
    router.callback_query(Withdrawal.filter(~F.confirmed))(withdrawal_reason)
    router.message(StateFilter(MyLetters.withdrawal_reason), has_text)(typed_withdrawal_reason)
    router.callback_query(Withdrawal.filter(F.confirmed))(withdraw_confirmed)
    router.callback_query(LetterAction.filter(F.action == "renew"))(recommit)
    router.callback_query(LetterAction.filter(F.action == "supplement"))(supplement)
    router.message(StateFilter(MyLetters.supplement), has_file)(supplement_file)
    router.callback_query(StateFilter(MyLetters.supplement), Nav.filter(F.action == "done"))(supplement_done)
    router.callback_query(LetterAction.filter(F.action == "object"))(objection)
    router.message(StateFilter(MyLetters.objection), has_text)(objection_text)
    router.callback_query(Menu.filter(F.action == "credit_objection"))(credit_objection)
    router.message(StateFilter(MyLetters.credit_objection), has_text)(credit_objection_text)
    router.callback_query(StateFilter(MyLetters), Nav.filter(F.action == "cancel"))(cancel)
    return router
