"""Several instances against one Redis behave as one bot: one poller, one courier, taken over.

Real Redis (REDIS_URL), real leases with short TTLs and real time; Telegram faked per instance, as
each instance has its own HTTP session to it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from aiogram import Bot
from aiogram.methods import GetUpdates, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from aiogram.utils.i18n import I18n
from redis.asyncio import Redis
from sqlmodel import select

from api.runtime import Services, write_session
from api.store import LetterRecord, OutboxMessage
from bot.app import build_bot
from bot.delivery import Courier
from bot.i18n import make_i18n
from bot.lease import Lease, as_one
from bot.pacing import MonotonicClock
from bot.running import RunningBot, prepare
from bot.settings import BotSettings
from forms import clock as api_clock
from forms.catalogue import Catalogue
from tests.bot.conftest import api_client
from tests.bot.telegram import TOKEN, FakeTelegram, Person
from tests.bot.test_delivery import submitted

REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="several instances share Redis: set REDIS_URL")
Chat = TypeVar("Chat", int, str)
JITTER = 0.05  # the fake notes a send after the pacer let it go, late by what the event loop lags


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    assert REDIS_URL is not None
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def a_lease_name() -> str:
    return f"test:{secrets.token_hex(4)}"


async def eventually(done: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}"
        await asyncio.sleep(0.02)


# Couriers


class Telegram(FakeTelegram):
    """One instance's way to Telegram: notes when each message was accepted, on the real clock."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.accepted: list[tuple[float, int, str]] = []  # when, to which chat, what
        self.on_accept: Callable[[Telegram], None] = lambda telegram: None

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        result = await super().make_request(bot, method, timeout)
        if isinstance(method, SendMessage):
            self.accepted.append((time.monotonic(), int(method.chat_id), method.text))
            self.on_accept(self)
        return result


async def outbox_of(services: Services, chats: Sequence[Chat], channel: str = "telegram") -> list[tuple[Chat, int]]:
    """Notifications for these chats, in the outbox's order, each with a reason saying its place: (chat, n)."""
    api = api_client(services)
    number = await submitted(api, services.catalogue, "SFJ-001", None)
    await api.close()
    placed = []
    with write_session(services) as session:
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        assert letter.id is not None
        for n, chat in enumerate(chats):
            payload = {"number": number, "item_code": "SFJ-001", "from_status": "signed", "to_status": "accepted",
                       "reason": f"#{n}", "language": "zh"}  # fmt: skip
            session.add(OutboxMessage(
                letter_id=letter.id, channel=channel, channel_user=str(chat), kind="status_changed",
                dedup_key=f"instances:{number}:{n}", payload=json.dumps(payload), created_at=api_clock.now(),
            ))  # fmt: skip
            placed.append((chat, n))
        session.commit()
    return placed


def place(text: str) -> int:
    found = re.search(r"#(\d+)", text)
    assert found, text
    return int(found.group(1))


@dataclass
class Instance:
    """One `chengnuo serve`'s courier: its own bot session, its own lease object, the shared Redis."""

    telegram: Telegram
    courier: Courier
    lease: Lease
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(as_one(self.lease, self.courier.deliver_forever, self.stop, what="courier"))


async def test_two_couriers_deliver_a_burst_once_in_order_within_telegrams_limits(
    api_services: Services, catalogue: Catalogue, redis: Redis, tmp_path: Path
) -> None:
    # 4 chats with 4 notices each, interleaved, then 40 chats with one: more than 30 at once
    many = [840000001, 840000002, 840000003, 840000004]
    chats = [chat for _ in range(4) for chat in many] + [840000100 + n for n in range(40)]
    placed = await outbox_of(api_services, chats)

    settings = BotSettings(TELEGRAM_BOT_TOKEN=TOKEN, CHENGNUO_DATA_DIR=tmp_path, PUBLIC_URL="http://127.0.0.1:8000")
    i18n: I18n = make_i18n()
    name = a_lease_name()
    instances = []
    for who in ("first", "second"):
        telegram = Telegram(who)
        lease = Lease(redis, name, ttl=2.0)
        courier = Courier(build_bot(settings, session=telegram), api_client(api_services), catalogue, i18n,
                          clock=MonotonicClock(), lease=lease, lease_seconds=5, idle_seconds=0.1)  # fmt: skip
        instances.append(Instance(telegram, courier, lease))

    stopped_at: list[float] = []

    def halt_the_holder_after_20(telegram: Telegram) -> None:
        if sum(len(i.telegram.accepted) for i in instances) == 20:
            next(i for i in instances if i.telegram is telegram).stop.set()  # a deploy stops it mid-burst
            stopped_at.append(time.monotonic())

    for instance in instances:
        instance.telegram.on_accept = halt_the_holder_after_20
        instance.start()
    try:
        await eventually(lambda: sum(len(i.telegram.accepted) for i in instances) >= len(placed), 30, "all sent")
        await asyncio.sleep(0.3)  # anything sent twice would show by now
    finally:
        for instance in instances:
            instance.stop.set()
        await asyncio.gather(*(i.task for i in instances if i.task is not None))
        for instance in instances:
            await instance.courier.api.close()

    holder, successor = sorted(instances, key=lambda i: i.telegram.accepted[0][0] if i.telegram.accepted else 1e99)
    assert len(holder.telegram.accepted) >= 20 and successor.telegram.accepted, "the second took over"
    assert holder.telegram.accepted[-1][0] < successor.telegram.accepted[0][0], "never both at once"
    # it gave back what it had leased and not sent: the other waits a second, not for that lease (6 s)
    assert successor.telegram.accepted[0][0] - stopped_at[0] < 3.5
    sent = sorted(holder.telegram.accepted + successor.telegram.accepted)
    assert sorted((chat, place(text)) for _, chat, text in sent) == sorted(placed), "each once"
    for chat in many:
        assert [place(text) for _, to, text in sent if to == chat] == [n for c, n in placed if c == chat], "in order"
    times = [at for at, _, _ in sent]
    assert all(sum(1 for other in times if at <= other < at + 1.0 - JITTER) <= 30 for at in times)
    for chat in set(chats):
        mine = [at for at, to, _ in sent if to == chat]
        gaps = [b - a for a, b in itertools.pairwise(mine)]
        assert all(gap >= 1.0 - JITTER for gap in gaps), f"1 a second to chat {chat}: {gaps}"
    assert await redis.get(f"chengnuo:lease:{name}") is None, "let go on stopping"


