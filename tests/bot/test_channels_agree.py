"""One conversation, three channels: the same answers give the same letter through Telegram,
WeChat and `chengnuo chat`. The steps are written once (bot/routers); this proves no channel
changes what the applicant commits to."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from aiogram.fsm.storage.base import StorageKey
from sqlmodel import Session, select

from api.app import create_app
from api.runtime import Services
from api.store import LetterRecord
from bot.client import ApiClient
from bot.settings import BotSettings
from bot.terminal import APPLICANT, ME, Terminal
from forms.catalogue import Catalogue, CommitmentType, Item
from forms.languages import Lang
from forms.questionnaire import signer_name
from tests.bot.conftest import SERVICE_TOKEN, Chat
from tests.bot.test_flow import one_item_per_type
from tests.bot.walk import answer_all, choose_language, open_item, sample_answers, sign_and_submit
from tests.bot.wechat_app import openid, wechat_running

Action = Callable[[], Awaitable[None]]


class TerminalApplicant:
    """The applicant at `chengnuo chat`: types numbers for buttons, words for answers."""

    def __init__(self, terminal: Terminal, files: Path) -> None:
        self.terminal, self.files = terminal, files

    def says(self, text: str) -> Action:
        return lambda: self.terminal.line(text)

    def presses_data(self, data: str) -> Action:
        def press() -> Awaitable[None]:
            buttons = self.terminal.session.buttons
            if data not in buttons:  # the walk picks the item by its code, as the other channels' tests do
                return self.terminal.press(data)
            return self.terminal.line(str(buttons.index(data) + 1))  # the number typed, as a person would

        return press

    def sends_document(self, content: bytes, name: str, mime_type: str) -> Action:
        path = self.files / name
        path.write_bytes(content)
        return lambda: self.terminal.line(f"/file {path}")

    def last_buttons(self) -> list[str]:
        return list(self.terminal.session.buttons)


class TerminalChat:
    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal

    async def send(self, action: Action) -> None:
        await action()

    def _key(self) -> StorageKey:
        return StorageKey(bot_id=ME.id, chat_id=APPLICANT.id, user_id=APPLICANT.id)

    async def data(self, _applicant: Any) -> dict[str, Any]:
        return await self.terminal.dispatcher.storage.get_data(self._key())

    async def state(self, _applicant: Any) -> str | None:
        return await self.terminal.dispatcher.storage.get_state(self._key())


async def walk(chat: Any, applicant: Any, item: Item) -> None:
    await choose_language(chat, applicant, Lang.ug)
    await open_item(chat, applicant, item)
    await answer_all(chat, applicant, item, sample_answers(item, Lang.ug))
    await sign_and_submit(chat, applicant, signer_name(item, (await chat.data(applicant))["answers"]))


def the_letter(services: Services, channel: str, user: str) -> LetterRecord:
    with Session(services.engine) as session:
        found = select(LetterRecord).where(LetterRecord.channel == channel, LetterRecord.channel_user == user)
        return session.exec(found).one()


def what_was_committed(letter: LetterRecord) -> tuple[Any, ...]:
    return (letter.item_code, letter.language, letter.content_hash, letter.notice_hash, letter.applicant_name,
            letter.id_hash, letter.status, letter.supplement_due_on)  # fmt: skip


async def test_the_same_answers_give_the_same_letter_through_telegram_wechat_and_the_terminal(
    chat: Chat, catalogue: Catalogue, api_services: Services, tmp_path: Path
) -> None:
    item = one_item_per_type(catalogue)[CommitmentType.missing_material]

    person = chat.person(790000001)
    await walk(chat, person, item)
    by_telegram = the_letter(api_services, "telegram", "790000001")

    async with wechat_running(api_services, tmp_path / "wechat") as account:
        follower = account.person(openid(790))
        await walk(account, follower, item)
    by_wechat = the_letter(api_services, "wechat", follower.openid)

    settings = BotSettings(CHENGNUO_DATA_DIR=tmp_path / "terminal", PUBLIC_URL="http://127.0.0.1:8000", REDIS_URL=None)
    transport = httpx.ASGITransport(app=create_app(api_services.settings, api_services))
    api = ApiClient.connect("http://chengnuo.internal", SERVICE_TOKEN, transport=transport)
    terminal = Terminal(settings, api, catalogue, io.StringIO())
    try:
        await walk(TerminalChat(terminal), TerminalApplicant(terminal, tmp_path), item)
    finally:
        await terminal.close()
    by_terminal = the_letter(api_services, "telegram", str(APPLICANT.id))

    assert what_was_committed(by_telegram) == what_was_committed(by_wechat) == what_was_committed(by_terminal)
    assert len({by_telegram.number, by_wechat.number, by_terminal.number}) == 3
