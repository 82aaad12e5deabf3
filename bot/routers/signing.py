"""The preview, the signature and the submission: the letter leaves the conversation here."""

from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import urlencode

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import Nav, Review
from bot.client import ApiClient, ApiRefused, ApiUnavailable
from bot.conversation import answers_of, item_of, show_review
from bot.credit import AGENT, ELIGIBLE, UNCHECKED, admitted, turn_agent_away, turn_away, verdict_before_signing
from bot.filters import has_text
from bot.i18n import ltr
from bot.keyboards import button, home_row, markup, web_app
from bot.labels import STORAGE_FULL, next_step, refusal
from bot.settings import BotSettings
from bot.states import Commit
from forms import clock
from forms.catalogue import Catalogue, Item
from forms.channels import ChannelUser
from forms.languages import Lang
from forms.questionnaire import (
    agent_subject,
    conflicts,
    content_hash_of,
    draft,
    signed,
    signer_name,
    subject_of,
)
from forms.validation import MESSAGES, Invalid, Reason, person_name

REASON_CODES = {reason.value for reason in Reason}
REPLACED_GONE = {"replaces.unknown", "replaces.other_item", "replaces.not_in_force"}


def _problems(refused: ApiRefused) -> str:
    """The API's reasons for refusing a draft, in the applicant's words."""
    lines = []
    for detail in refused.details:
        code = str(detail.get("reason", ""))
        worded = _(MESSAGES[Reason(code)]) if code in REASON_CODES else refusal(code)
        # a reason that needs the API's numbers (a bound, the fields named) is the API's own words
        lines.append(str(detail.get("message") or refusal(code)) if "{" in worded else worded)
    return "\n".join(dict.fromkeys(lines)) or refusal(refused.code)


async def preview_then_sign(
    query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang, api: ApiClient, settings: BotSettings
) -> None:
    """The whole letter first, as a PDF marked as a preview; then the request to sign."""
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    data = await state.get_data()
    answers = answers_of(data)
    if conflicts(item, answers):  # an old review's button: the review names what to change
        await show_review(query.message, state, item, lang)
        return
    letter = draft(item, answers, lang, replaces=data.get("replaces"))
    try:  # no signature without a verdict, for every kind of document
        verdict = await verdict_before_signing(state, api, subject_of(item, answers))
    except ApiUnavailable:
        await query.message.answer(_("暂时无法进行信用核查，请稍后再点“预览并签名”。您填写的内容都保留着。"))
        return
    if verdict == UNCHECKED:
        await query.message.answer(_("信用核查没有完成：这个证件号码无法核查，暂时不能签名。请核对证件类型和号码。"))
        await show_review(query.message, state, item, lang)
        return
    if not admitted(verdict, item):
        await turn_away(query.message, state, item, lang, verdict, subject_of(item, answers))
        return
    agent = agent_subject(answers)
    if agent is not None:  # the agent is checked as well
        try:
            agent_verdict = await verdict_before_signing(state, api, agent, role=AGENT)
        except ApiUnavailable:
            await query.message.answer(_("暂时无法进行信用核查，请稍后再点“预览并签名”。您填写的内容都保留着。"))
            return
        if agent_verdict not in ELIGIBLE and agent_verdict != UNCHECKED:
            await turn_agent_away(query.message, state, agent_verdict)
            return
    try:
        pdf = await api.preview(letter)
    except ApiUnavailable:
        await query.message.answer(_("暂时无法生成预览，请稍后再点“预览并签名”。您填写的内容都保留着。"))
        return
    except ApiRefused as refused:
        await query.message.answer(_("承诺书还有需要修改的地方：\n{problems}").format(problems=_problems(refused)))
        await show_review(query.message, state, item, lang)
        return
    name = f"{_('预览')}-{item.code}.pdf"
    await query.message.answer_document(
        BufferedInputFile(pdf, name), caption=_("这是承诺书的预览，尚未签名，不具效力。请仔细阅读。")
    )
    await state.set_state(Commit.signing)
    await state.update_data(content_hash=content_hash_of(item, letter))
    await _ask_signature(query.message, state, item, lang, settings)


async def _ask_signature(message: Message, state: FSMContext, item: Item, lang: Lang, settings: BotSettings) -> None:
    data = await state.get_data()
    signer = signer_name(item, answers_of(data))
    rows: list[list[InlineKeyboardButton]] = []
    if settings.mini_app:
        query = urlencode({"lang": lang.value, "content_hash": data["content_hash"]})
        url = f"{settings.public_url.rstrip('/')}/miniapp/signature?{query}"
        rows.append([web_app(_("手写签名（可选）"), url)])
    rows.append([button(_("返回检查页"), Nav(action="review")), button(_("取消"), Nav(action="cancel"))])
    await message.answer(
        _("签名：请输入签名人的全名“{name}”，与填写的完全一致。").format(name=signer), reply_markup=markup(*rows)
    )


