"""Telegram's part played by another channel: the conversation is written once, for aiogram.

A channel that is not Telegram (the terminal, WeChat) drives the real dispatcher with updates it
builds from its own input, and gives the bot a session that never reaches Telegram: each Bot API
call the conversation makes (a message with buttons, a document, a toast) arrives here as one of
three things the channel translates, and files the applicant sent are served back from the channel.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, Chat, File, InlineKeyboardMarkup, Message, User

from bot.i18n import RLM


@dataclass(frozen=True)
class Choice:
    """A button as a channel offers it: pressed, it sends `data` back; or it opens `url`."""

    label: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Said:
    """A message of the conversation: its text (without the right-to-left mark) and its choices."""

    chat_id: int
    text: str
    choices: tuple[Choice, ...]
    rtl: bool = False


@dataclass(frozen=True)
class Sent:
    """A document the conversation sends: a preview or a sealed letter."""

    chat_id: int
    name: str
    content: bytes
    caption: str
    rtl: bool = False


def choices_of(markup: Any, rtl: bool) -> tuple[Choice, ...]:
    """The buttons in reading order: RightToLeft reversed each row for Telegram's display."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return ()
    found = []
    for row in markup.inline_keyboard:
        for button in reversed(row) if rtl else row:
            url = button.web_app.url if button.web_app is not None else button.url
            if button.callback_data or url:
                found.append(Choice(button.text, button.callback_data, url))
    return tuple(found)


class StandIn(BaseSession):
    """Answers the Bot API calls the conversation makes; `said`, `sent` and `toast` are the channel's."""

    def __init__(self, me: User) -> None:
        super().__init__()
        self.me = me
        self._ids = itertools.count(1)

    async def close(self) -> None:
        pass

    async def said(self, said: Said) -> None:
        raise NotImplementedError

    async def sent(self, sent: Sent) -> None:
        raise NotImplementedError

    async def toast(self, text: str) -> None:
        """A button's short answer (Telegram shows it over the chat for a moment)."""

    async def file(self, file_id: str) -> bytes:
        """The content of a file the applicant sent through this channel."""
        raise NotImplementedError

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None) -> Any:
        if isinstance(method, GetMe):
            return self.me
        if isinstance(method, GetFile):
            return File(file_id=method.file_id, file_unique_id=method.file_id, file_path=method.file_id)
        if isinstance(method, SendMessage):
            rtl = method.text.startswith(RLM)
            text, choices = method.text.removeprefix(RLM), choices_of(method.reply_markup, rtl)
            await self.said(Said(int(method.chat_id), text, choices, rtl))
        elif isinstance(method, SendDocument) and isinstance(method.document, BufferedInputFile):
            caption = method.caption or ""
            rtl = caption.startswith(RLM)
            name = method.document.filename or "letter.pdf"
            await self.sent(Sent(int(method.chat_id), name, method.document.data, caption.removeprefix(RLM), rtl))
        elif isinstance(method, AnswerCallbackQuery):
            if method.text:
                await self.toast(method.text.removeprefix(RLM))
            return True
        else:
            return True
        chat = Chat(id=int(method.chat_id), type="private")
        return Message(message_id=next(self._ids), date=datetime.now(UTC), chat=chat)

    async def stream_content(
        self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30, chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:  # fmt: skip
        yield await self.file(url.rsplit("/", 1)[-1])