# Pollers


@dataclass
class Updates:
    """Telegram's getUpdates, as both instances reach it: pending updates, and who is polling now."""

    pending: list[Update] = field(default_factory=list)
    polling: str | None = None
    conflicts: list[str] = field(default_factory=list)  # a second consumer: Telegram answers 409


class Polled(FakeTelegram):
    def __init__(self, name: str, updates: Updates) -> None:
        super().__init__()
        self.name, self.updates = name, updates
        self.polls: list[float] = []

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if not isinstance(method, GetUpdates):
            return await super().make_request(bot, method, timeout)
        self.polls.append(time.monotonic())
        if self.updates.polling not in (None, self.name):
            self.updates.conflicts.append(f"{self.name} polled while {self.updates.polling} did")
        self.updates.polling = self.name
        try:
            await asyncio.sleep(0.05)  # a long poll, made short
            given, self.updates.pending[:] = list(self.updates.pending), []
            return given  # type: ignore[return-value]
        finally:
            self.updates.polling = None


async def poller(
    services: Services, updates: Updates, name: str, redis: Redis, lease_name: str, tmp_path: Path
) -> tuple[RunningBot, Polled]:
    settings = BotSettings(TELEGRAM_BOT_TOKEN=TOKEN, CHENGNUO_DATA_DIR=tmp_path / name,
                           PUBLIC_URL="http://127.0.0.1:8000", REDIS_URL=None)  # fmt: skip
    telegram = Polled(name, updates)
    running = prepare(settings, api_client(services), services.catalogue, session=telegram)
    running.polling_lease = Lease(redis, lease_name, ttl=1.0)
    running.spawn(running.poll())
    return running, telegram


@pytest.mark.parametrize("end", ["released", "expired"])
async def test_one_instance_polls_and_another_takes_over_when_it_stops(
    api_services: Services, redis: Redis, tmp_path: Path, end: str
) -> None:
    updates, name = Updates(), a_lease_name()
    first = await poller(api_services, updates, "first", redis, name, tmp_path)
    second = await poller(api_services, updates, "second", redis, name, tmp_path)
    try:
        await eventually(lambda: len(first[1].polls) + len(second[1].polls) >= 5, 5, "polling")
        await asyncio.sleep(0.5)
        [(holder, holding)] = [(r, t) for r, t in (first, second) if t.polls]
        [(_standby, standing)] = [(r, t) for r, t in (first, second) if not t.polls]
        assert standing.polls == [], "one consumer"

        if end == "released":  # a deploy stops the holder
            stopped_at = time.monotonic()
            await holder.close()
        else:  # the holder can no longer reach Redis (or hangs, or died): its lease runs out
            assert holder.polling_lease is not None
            holder.polling_lease.redis = Redis.from_url("redis://127.0.0.1:1/0")
            stopped_at = time.monotonic()
        await eventually(lambda: bool(standing.polls), 5, "taken over")
        took = standing.polls[0] - stopped_at
        assert took < (1.5 if end == "released" else 3.0), took  # TTL 1 s, tries every 0.1 s
        assert holding.polls[-1] < standing.polls[0], "the holder stopped before the other began"

        person = Person(standing, 850000001)
        updates.pending.append(person.says("/start"))
        await eventually(lambda: bool(standing.messages(person.chat.id)), 5, "answered by the new poller")
        assert not holding.messages(person.chat.id)
        assert updates.conflicts == []
    finally:
        for running, _ in (first, second):
            if not running.stop.is_set():
                await running.close()
