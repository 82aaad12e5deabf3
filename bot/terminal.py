"""`chengnuo chat`: the same conversation in a terminal, against an API in the same process.

Anyone can try the whole flow without Telegram: the bot's messages are printed with their buttons
numbered; typing a number presses that button, `/file PATH` sends a photo or PDF, anything else is a
message. Letters the bot sends are saved under the data directory.
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import httpx
from aiogram.types import CallbackQuery, Chat, Document, Message, PhotoSize, Update, User
from pydantic import SecretStr

from bot.app import build_bot, build_dispatcher
from bot.client import ApiClient
from bot.conversation import expects_typing
from bot.settings import BotSettings
from bot.stand_in import Said, Sent, StandIn
from bot.storage import make_storage
from forms.catalogue import Catalogue

TERMINAL_TOKEN = "1000000001:terminal-chat-not-a-real-token"  # never leaves the process
ME = User(id=1000000001, is_bot=True, first_name="chengnuo", username="chengnuo_bot")
APPLICANT = User(id=1000000002, is_bot=False, first_name="applicant", language_code="zh")


class TerminalSession(StandIn):
    """Telegram's part played by the terminal: messages printed, buttons numbered, files saved."""

    def __init__(self, out: TextIO, files_dir: Path) -> None:
        super().__init__(ME)
        self.out, self.files_dir = out, files_dir
        self.buttons: list[str] = []  # callback data of the buttons last shown, by number - 1
        self.files: dict[str, bytes] = {}

    async def said(self, said: Said) -> None:
        print(f"\n{said.text}", file=self.out)
        pressable = [choice for choice in said.choices if choice.data]
        if pressable:
            self.buttons = [choice.data for choice in pressable if choice.data]
            for number, choice in enumerate(pressable, 1):
                print(f"  [{number}] {choice.label}", file=self.out)
        self.out.flush()

    async def sent(self, sent: Sent) -> None:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / sent.name
        path.write_bytes(sent.content)
        print(f"\n📄 {path}\n{sent.caption}", file=self.out)
        self.out.flush()

    async def toast(self, text: str) -> None:
        print(f"\n({text})", file=self.out)

    async def file(self, file_id: str) -> bytes:
        return self.files[file_id]


class Terminal:
    """One applicant at the terminal: each line typed becomes an update for the real dispatcher."""

    def __init__(self, settings: BotSettings, api: ApiClient, catalogue: Catalogue, out: TextIO) -> None:
        self.session = TerminalSession(out, settings.data_dir / "chat")
        token = SecretStr(TERMINAL_TOKEN)
        self.bot = build_bot(settings.model_copy(update={"telegram_bot_token": token}), session=self.session)
        self.api, self.catalogue = api, catalogue
        storage, isolation = make_storage(settings)
        self.dispatcher = build_dispatcher(
            api=api, catalogue=catalogue, settings=settings, storage=storage, isolation=isolation
        )
        self._ids = itertools.count(1)
        self._chat = Chat(id=APPLICANT.id, type="private")

    def _message(self, **fields: Any) -> Message:
        return Message(message_id=next(self._ids), date=datetime.now(UTC), chat=self._chat, from_user=APPLICANT,
                       **fields)  # fmt: skip

    async def _feed(self, **fields: Any) -> None:
        await self.dispatcher.feed_update(self.bot, Update(update_id=next(self._ids), **fields))
        background = self.dispatcher["background"]
        while background:  # the credit check beside the answer: its word before the next prompt
            await asyncio.gather(*background)

    async def line(self, line: str) -> None:
        """A button's number presses it, unless the question waits for typed words; /file PATH sends one."""
        line = line.strip()
        typing = await expects_typing(self.dispatcher.fsm.get_context(self.bot, APPLICANT.id, APPLICANT.id),
                                      self.catalogue)  # fmt: skip
        buttons = self.session.buttons
        if line.isdigit() and 1 <= int(line) <= len(buttons) and not typing:
            await self.press(buttons[int(line) - 1])
        elif line.startswith("/file "):
            await self._feed(message=_file(self._message, self.session, Path(line[6:])))
        elif line:
            await self._feed(message=self._message(text=line))

    async def press(self, data: str) -> None:
        """A button, by the data it carries."""
        query = CallbackQuery(id=str(next(self._ids)), from_user=APPLICANT, chat_instance="terminal", data=data,
                              message=self._message(text="…"))  # fmt: skip
        await self._feed(callback_query=query)

    async def close(self) -> None:
        await self.dispatcher.storage.close()
        await self.api.close()


async def chat(settings: BotSettings, api_transport: httpx.AsyncBaseTransport, service_token: str,
               catalogue: Catalogue, read: Callable[[], str] = input, out: TextIO = sys.stdout) -> None:  # fmt: skip
    """Read lines until end of input or /quit; each becomes an update for the real dispatcher."""
    api = ApiClient.connect("http://chengnuo.internal", service_token, transport=api_transport)
    terminal = Terminal(settings, api, catalogue, out)
    print("chengnuo chat: type a message, a button's number, /file PATH, or /quit.", file=out)
    await terminal.line("/start")
    try:
        while True:
            try:
                line = (await asyncio.to_thread(read)).strip()
            except EOFError:
                break
            if line in ("/quit", "/exit"):
                break
            await terminal.line(line)
    finally:
        await terminal.close()


def _file(message: Callable[..., Message], session: TerminalSession, path: Path) -> Message:
    content = path.expanduser().read_bytes()
    file_id = f"local-{len(session.files) + 1}"
    session.files[file_id] = content
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if mime.startswith("image/"):
        photo = PhotoSize(file_id=file_id, file_unique_id=file_id, width=1, height=1, file_size=len(content))
        return message(photo=[photo])
    return message(document=Document(file_id=file_id, file_unique_id=file_id, file_name=path.name,
                                     mime_type=mime, file_size=len(content)))  # fmt: skip
