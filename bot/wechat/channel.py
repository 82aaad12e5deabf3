"""The WeChat channel: a follower's message in, the conversation's turn out as one reply.

Each message becomes an update for the same dispatcher Telegram's updates go to (bot/app.py), with
the follower's identity (`who`) given beside it. WeChat waits 5 s for the answer and then sends the
same message again, up to three times: a message is handled once (by MsgId, across instances when
Redis is shared), a resend waits for the first one's answer, and a turn that takes longer than
PATIENCE is answered at once with a word to wait, its reply following as a customer-service message.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import CallbackQuery, Chat, Message, PhotoSize, Update, User
from aiogram.utils.i18n import I18n

from bot.callbacks import Menu
from bot.conversation import expects_typing
from bot.i18n import stored_language
from bot.wechat.client import WeChatClient
from bot.wechat.dedup import Seen
from bot.wechat.errors import WeChatError
from bot.wechat.menu import MENU_HELP, MENU_LETTERS, MENU_NEW
from bot.wechat.protocol import Inbound
from bot.wechat.reply import MORE, Draft, Page, pages
from bot.wechat.state import Follower, Followers, telegram_id
from bot.wechat.turn import Turn, current_turn
from forms.catalogue import Catalogue
from forms.channels import Channel, ChannelUser
from forms.languages import Lang
from forms.validation.reasons import N_

log = logging.getLogger(__name__)

PATIENCE = 4.0  # seconds before WeChat's 5 s are up: answer "please wait", send the rest later
KEPT_ANSWERS = 1024  # recent messages whose answer a resend gets again
MENU = {MENU_NEW: "new", MENU_LETTERS: "letters", MENU_HELP: "help"}
NEXT_PAGE = N_("下一页")
PLEASE_WAIT = N_("正在处理，请稍候……")
SORRY = N_("抱歉，出了点问题。您填写的内容都保留着，请稍后再试。")


class WeChatChannel:
    """Followers' messages through the dispatcher; replies and late words back to WeChat."""

    def __init__(self, *, bot: Bot, dispatcher: Dispatcher, client: WeChatClient, seen: Seen,
                 catalogue: Catalogue, i18n: I18n, patience: float = PATIENCE) -> None:  # fmt: skip
        self.bot, self.dispatcher, self.client, self.seen = bot, dispatcher, client, seen
        self.catalogue, self.i18n, self.patience = catalogue, i18n, patience
        self.followers = Followers(dispatcher.storage, bot.id)
        self._answers: OrderedDict[str, asyncio.Task[str]] = OrderedDict()
        self._deferred: set[str] = set()  # answers to send as customer-service messages when done
        self._locks: dict[str, asyncio.Lock] = {}
        self._ids = itertools.count(1)

    async def handle(self, inbound: Inbound) -> str:
        """The passive reply to this message ("" for none); a resend gets the first one's answer."""
        key = inbound.dedup_key
        task = self._answers.get(key)
        if task is None:
            if not await self.seen.first(key):
                return ""  # another instance has it and answers it
            task = asyncio.create_task(self._answer(inbound))
            self._answers[key] = task
            while len(self._answers) > KEPT_ANSWERS:
                self._answers.popitem(last=False)
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.patience)
        except TimeoutError:
            if key not in self._deferred:
                self._deferred.add(key)
                task.add_done_callback(lambda done: self._send_when_done(inbound.openid, key, done))
            return await self._please_wait(inbound.openid)

    async def _answer(self, inbound: Inbound) -> str:
        lock = self.lock(inbound.openid)
        try:
            async with lock:  # one follower's messages in order
                return await self._step(inbound)
        except Exception:  # the conversation's own failures are answered by bot/app.py
            log.exception("wechat: a follower's message could not be handled")
            return self.i18n.gettext(SORRY, locale=Lang.zh.value)
        finally:
            if not lock.locked():  # nobody holds it: forget it (one lock per follower ever seen adds up)
                self._locks.pop(inbound.openid, None)

    async def _step(self, inbound: Inbound) -> str:
        follower = await self.followers.get(inbound.openid)
        if inbound.kind == "unsubscribe":  # no notifications any more
            follower.unsubscribed = True
            await self.followers.put(inbound.openid, follower)
            return ""
        if inbound.kind == "subscribe" and follower.unsubscribed:
            follower.unsubscribed = False
            await self.followers.put(inbound.openid, follower)
        data = await self._pressed(inbound, follower)
        if data == MORE:
            return await self._next_page(inbound.openid, follower)
        turn = Turn(ChannelUser(channel=Channel.wechat, user=inbound.openid))
        token = current_turn.set(turn)
        try:
            await self._feed(inbound, data)
        finally:
            current_turn.reset(token)
        turn.closed = True
        return await self.show(inbound.openid, follower, turn.draft, turn.lang)

    async def _pressed(self, inbound: Inbound, follower: Follower) -> str | None:
        """The callback data this message stands for, when it presses a choice; else None."""
        if inbound.kind == "click":
            action = MENU.get(inbound.event_key or "")
            return Menu(action=action).pack() if action else None
        if inbound.kind != "text":
            return None
        if inbound.menu_choice:  # a tapped choice carries its data, even one from an old message
            return inbound.menu_choice
        typed = inbound.text.strip()
        if typed.isdigit() and 1 <= int(typed) <= len(follower.choices):
            user = telegram_id(inbound.openid)
            if not await expects_typing(self.dispatcher.fsm.get_context(self.bot, user, user), self.catalogue):
                return follower.choices[int(typed) - 1]
        return None

    async def _feed(self, inbound: Inbound, data: str | None) -> None:
        """The message as Telegram would have brought it; waits for what the turn started beside it."""
        user = User(id=telegram_id(inbound.openid), is_bot=False, first_name="wechat")
        chat = Chat(id=user.id, type="private")
        now = datetime.fromtimestamp(inbound.created, UTC) if inbound.created else datetime.now(UTC)

        def message(**fields: Any) -> Message:
            return Message(message_id=next(self._ids), date=now, chat=chat, from_user=user, **fields)

        if data is not None:
            query = CallbackQuery(id=str(next(self._ids)), from_user=user, chat_instance="wechat", data=data,
                                  message=message(text="…"))  # fmt: skip
            update = Update(update_id=next(self._ids), callback_query=query)
        elif inbound.kind == "subscribe":
            update = Update(update_id=next(self._ids), message=message(text="/start"))
        elif inbound.kind == "text":
            update = Update(update_id=next(self._ids), message=message(text=inbound.text))
        elif inbound.kind == "image" and inbound.media_id:
            photo = PhotoSize(file_id=inbound.media_id, file_unique_id=inbound.media_id, width=1, height=1)
            update = Update(update_id=next(self._ids), message=message(photo=[photo]))
        else:  # a voice, a sticker, a location: the conversation says what it expects
            update = Update(update_id=next(self._ids), message=message())
        background: set[asyncio.Task[Any]] = self.dispatcher["background"]
        before = set(background)
        who = ChannelUser(channel=Channel.wechat, user=inbound.openid)
        await self.dispatcher.feed_update(self.bot, update, who=who)
        started = background - before
        if started:  # a credit check beside the answer: its word joins this reply when it is quick
            await asyncio.wait(started, timeout=self.patience / 2)

    async def show(self, openid: str, follower: Follower, draft: Draft, lang: str) -> str:
        """The draft as pages: the first is the reply, the others wait for "next page"."""
        if not draft.paragraphs and not draft.choices:
            return ""
        shown = pages(draft, self.i18n.gettext(NEXT_PAGE, locale=lang))
        follower.choices, follower.pages = list(shown[0].choices), shown[1:]
        await self.followers.put(openid, follower)
        return shown[0].text

    async def _next_page(self, openid: str, follower: Follower) -> str:
        if not follower.pages:
            return await self.show(openid, follower, Draft(), Lang.zh.value)
        page: Page = follower.pages.pop(0)
        follower.choices = list(page.choices)
        await self.followers.put(openid, follower)
        return page.text

    async def settled(self) -> None:
        """Every message taken in answered and every late word sent (before a shutdown)."""
        background: set[asyncio.Task[Any]] = self.dispatcher["background"]
        while True:
            pending = [task for task in (*self._answers.values(), *background) if not task.done()]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)

    def lock(self, openid: str) -> asyncio.Lock:
        """One follower's messages, one at a time (in this process)."""
        return self._locks.setdefault(openid, asyncio.Lock())

    async def late(self, turn: Turn, draft: Draft) -> None:
        """Said after the reply went: its own customer-service message."""
        async with self.lock(turn.openid):
            follower = await self.followers.get(turn.openid)
            text = await self.show(turn.openid, follower, draft, turn.lang)
        await self.send(turn.openid, text)

    async def send(self, openid: str, text: str) -> bool:
        """A customer-service message; False (logged) when WeChat does not take it."""
        if not text:
            return True
        try:
            await self.client.send_text(openid, text)
        except WeChatError as error:
            log.warning("wechat: a message to a follower was not taken (%s %s)", error.code, error.message)
            return False
        return True

    def _send_when_done(self, openid: str, key: str, task: asyncio.Task[str]) -> None:
        self._deferred.discard(key)
        if task.cancelled() or task.exception() is not None:
            log.error("wechat: a slow turn failed", exc_info=task.exception() if not task.cancelled() else None)
            return
        background: set[asyncio.Task[Any]] = self.dispatcher["background"]
        sending = asyncio.create_task(self.send(openid, task.result()))
        background.add(sending)
        sending.add_done_callback(background.discard)

    async def _please_wait(self, openid: str) -> str:
        lang = await stored_language(self.dispatcher.storage, self.bot.id, telegram_id(openid))
        return self.i18n.gettext(PLEASE_WAIT, locale=(lang or Lang.zh).value)
