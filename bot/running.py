"""Running the bot: alone against API_URL (`chengnuo bot`), or inside the API's process (`chengnuo serve`).

Updates arrive by long polling, or, inside `chengnuo serve` with an https PUBLIC_URL, by webhook: Telegram
then posts each update to PUBLIC_URL/telegram/webhook with the secret token we registered, and
anything without it is refused. Beside the conversation, the courier delivers the outbox.

Any number of instances behave as one bot when they share REDIS_URL, and the processes of one machine
(`serve --workers N`) when they share a lock directory (bot.lease): in long polling,
only the instance holding the polling lease polls (Telegram refuses a second consumer with 409),
the others stand by and take over within seconds of its death; by webhook, any instance handles the
updates sent to it. Either way only the holder of the courier's lease delivers the outbox.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.types import Update
from aiogram.utils.i18n import I18n
from fastapi import FastAPI, Request, Response

from bot.app import build_bot, build_dispatcher, set_commands
from bot.client import ApiClient
from bot.delivery import Courier
from bot.i18n import make_i18n
from bot.lease import GRACE, Holding, Lease, LocalLease, as_one, connect, finish
from bot.settings import BotSettings
from bot.storage import make_storage
from forms.catalogue import Catalogue

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"


@dataclass
class RunningBot:
    """The bot, its dispatcher, and the tasks that run beside them."""

    bot: Bot
    dispatcher: Dispatcher
    api: ApiClient
    catalogue: Catalogue
    i18n: I18n
    redis: Redis | None = None  # where instances share their leases; None: this instance is alone
    polling_lease: Holding | None = None
    courier_lease: Holding | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def deliver(self) -> None:
        """The outbox, delivered by this instance while it holds the courier's lease, until `stop`."""
        courier = Courier(self.bot, self.api, self.catalogue, self.i18n, lease=self.courier_lease)
        await as_one(self.courier_lease, courier.deliver_forever, self.stop, what="telegram courier")

    async def poll(self) -> None:
        """Long polling by this instance while it holds the polling lease, until `stop`."""
        await as_one(self.polling_lease, self._poll, self.stop, what="telegram polling")

    async def _poll(self, halt: asyncio.Event) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        polling = asyncio.create_task(
            self.dispatcher.start_polling(self.bot, handle_signals=False, close_bot_session=False)
        )
        halting = asyncio.ensure_future(halt.wait())
        try:
            await asyncio.wait({polling, halting}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            halting.cancel()
            if not polling.done():
                try:
                    await self.dispatcher.stop_polling()
                except RuntimeError:  # not started yet: nothing to stop gracefully
                    polling.cancel()
        await asyncio.wait({polling})
        if not polling.cancelled():
            polling.result()  # polling that failed fails this holder: the lease goes to another

    async def close(self) -> None:
        """Stop: the courier finishes the message in hand, a lease is let go, then the rest is cancelled."""
        self.stop.set()
        await finish(list(self.tasks), GRACE + 1)
        await self.dispatcher.storage.close()
        await self.bot.session.close()
        await self.api.close()
        if self.redis is not None:
            await self.redis.aclose()


def prepare(
    settings: BotSettings,
    api: ApiClient,
    catalogue: Catalogue,
    session: BaseSession | None = None,
    *,
    local_leases: Path | None = None,
) -> RunningBot:
    """`local_leases`: where the processes of one machine share their leases when there is no Redis
    (`serve --workers N`); None and no Redis: this process is the only one with the bot."""
    storage, isolation = make_storage(settings)
    i18n = make_i18n()
    dispatcher = build_dispatcher(
        api=api, catalogue=catalogue, settings=settings, storage=storage, isolation=isolation, i18n=i18n
    )
    bot, redis = build_bot(settings, session), connect(settings)
    running = RunningBot(bot, dispatcher, api, catalogue, i18n, redis)
    if redis is not None:  # per bot: Telegram's limits and its updates are the bot's
        running.polling_lease = Lease(redis, f"telegram:{bot.id}:polling")
        running.courier_lease = Lease(redis, f"telegram:{bot.id}:courier")
    elif local_leases is not None:
        running.polling_lease = LocalLease(local_leases, f"telegram-{bot.id}-polling")
        running.courier_lease = LocalLease(local_leases, f"telegram-{bot.id}-courier")
    return running


def webhook_secret(settings: BotSettings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from the bot token so nothing more must be configured."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value().encode()
    return hmac.new(token, b"chengnuo webhook", hashlib.sha256).hexdigest()


async def run_alone(settings: BotSettings, catalogue: Catalogue) -> None:
    """`chengnuo bot`: long polling, with the API at API_URL, until interrupted."""
    if settings.service_token is None:
        raise ValueError("CHENGNUO_SERVICE_TOKEN must be the API's service token")
    api = ApiClient.connect(settings.api_url, settings.service_token.get_secret_value())
    running = prepare(settings, api, catalogue)
    loop = asyncio.get_running_loop()
    for stopping in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # Windows: Ctrl+C ends the process all the same
            loop.add_signal_handler(stopping, running.stop.set)
    try:
        await set_commands(running.bot, running.i18n)
        running.spawn(running.deliver())
        await running.poll()
    finally:
        await running.close()


def attach(
    app: FastAPI,
    settings: BotSettings,
    catalogue: Catalogue,
    service_token: str,
    session: BaseSession | None = None,
    *,
    local_leases: Path | None = None,
) -> RunningBot:
    """Run the bot inside the API's process: it calls the API in-process, as the bot alone would over HTTP."""
    transport = httpx.ASGITransport(app=app)
    api = ApiClient.connect("http://chengnuo.internal", service_token, transport=transport)
    running = prepare(settings, api, catalogue, session, local_leases=local_leases)
    if settings.webhook:
        app.add_api_route(WEBHOOK_PATH, _webhook(running, webhook_secret(settings)), methods=["POST"],
                          include_in_schema=False)  # fmt: skip
    app.router.lifespan_context = _with_bot(app.router.lifespan_context, running, settings)
    return running


def _with_bot(
    inner: Callable[[FastAPI], AbstractAsyncContextManager[Any]], running: RunningBot, settings: BotSettings
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app):
            running.spawn(_start(running, settings))
            running.spawn(running.deliver())
            try:
                yield
            finally:
                await running.close()

    return lifespan


async def _start(running: RunningBot, settings: BotSettings) -> None:
    """Commands, then the webhook or polling; Telegram being unreachable is logged, not fatal to the API.

    Every instance sets the same commands and webhook: Telegram keeps the last, and they are alike."""
    try:
        await set_commands(running.bot, running.i18n)
        if settings.webhook:
            url = settings.public_url.rstrip("/") + WEBHOOK_PATH
            await running.bot.set_webhook(url, secret_token=webhook_secret(settings))
            return
        await running.poll()
    except Exception:
        log.exception("the bot could not start; the API goes on serving")


def _webhook(running: RunningBot, secret: str) -> Callable[[Request], Any]:
    async def receive(request: Request) -> Response:
        """An update from Telegram, answered at once and handled beside the request."""
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=401)
        try:
            update = Update.model_validate(await request.json(), context={"bot": running.bot})
        except ValueError:
            return Response(status_code=400)
        running.spawn(running.dispatcher.feed_update(running.bot, update))
        return Response(status_code=200)

    return receive
