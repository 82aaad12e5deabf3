"""Telegram's servers, as far as the bot can tell: every call recorded and answered as Telegram would.

The bot, its dispatcher, its storage and the API are all real; only the HTTP session to Telegram is
replaced, as aiogram's own tests do (tests/mocked_bot.py there).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncGenerator
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
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Chat,
    Document,
    File,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    Update,
    User,
)

BOT_USER = User(id=4200000001, is_bot=True, first_name="chengnuo", username="chengnuo_bot")
TOKEN = "4200000001:AAtestTOKENtestTOKENtestTOKENtest0"


class FakeTelegram(BaseSession):
    """Answers every method; `too_many` makes the next calls fail with 429 and a retry_after."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.files: dict[str, bytes] = {}
        self.too_many: list[int] = []  # retry_after seconds for the next calls, one each
        self._ids = itertools.count(1000)

    async def close(self) -> None:
        pass

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        if self.too_many:
            retry_after = self.too_many.pop(0)
            body = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after}}  # fmt: skip
            response = self.check_response(bot, method, 429, json.dumps(body))
            return response.result  # type: ignore[return-value]  # check_response raised already
        result = self._result(method)
        body = {"ok": True, "result": result}
        return self.check_response(bot, method, 200, json.dumps(body, default=str)).result  # type: ignore[return-value]

    def _result(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return BOT_USER.model_dump(mode="json")
        if isinstance(method, GetFile):
            return File(
                file_id=method.file_id, file_unique_id=method.file_id, file_path=f"files/{method.file_id}"
            ).model_dump(mode="json")
        if isinstance(method, SendMessage | SendDocument):
            chat = Chat(id=int(method.chat_id), type="private")
            message: dict[str, Any] = {
                "message_id": next(self._ids),
                "date": int(datetime.now(UTC).timestamp()),
                "chat": chat.model_dump(mode="json"),
                "from": BOT_USER.model_dump(mode="json"),
            }
            if isinstance(method, SendMessage):
                message["text"] = method.text
            else:
                document = method.document
                name = getattr(document, "filename", None) or "file"
                message["document"] = {
                    "file_id": f"sent-{message['message_id']}",
                    "file_unique_id": "u",
                    "file_name": name,
                }
                message["caption"] = method.caption
            if isinstance(method.reply_markup, InlineKeyboardMarkup):
                message["reply_markup"] = method.reply_markup.model_dump(mode="json", exclude_none=True)
            return message
        return True  # answerCallbackQuery, setMyCommands, setWebhook…

    async def stream_content(
        self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30, chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:  # fmt: skip
        yield self.files[url.rsplit("/", 1)[-1]]

    # what the bot said, for the tests

    def messages(self, chat_id: int) -> list[SendMessage | SendDocument]:
        return [m for m in self.requests if isinstance(m, SendMessage | SendDocument) and int(m.chat_id) == chat_id]

    def last_text(self, chat_id: int) -> str:
        texts = [m.text if isinstance(m, SendMessage) else (m.caption or "") for m in self.messages(chat_id)]
        return texts[-1] if texts else ""

    def documents(self, chat_id: int) -> list[bytes]:
        return [
            m.document.data for m in self.messages(chat_id) if isinstance(m, SendDocument)
            and isinstance(m.document, BufferedInputFile)
        ]  # fmt: skip

    def alerts(self) -> list[str]:
        return [m.text or "" for m in self.requests if isinstance(m, AnswerCallbackQuery) and m.text]


class Person:
    """An applicant on Telegram: sends messages, presses buttons, sends files."""

    def __init__(self, telegram: FakeTelegram, user_id: int, language_code: str = "zh-hans") -> None:
        self.telegram = telegram
        self.user = User(id=user_id, is_bot=False, first_name="测试", language_code=language_code)
        self.chat = Chat(id=user_id, type="private")
        self._ids = itertools.count(1)

    def _update_id(self) -> int:
        return next(_UPDATE_IDS)

    def _message(self, **fields: Any) -> Message:
        return Message(
            message_id=next(self._ids), date=datetime.now(UTC), chat=self.chat, from_user=self.user, **fields
        )

    def says(self, text: str) -> Update:
        return Update(update_id=self._update_id(), message=self._message(text=text))

    def sends_document(self, content: bytes, name: str, mime_type: str) -> Update:
        file_id = f"doc-{next(_UPDATE_IDS)}"
        self.telegram.files[file_id] = content
        document = Document(file_id=file_id, file_unique_id=file_id, file_name=name, mime_type=mime_type,
                            file_size=len(content))  # fmt: skip
        return Update(update_id=self._update_id(), message=self._message(document=document))

    def sends_photo(self, content: bytes) -> Update:
        file_id = f"photo-{next(_UPDATE_IDS)}"
        self.telegram.files[file_id] = content
        photo = PhotoSize(file_id=file_id, file_unique_id=file_id, width=800, height=600, file_size=len(content))
        return Update(update_id=self._update_id(), message=self._message(photo=[photo]))

    def presses(self, label: str, *, nth_last: int = 1) -> Update:
        """Press the button whose text holds `label`, on the nth-last message that has one."""
        found = [
            (sent, b)
            for sent in self.telegram.messages(self.chat.id)
            if isinstance(sent.reply_markup, InlineKeyboardMarkup)
            for row in sent.reply_markup.inline_keyboard
            for b in row
            if label in b.text and b.callback_data
        ]
        assert found, f"no button {label!r}; last message: {self.telegram.last_text(self.chat.id)!r}"
        _sent, chosen = found[-nth_last]
        return self.presses_data(chosen.callback_data or "")

    def presses_data(self, data: str) -> Update:
        query = CallbackQuery(
            id=str(next(_UPDATE_IDS)), from_user=self.user, chat_instance="c", data=data,
            message=self._message(text="…"),
        )  # fmt: skip
        return Update(update_id=self._update_id(), callback_query=query)

    def buttons(self) -> list[str]:
        """The button texts of the last message that has buttons."""
        for sent in reversed(self.telegram.messages(self.chat.id)):
            if isinstance(sent.reply_markup, InlineKeyboardMarkup):
                return [b.text for row in sent.reply_markup.inline_keyboard for b in row]
        return []


_UPDATE_IDS = itertools.count(1)
