"""The real dispatcher, the real API app on a real store, and a fake of Telegram's servers only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Update

from api.app import build_services, create_app
from api.config import ApiSettings
from api.runtime import Services
from bot.app import build_bot, build_dispatcher
from bot.client import ApiClient
from bot.settings import BotSettings
from bot.storage import make_storage
from forms.catalogue import Catalogue
from tests.api.conftest import STORES as STORES
from tests.api.conftest import _postgres_schema_url
from tests.bot.telegram import TOKEN, FakeTelegram, Person

SERVICE_TOKEN = "bot-test-service-token"


@pytest.fixture(scope="module")
def api_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    yield from services_on("sqlite", tmp_path_factory)


def services_on(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The API's services on SQLite, or on PostgreSQL in a schema of its own (tests/api/conftest.py):
    a test module whose behaviour stores something overrides `api_services` with both (STORES)."""
    urls = _postgres_schema_url() if store == "postgresql" else iter([None])
    settings = ApiSettings(
        CHENGNUO_DATA_DIR=tmp_path_factory.mktemp("api"),
        CHENGNUO_SERVICE_TOKEN=SERVICE_TOKEN,
        CHENGNUO_RENDER_WORKERS=0,
        PUBLIC_URL="http://127.0.0.1:8000",
        DATABASE_URL=next(urls),
    )
    services = build_services(settings)
    assert services.engine.dialect.name == store
    yield services
    services.renderer.close()
    services.engine.dispose()
    next(urls, None)  # drops the PostgreSQL schema


@dataclass
class Chat:
    """The bot as one process runs it; `restart` builds a new dispatcher on the same storage."""

    services: Services
    settings: BotSettings
    telegram: FakeTelegram
    bot: Bot
    api: ApiClient
    dispatcher: Dispatcher = field(init=False)

    def __post_init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        storage, isolation = make_storage(self.settings)
        self.dispatcher = build_dispatcher(
            api=self.api,
            catalogue=self.services.catalogue,
            settings=self.settings,
            storage=storage,
            isolation=isolation,
        )

    async def send(self, update: Update) -> None:
        """One update, handled with whatever it started beside the conversation (the credit check)."""
        await self.dispatcher.feed_update(self.bot, update)
        while self.dispatcher["background"]:
            await asyncio.gather(*self.dispatcher["background"])

    def person(self, user_id: int, language_code: str = "zh-hans") -> Person:
        return Person(self.telegram, user_id, language_code)

    async def data(self, person: Person) -> dict[str, Any]:
        key = StorageKey(bot_id=self.bot.id, chat_id=person.chat.id, user_id=person.user.id)
        return await self.dispatcher.storage.get_data(key)

    async def state(self, person: Person) -> str | None:
        key = StorageKey(bot_id=self.bot.id, chat_id=person.chat.id, user_id=person.user.id)
        return await self.dispatcher.storage.get_state(key)


def api_client(services: Services, transport: httpx.AsyncBaseTransport | None = None) -> ApiClient:
    app = create_app(services.settings, services)
    return ApiClient.connect("http://api.test", SERVICE_TOKEN, transport=transport or httpx.ASGITransport(app=app))


@pytest.fixture
async def chat(api_services: Services, tmp_path: Path) -> AsyncIterator[Chat]:
    settings = BotSettings(
        TELEGRAM_BOT_TOKEN=TOKEN, CHENGNUO_DATA_DIR=tmp_path, PUBLIC_URL="http://127.0.0.1:8000", REDIS_URL=None
    )
    telegram = FakeTelegram()
    api = api_client(api_services)
    yield Chat(api_services, settings, telegram, build_bot(settings, session=telegram), api)
    await api.close()


@pytest.fixture
def catalogue(api_services: Services) -> Catalogue:
    return api_services.catalogue
