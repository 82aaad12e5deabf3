"""How the bot runs: the webhook inside `chengnuo serve`, and where conversations are kept."""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path

import httpx
import pytest
from aiogram.fsm.storage.base import StorageKey

from api.app import create_app
from api.runtime import Services
from bot.running import WEBHOOK_PATH, attach, webhook_secret
from bot.settings import BotSettings
from bot.states import Commit
from bot.storage import SqliteStorage, make_storage
from tests.bot.conftest import SERVICE_TOKEN
from tests.bot.telegram import TOKEN, FakeTelegram, Person
from tests.cli import chengnuo

REDIS_URL = os.environ.get("REDIS_URL")


async def test_the_webhook_takes_updates_only_with_telegrams_secret_token(
    api_services: Services, tmp_path: Path
) -> None:
    settings = BotSettings(
        TELEGRAM_BOT_TOKEN=TOKEN, CHENGNUO_DATA_DIR=tmp_path, PUBLIC_URL="https://chengnuo.example.cn", REDIS_URL=None
    )
    app = create_app(api_services.settings, api_services)
    telegram = FakeTelegram()
    running = attach(app, settings, api_services.catalogue, SERVICE_TOKEN, session=telegram)
    person = Person(telegram, 820000001)
    update = person.says("/start").model_dump(mode="json", exclude_none=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://chengnuo.example.cn") as http:
        assert (await http.post(WEBHOOK_PATH, json=update)).status_code == 401
        forged = {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}
        assert (await http.post(WEBHOOK_PATH, json=update, headers=forged)).status_code == 401
        await asyncio.sleep(0)
        assert telegram.messages(person.chat.id) == [], "nothing reached the bot"
        genuine = {"X-Telegram-Bot-Api-Secret-Token": webhook_secret(settings)}
        assert (await http.post(WEBHOOK_PATH, json=update, headers=genuine)).status_code == 200
        await asyncio.gather(*running.tasks)
    assert "请选择语言" in telegram.last_text(person.chat.id)
    await running.close()


def test_without_an_https_address_there_is_no_webhook_route(api_services: Services, tmp_path: Path) -> None:
    settings = BotSettings(TELEGRAM_BOT_TOKEN=TOKEN, CHENGNUO_DATA_DIR=tmp_path, PUBLIC_URL="http://127.0.0.1:8000")
    app = create_app(api_services.settings, api_services)
    attach(app, settings, api_services.catalogue, SERVICE_TOKEN, session=FakeTelegram())
    assert WEBHOOK_PATH not in {getattr(route, "path", "") for route in app.routes}


STORES = ["sqlite"] + (["redis"] if REDIS_URL else [])


@pytest.mark.parametrize("store", STORES)
async def test_a_conversation_outlives_the_process_that_held_it(store: str, tmp_path: Path) -> None:
    settings = BotSettings(CHENGNUO_DATA_DIR=tmp_path, REDIS_URL=REDIS_URL if store == "redis" else None)
    key = StorageKey(bot_id=1, chat_id=2, user_id=secrets.randbelow(10**12) + 1, destiny="default")
    first, _ = make_storage(settings)
    assert isinstance(first, SqliteStorage) == (store == "sqlite")
    await first.set_state(key, Commit.review)
    await first.set_data(key, {"item": "SFJ-001", "answers": {"applicant.name": "阿依古丽·买买提"}})
    await first.close()
    second, _ = make_storage(settings)  # a new process, the same store
    assert await second.get_state(key) == Commit.review.state
    assert (await second.get_data(key))["answers"]["applicant.name"] == "阿依古丽·买买提"
    await second.set_state(key, None)
    await second.set_data(key, {})
    await second.close()


def test_chengnuo_chat_runs_the_conversation_in_a_terminal(tmp_path: Path) -> None:
    """The README's way to try the bot: numbers press buttons, words answer, /quit leaves."""
    typed = "2\n1\n3\n法律援助\n/quit\n"  # Uyghur, new commitment, all items, then words of a name
    done = chengnuo("chat", typed=typed, CHENGNUO_DATA_DIR=tmp_path, CHENGNUO_RENDER_WORKERS="0")
    assert done.returncode == 0, done.stderr
    assert "[1] 中文" in done.stdout and "[2] ئۇيغۇرچە" in done.stdout
    assert "ئۇيغۇرچە" in done.stdout.split("[4] قىرعىزچا", 1)[1], "the language was chosen"
    assert "\u200f" not in done.stdout, "the terminal shows text without Telegram's direction mark"


async def test_commands_and_descriptions_are_set_in_each_language_telegram_knows(tmp_path: Path) -> None:
    from aiogram.methods import SetMyCommands, SetMyDescription

    from bot.app import build_bot, set_commands
    from bot.i18n import make_i18n

    telegram = FakeTelegram()
    bot = build_bot(BotSettings(TELEGRAM_BOT_TOKEN=TOKEN, CHENGNUO_DATA_DIR=tmp_path), session=telegram)
    await set_commands(bot, make_i18n())
    commands = {m.language_code: m.commands for m in telegram.requests if isinstance(m, SetMyCommands)}
    assert set(commands) == {None, "ug", "ky"}, "Chinese for everyone else"
    described = {m.language_code: m.description for m in telegram.requests if isinstance(m, SetMyDescription)}
    assert {c.command for c in commands["ug"]} == {"start", "menu", "language", "help"}
    assert commands[None][0].description != commands["ug"][0].description != commands["ky"][0].description
    assert all(described.values()) and len(set(described.values())) == 3
