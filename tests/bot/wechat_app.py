"""The WeChat channel as `chengnuo serve` runs it: the real API app with /wechat attached, the real
dispatcher behind it, and a fake of WeChat only (tests/bot/wechat.py), signing and encrypting what
its users send and serving the token, media, customer-service and template endpoints.

`WeChatChat` and `Follower` speak the same language as the Telegram fixtures (`send`, `says`,
`presses_data`, `data`, `state`), so the walks of tests/bot/walk.py run through either channel.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from aiogram.fsm.storage.base import StorageKey
from PIL import Image

from api.app import create_app
from api.runtime import Services
from bot.settings import BotSettings
from bot.wechat.running import ME, RunningWeChat, attach
from bot.wechat.settings import WeChatSettings
from bot.wechat.state import telegram_id
from forms.channels import Channel, ChannelUser
from tests.bot.conftest import SERVICE_TOKEN
from tests.bot.wechat import FakeWeChatApi, FakeWeChatUser

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat gives it
TAP = re.compile(r'(\d+)\. <a href="weixin://bizmsgmenu\?msgmenucontent=\d+&msgmenuid=([^"]+)">')
LINK = re.compile(r'🔗 <a href="([^"]+)">')
Action = Callable[[], Awaitable[str]]


def wechat_settings(safe: bool) -> WeChatSettings:
    return WeChatSettings(
        WECHAT_APP_ID="wx0123456789abcdef", WECHAT_APP_SECRET="test-secret", WECHAT_TOKEN="test-token",
        WECHAT_ENCODING_AES_KEY=AES_KEY if safe else None, WECHAT_API_URL="https://api.weixin.test",
        WECHAT_TEMPLATE_STATUS="tmpl-status", WECHAT_TEMPLATE_REMINDER="tmpl-reminder",
    )  # fmt: skip


def photo(width: int = 640, height: int = 480) -> bytes:
    """A real JPEG, as a phone's camera sends it."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(out, "JPEG")
    return out.getvalue()


@dataclass
class Follower:
    """A WeChat user of the Account: each action posts to /wechat; what they read is kept in order."""

    chat: WeChatChat
    user: FakeWeChatUser
    read: list[str] = field(default_factory=list)  # passive replies and customer-service texts
    _seen_sent: int = 0

    @property
    def openid(self) -> str:
        return self.user.openid

    @property
    def who(self) -> ChannelUser:
        return ChannelUser(channel=Channel.wechat, user=self.openid)

    def _kept(self, sending: Callable[[], Awaitable[str]]) -> Action:
        async def act() -> str:
            reply = await sending()
            self.read.append(reply)
            self.catch_up()
            return reply

        return act

    def catch_up(self) -> None:
        """Customer-service messages WeChat took for this follower since last looked."""
        sent = [m for m in self.chat.api.sent if m.get("openid") == self.openid]
        for message in sent[self._seen_sent :]:
            self.read.append(str(message.get("content", "")))
        self._seen_sent = len(sent)

    def says(self, text: str) -> Action:
        return self._kept(lambda: self.user.send_text(text))

    def presses_data(self, data: str) -> Action:
        """Tap the choice that carries `data` (WeChat sends its number with the choice's id)."""
        number = next((n for n, d in self.taps() if d == data), "1")
        return self._kept(lambda: self.user.tap(data, number))

    def clicks(self, key: str) -> Action:
        """A click on the Account's menu."""
        return self._kept(lambda: self.user.click(key))

    def taps_old(self, data: str, number: str) -> Action:
        """A choice of an older message, tapped again."""
        return self._kept(lambda: self.user.tap(data, number))

    def follows(self) -> Action:
        return self._kept(self.user.follow)

    def unfollows(self) -> Action:
        return self._kept(self.user.unfollow)

    def sends_document(self, content: bytes, name: str, mime_type: str) -> Action:
        """WeChat sends no PDF from a chat to an Account: the applicant photographs the page."""
        return self.sends_photo(photo())

    def sends_photo(self, content: bytes) -> Action:
        return self._kept(lambda: self.user.send_image(content))

    def texts(self) -> list[str]:
        return [text for text in self.read if text]

    def last(self) -> str:
        texts = self.texts()
        return texts[-1] if texts else ""

    def taps(self) -> list[tuple[str, str]]:
        """(number, callback data) of the choices in the last message that offered some."""
        for text in reversed(self.texts()):
            found = TAP.findall(text)
            if found:
                return [(n, unquote(d)) for n, d in found]
        return []

    def last_buttons(self) -> list[str]:
        return [data for _n, data in self.taps()]

    def links(self) -> list[str]:
        return [url for text in self.texts() for url in LINK.findall(text)]


@dataclass
class WeChatChat:
    """The Account as one process serves it, with the fixtures' words for sending and looking."""

    services: Services
    running: RunningWeChat
    api: FakeWeChatApi
    http: httpx.AsyncClient
    settings: WeChatSettings
    followers: dict[str, Follower] = field(default_factory=dict)

    async def send(self, action: Action) -> str:
        """One message, and whatever it started beside the conversation."""
        reply = await action()
        await self.settle()
        return reply

    async def settle(self) -> None:
        await self.running.channel.settled()
        for follower in self.followers.values():
            follower.catch_up()

    def person(self, openid: str) -> Follower:
        if openid not in self.followers:
            self.followers[openid] = Follower(self, FakeWeChatUser(self.http, self.settings, self.api, openid=openid))
        return self.followers[openid]

    async def data(self, follower: Follower) -> dict[str, Any]:
        return await self.running.channel.dispatcher.storage.get_data(_key(follower.openid))

    async def state(self, follower: Follower) -> str | None:
        return await self.running.channel.dispatcher.storage.get_state(_key(follower.openid))


def _key(openid: str) -> StorageKey:
    user = telegram_id(openid)
    return StorageKey(bot_id=ME.id, chat_id=user, user_id=user)


def openid(n: int) -> str:
    """A follower's openid, as WeChat forms them (28 characters)."""
    return f"oWx{n:025d}"


@asynccontextmanager
async def wechat_running(
    services: Services,
    data_dir: Path,
    *,
    safe: bool = True,
    public_url: str = "https://chengnuo.example.cn",
    patience: float = 4.0,
) -> AsyncIterator[WeChatChat]:
    """The API app with the Account attached, as `chengnuo serve` builds it, WeChat faked."""
    settings = wechat_settings(safe)
    fake = FakeWeChatApi(settings)
    bot_settings = BotSettings(CHENGNUO_DATA_DIR=data_dir, PUBLIC_URL=public_url, REDIS_URL=None)
    app = create_app(services.settings, services)
    running = attach(app, bot_settings, settings, services.catalogue, SERVICE_TOKEN,
                     wechat_transport=fake.transport, patience=patience, clock=fake.now)  # fmt: skip
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        try:
            yield WeChatChat(services, running, fake, http, settings)
        finally:
            await running.close()


@pytest.fixture(params=["plain", "safe"])
async def wechat(request: pytest.FixtureRequest, api_services: Services, tmp_path: Path) -> AsyncIterator[WeChatChat]:
    async with wechat_running(api_services, tmp_path, safe=request.param == "safe") as chat:
        yield chat