async def typed_name(
    message: Message, state: FSMContext, catalogue: Catalogue, lang: Lang, settings: BotSettings
) -> None:
    item = await item_of(state, catalogue)
    if item is None:
        return
    answers = answers_of(await state.get_data())
    signer = signer_name(item, answers)
    try:
        matches = person_name(message.text or "") == signer
    except Invalid:
        matches = False
    if not matches:
        await message.answer(_("输入的姓名与填写的“{name}”不一致，请重新输入。").format(name=signer))
        await _ask_signature(message, state, item, lang, settings)
        return
    # fixed now, so that a retry submits exactly the same letter under the same key
    await state.update_data(typed_name=signer, signed_at=clock.now().isoformat(), key=secrets.token_urlsafe(18))
    await state.set_state(Commit.confirm)
    said = _("签名人：{name}\n确认后，承诺书即签署生效，并提交给{department}。").format(
        name=signer, department=item.department.name(lang)
    )
    if answers.get("agent.present") == "yes":  # an agent signs for someone else: whose commitment it is
        said += "\n" + _("您作为委托代理人，代“{party}”作出承诺。").format(party=answers["applicant.name"])
    await message.answer(
        said,
        reply_markup=markup(
            [button(_("确认签名并提交"), Review(action="confirm"))],
            [button(_("返回检查页"), Nav(action="review")), button(_("取消"), Nav(action="cancel"))],
        ),
    )


async def back_to_review(query: CallbackQuery, state: FSMContext, catalogue: Catalogue, lang: Lang) -> None:
    await query.answer()
    item = await item_of(state, catalogue)
    if item is not None and isinstance(query.message, Message):
        await show_review(query.message, state, item, lang)


async def submit(
    query: CallbackQuery,
    state: FSMContext,
    catalogue: Catalogue,
    lang: Lang,
    api: ApiClient,
    settings: BotSettings,
    who: ChannelUser,
) -> None:
    """Sign and submit under the conversation's idempotency key: a retry never makes a second letter."""
    await query.answer()
    item = await item_of(state, catalogue)
    if item is None or not isinstance(query.message, Message):
        return
    data = await state.get_data()
    letter = draft(item, answers_of(data), lang, replaces=data.get("replaces"))
    drawn = None
    if settings.mini_app:
        drawn = await _drawn(api, who, data.get("content_hash") or content_hash_of(item, letter))
    submission = signed(
        item,
        letter,
        typed_name=data["typed_name"],
        who=who,
        signed_at=datetime.fromisoformat(data["signed_at"]),
        image_png=drawn,
    )
    try:
        submitted = await api.submit(submission, data["key"])
    except ApiUnavailable as unavailable:
        if unavailable.code == STORAGE_FULL:  # nothing acknowledged; the same key finishes it later
            why = _("提交没有成功：服务器的存储空间已满。您填写的内容都已保存，请稍后点“重新提交”。")
        else:
            why = _("提交没有成功：暂时连接不上服务。您填写的内容都已保存，请稍后点“重新提交”。")
        await query.message.answer(why, reply_markup=markup([button(_("重新提交"), Review(action="confirm"))]))
        return
    except ApiRefused as refused:
        if refused.code.startswith("credit.agent."):  # the agent listed since the check
            await turn_agent_away(query.message, state, refused.code.removeprefix("credit.agent."))
            return
        if refused.code.startswith("credit."):  # listed since the check: the same way forward
            subject = subject_of(item, answers_of(data))
            await turn_away(query.message, state, item, lang, refused.code.removeprefix("credit."), subject)
            return
        if refused.code in REPLACED_GONE:  # nothing to edit: the letter to replace is out of reach
            await state.clear()
            await query.message.answer(refusal(refused.code), reply_markup=markup(home_row()))
            return
        await query.message.answer(_("承诺书还有需要修改的地方：\n{problems}").format(problems=_problems(refused)))
        await show_review(query.message, state, item, lang)
        return
    await state.clear()
    said = _("承诺书已签署并提交。\n编号：{number}\n核验码：{code}\n\n{next}").format(
        number=ltr(submitted.number), code=ltr(submitted.verify_code), next=next_step(submitted.status)
    )
    if data.get("replaces"):  # re-commitment: the old letter was superseded with this one's signature
        said += "\n\n" + _("原承诺书 {old} 已由这份新的承诺书取代，不再有效。").format(old=ltr(data["replaces"]))
    await query.message.answer(said, reply_markup=markup(home_row()))
    try:
        pdf = await api.pdf(submitted.number)
    except (ApiUnavailable, ApiRefused):
        await query.message.answer(_("PDF 文件稍后可以在“我的承诺书”中获取。"))
        return
    await query.message.answer_document(
        BufferedInputFile(pdf, f"{submitted.number}.pdf"),
        caption=_("您的承诺书（已加盖电子印章）。请妥善保存。"),
    )


async def _drawn(api: ApiClient, who: ChannelUser, content_hash: str) -> bytes | None:
    """The signature drawn in the Mini App, if any; the typed signature stands alone without it."""
    try:
        return await api.drawn_signature(who, content_hash)
    except (ApiUnavailable, ApiRefused):
        return None


def build() -> Router:
    """The handlers of this step, registered on a new router (one per dispatcher)."""
    router = Router(name=__name__)
    router.callback_query(StateFilter(Commit.review), Review.filter(F.action == "sign"))(preview_then_sign)
    router.message(StateFilter(Commit.signing), has_text)(typed_name)
    router.callback_query(StateFilter(Commit.signing), Nav.filter(F.action == "review"))(back_to_review)
    router.callback_query(StateFilter(Commit.confirm), Nav.filter(F.action == "review"))(back_to_review)
    router.callback_query(StateFilter(Commit.confirm), Review.filter(F.action == "confirm"))(submit)
    return router
