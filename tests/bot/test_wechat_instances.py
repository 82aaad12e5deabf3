"""Several instances serving one WeChat Official Account: one courier between them, taken over."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from api.app import create_app
from api.runtime import Services
from bot.lease import Lease
from bot.settings import BotSettings
from bot.wechat.running import RunningWeChat, prepare
from tests.bot.conftest import SERVICE_TOKEN
from tests.bot.test_instances import REDIS_URL, eventually, outbox_of
from tests.bot.wechat import FakeWeChatApi
from tests.bot.wechat_app import openid, wechat_settings

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="several instances share Redis: set REDIS_URL")


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    assert REDIS_URL is not None
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


class Noting(httpx.AsyncBaseTransport):
    """One instance's way to WeChat (the same WeChat for all): whose customer-service messages went."""

    def __init__(self, inner: httpx.AsyncBaseTransport, name: str, sent_by: list[str]) -> None:
        self.inner, self.name, self.sent_by = inner, name, sent_by
        self.sent_at: list[float] = []
        self.on_send: Callable[[str], None] = lambda name: None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self.inner.handle_async_request(request)
        if request.url.path == "/cgi-bin/message/custom/send":
            self.sent_by.append(self.name)
            self.sent_at.append(time.monotonic())
            self.on_send(self.name)
        return answer


async def test_two_instances_send_a_followers_notices_once_and_in_order(
    api_services: Services, redis: Redis, tmp_path: Path
) -> None:
    settings = wechat_settings(safe=False)
    await redis.delete(f"chengnuo:wechat:token:{settings.app_id}")  # issued by another test's fake WeChat
    wechat, follower, sent_by = FakeWeChatApi(settings), openid(4242), list[str]()
    wechat.user_wrote(follower)  # five customer-service messages allowed since
    placed = await outbox_of(api_services, [follower] * 5, channel="wechat")
    name = f"test:{secrets.token_hex(4)}"
    instances: dict[str, RunningWeChat] = {}
    stopped_at: list[float] = []
    transports: dict[str, Noting] = {}

    def stop_the_holder_after_2(who: str) -> None:  # stopped mid-way, as a deploy stops it
        if len(sent_by) == 2:
            instances[who].stop.set()
            stopped_at.append(time.monotonic())

    for who in ("first", "second"):
        app = create_app(api_services.settings, api_services)
        bot_settings = BotSettings(CHENGNUO_DATA_DIR=tmp_path / who, PUBLIC_URL="https://chengnuo.example.cn",
                                   REDIS_URL=REDIS_URL)  # fmt: skip
        transport = transports[who] = Noting(wechat.transport, who, sent_by)
        running = prepare(app, bot_settings, settings, api_services.catalogue, SERVICE_TOKEN,
                          wechat_transport=transport, clock=wechat.now)  # fmt: skip
        running.courier.lease = Lease(redis, name, ttl=2.0)
        running.courier.lease_seconds, running.courier.idle_seconds = 5, 0.1
        transport.on_send = stop_the_holder_after_2
        instances[who] = running
    tasks = [asyncio.create_task(running.deliver()) for running in instances.values()]
    try:
        await eventually(lambda: len(sent_by) >= len(placed), 30, "all sent")
        await asyncio.sleep(0.3)
    finally:
        for running in instances.values():
            running.stop.set()
        await asyncio.gather(*tasks)
        for running in instances.values():
            await running.close()

    holder = sent_by[0]
    successor = next(who for who in instances if who != holder)
    assert sent_by == [holder] * 2 + [successor] * 3, "one at a time"
    # the holder gave back what it had leased and not sent: no wait for that lease to run out (6 s)
    assert transports[successor].sent_at[0] - stopped_at[0] < 3
    places = [int(found.group(1)) for text in wechat.texts(follower) if (found := re.search(r"#(\d+)", text))]
    assert places == [n for _, n in placed], "each once, in order"
