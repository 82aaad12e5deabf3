"""The WeChat Official Account inside the API's process (`chengnuo serve` with WECHAT_* set).

`GET /wechat` answers WeChat's server check; `POST /wechat` takes each message or event, checks
that WeChat signed it (and decrypts it in safe mode), and answers with the conversation's reply.
Anything not signed with the Account's token is refused (403) before it is read. Beside it, the
courier delivers the outbox's notifications for WeChat followers.

Several instances sharing REDIS_URL serve the Account as one: any of them answers WeChat's posts
(the conversation, the access token and the seen messages live in Redis), and only the holder of
the courier's lease (bot.lease) delivers the outbox.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from aiogram.types import User
from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from pydantic import SecretStr

from bot.app import build_bot, build_dispatcher
from bot.i18n import make_i18n
from bot.lease import GRACE, Lease, as_one, connect, finish
from bot.settings import BotSettings
from bot.storage import make_storage
from bot.wechat.channel import PATIENCE, WeChatChannel
from bot.wechat.client import WeChatClient
from bot.wechat.courier import WeChatCourier
from bot.wechat.dedup import Seen
from bot.wechat.errors import BadMessage, BadSignature
from bot.wechat.links import LinkingApi
from bot.wechat.protocol import Protocol
from bot.wechat.reply import Draft
from bot.wechat.settings import WeChatSettings
from bot.wechat.turn import Turn, WeChatStandIn
from forms.catalogue import Catalogue

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
PATH = "/wechat"
WECHAT_TOKEN = "1000000003:wechat-channel-not-a-telegram-token"  # never leaves the process
ME = User(id=1000000003, is_bot=True, first_name="chengnuo", username="chengnuo_wechat")
MAX_BODY = 64 * 1024  # a message from WeChat is a few kilobytes at most


@dataclass
class RunningWeChat:
    channel: WeChatChannel
    courier: WeChatCourier
    protocol: Protocol
    api: LinkingApi
    redis: Redis | None = None  # shared by the instances; None: this instance is alone
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    async def deliver(self) -> None:
        """The outbox, delivered by this instance while it holds the courier's lease, until `stop`."""
        await as_one(self.courier.lease, self.courier.deliver_forever, self.stop, what="wechat courier")

    async def close(self) -> None:
        """Stop: the courier finishes the message in hand, its lease is let go, then the rest is cancelled."""
        self.stop.set()
        await finish(list(self.tasks), GRACE + 1)
        await self.channel.settled()
        await self.channel.dispatcher.storage.close()
        await self.channel.client.aclose()
        await self.api.close()
        if self.redis is not None:
            await self.redis.aclose()


def prepare(
    app: FastAPI, settings: BotSettings, wechat: WeChatSettings, catalogue: Catalogue, service_token: str,
    wechat_transport: httpx.AsyncBaseTransport | None = None, patience: float = PATIENCE,
    clock: Callable[[], float] = time.time,
) -> RunningWeChat:  # fmt: skip
    """The channel over the API in this process; in tests, WeChat's API through `wechat_transport`
    and its time from `clock` (the replay window is checked against it)."""
    api = LinkingApi.connect("http://chengnuo.internal", service_token, transport=httpx.ASGITransport(app=app))
    api.public_url = settings.public_url
    redis = connect(settings)
    client = WeChatClient(wechat, redis=redis, transport=wechat_transport)
    storage, isolation = make_storage(settings)
    i18n = make_i18n()
    channel_box: list[WeChatChannel] = []

    async def late(turn: Turn, draft: Draft) -> None:
        await channel_box[0].late(turn, draft)

    stand_in = WeChatStandIn(ME, api, late, client.media)
    bot = build_bot(settings.model_copy(update={"telegram_bot_token": SecretStr(WECHAT_TOKEN)}), session=stand_in)
    dispatcher = build_dispatcher(
        api=api, catalogue=catalogue, settings=settings, storage=storage, isolation=isolation, i18n=i18n
    )
    channel = WeChatChannel(bot=bot, dispatcher=dispatcher, client=client, seen=Seen(redis), catalogue=catalogue,
                            i18n=i18n, patience=patience)  # fmt: skip
    channel_box.append(channel)
    lease = None if redis is None else Lease(redis, f"wechat:{wechat.app_id}:courier")
    courier = WeChatCourier(channel, api, catalogue, i18n, wechat, lease=lease)
    return RunningWeChat(channel, courier, Protocol(wechat, clock=clock), api, redis)


def attach(
    app: FastAPI, settings: BotSettings, wechat: WeChatSettings, catalogue: Catalogue, service_token: str,
    wechat_transport: httpx.AsyncBaseTransport | None = None, patience: float = PATIENCE,
    clock: Callable[[], float] = time.time,
) -> RunningWeChat:  # fmt: skip
    """The Account's routes on the app (first, before any page route), and its courier in the lifespan."""
    running = prepare(app, settings, wechat, catalogue, service_token, wechat_transport, patience, clock)
    check, receive = _routes(running)
    routes = [APIRoute(PATH, check, methods=["GET"], include_in_schema=False),
              APIRoute(PATH, receive, methods=["POST"], include_in_schema=False)]  # fmt: skip
    app.router.routes[:0] = routes
    app.router.lifespan_context = _with_wechat(app.router.lifespan_context, running)
    return running


def _routes(running: RunningWeChat) -> tuple[Callable[..., Any], Callable[..., Any]]:
    async def check(request: Request) -> Response:
        """WeChat's server check when the URL is configured: echo `echostr` if the signature is ours."""
        params = request.query_params
        try:
            echo = running.protocol.answer_check(
                params.get("signature", ""), params.get("timestamp", ""), params.get("nonce", ""),
                params.get("echostr", ""),
            )  # fmt: skip
        except BadSignature:
            return Response(status_code=403)
        return Response(echo, media_type="text/plain")

    async def receive(request: Request) -> Response:
        """A message or an event: answered within WeChat's 5 s, with the turn's reply or "success"."""
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return Response(status_code=413)
        try:
            inbound = running.protocol.read(dict(request.query_params), body)
        except BadSignature:
            log.warning("wechat: a message with a bad signature was refused")
            return Response(status_code=403)
        except BadMessage:
            return Response(status_code=400)
        reply = await running.channel.handle(inbound)
        return Response(running.protocol.reply(inbound, reply), media_type="application/xml")

    return check, receive


def _with_wechat(
    inner: Callable[[FastAPI], AbstractAsyncContextManager[Any]], running: RunningWeChat
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app):
            task = asyncio.create_task(running.deliver())
            running.tasks.add(task)
            try:
                yield
            finally:
                await running.close()

    return lifespan
