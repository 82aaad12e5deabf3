"""The courier against the real API's outbox and a fake of Telegram's servers, in virtual time."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy import update
from sqlmodel import Session, col, select

from api.app import create_app
from api.runtime import Services, write_session
from api.services.deadlines import run_deadlines
from api.store import LetterRecord, OutboxMessage
from bot.app import build_bot
from bot.callbacks import LetterAction
from bot.client import ApiClient
from bot.delivery import Courier, deliver_forever
from bot.i18n import RLM, ltr, make_i18n
from bot.labels import status_name
from bot.pacing import MonotonicClock, Pacer
from bot.settings import BotSettings
from forms import clock as api_clock
from forms.catalogue import Catalogue
from forms.channels import ChannelUser
from forms.languages import Lang
from forms.submission import submission_hash
from forms.withdrawal import WithdrawalReason, recorded_reason
from forms.workdays import working_days_until
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.bot.conftest import api_client
from tests.bot.telegram import TOKEN, FakeTelegram


class FakeClock:
    """Virtual time: a sleep returns at once, the clock having moved on by that much."""

    def __init__(self) -> None:
        self.at = 1000.0
        self.sleeps: list[float] = []
        self.on_sleep: Callable[[float], None] | None = None

    def now(self) -> float:
        return self.at

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.at += seconds
        if self.on_sleep is not None:
            self.on_sleep(seconds)
        await asyncio.sleep(0)


class Telegram(FakeTelegram):
    """FakeTelegram (tests/bot/telegram.py), plus what it cannot do: refuse a chat with 403 or 400,
    fail on the network, note the (virtual) time of each message, and let the bot die right after
    Telegram accepted one."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.sent_at: list[tuple[float, int]] = []  # every sendMessage tried: when, to which chat
        self.accepted: list[SendMessage] = []
        self.blocked: set[int] = set()
        self.gone: set[int] = set()
        self.network_failures = 0
        self.crash: asyncio.Task[Any] | None = None

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if isinstance(method, SendMessage):
            chat = int(method.chat_id)
            self.sent_at.append((self.clock.now(), chat))
            if chat in self.blocked or chat in self.gone:
                self.requests.append(method)
                status, description = (403, "Forbidden: bot was blocked by the user") if chat in self.blocked else (
                    400, "Bad Request: chat not found")  # fmt: skip
                body = {"ok": False, "error_code": status, "description": description}
                self.check_response(bot, method, status, json.dumps(body))
            if self.network_failures:
                self.network_failures -= 1
                self.requests.append(method)
                raise TelegramNetworkError(method=method, message="ClientOSError: Connection reset by peer")
        result = await super().make_request(bot, method, timeout)
        if isinstance(method, SendMessage):
            self.accepted.append(method)
            if self.crash is not None:  # the process dies here: Telegram has the message, the API no ack
                worker, self.crash = self.crash, None
                worker.cancel()
                await asyncio.Event().wait()
        return result

    def accepted_in(self, chat: int) -> list[str]:
        return [m.text for m in self.accepted if int(m.chat_id) == chat]


class Recording(httpx.AsyncBaseTransport):
    """The way to the API, noting every call; `failures` makes the next calls fail to connect."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.calls: list[tuple[str, str]] = []
        self.failures = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        if self.failures:
            self.failures -= 1
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def acks(self) -> list[str]:
        return [path for method, path in self.calls if method == "POST" and path.endswith("/ack")]

    def leases(self) -> int:
        return sum(1 for method, path in self.calls if method == "GET" and path == "/api/outbox")


@pytest.fixture(autouse=True)
def empty_outbox(api_services: Services) -> None:
    """The API is shared by this module's tests: each starts with nothing to deliver."""
    with write_session(api_services) as session:
        session.execute(
            update(OutboxMessage).where(col(OutboxMessage.acked_at).is_(None)).values(acked_at=api_clock.now())
        )
        session.commit()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def telegram(clock: FakeClock) -> Telegram:
    return Telegram(clock)


@pytest.fixture
def bot(telegram: Telegram, tmp_path: Path) -> Bot:
    settings = BotSettings(TELEGRAM_BOT_TOKEN=TOKEN, CHENGNUO_DATA_DIR=tmp_path, PUBLIC_URL="http://127.0.0.1:8000")
    return build_bot(settings, session=telegram)


@pytest.fixture
def transport(api_services: Services) -> Recording:
    return Recording(httpx.ASGITransport(app=create_app(api_services.settings, api_services)))


@pytest.fixture
async def api(api_services: Services, transport: Recording) -> AsyncIterator[ApiClient]:
    client = api_client(api_services, transport=transport)
    yield client
    await client.close()


@pytest.fixture
def i18n() -> I18n:
    return make_i18n()


@pytest.fixture
def courier(bot: Bot, api: ApiClient, catalogue: Catalogue, i18n: I18n, clock: FakeClock) -> Courier:
    return Courier(bot, api, catalogue, i18n, clock=clock)


@pytest.fixture
def api_later(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Move the API's clock on, so that leases run out without waiting for them."""
    real_now = api_clock.now

    def advance(seconds: float) -> None:
        monkeypatch.setattr(api_clock, "now", lambda: real_now() + timedelta(seconds=seconds))

    return advance


async def submitted(api: ApiClient, catalogue: Catalogue, code: str, user: int | None, lang: Lang = Lang.zh) -> str:
    """A letter signed in Telegram by `user` (None: signed some other way), through the API."""
    item = catalogue.items[code]
    submission = submission_for(item, lang)
    signature = submission.signature.model_copy(update={"channel_user": None if user is None else str(user)})
    submission = submission.model_copy(update={"signature": signature})
    signature = signature.model_copy(update={"content_hash": submission_hash(submission, item)})
    made = await api.submit(body(submission.model_copy(update={"signature": signature})), key())
    return made.number


async def moved(api: ApiClient, services: Services, number: str, *targets: str) -> None:
    """A clerk of the letter's department moves it, step by step."""
    item = services.catalogue.items[(await api.letter(number)).item_code]
    clerk = await bearer(api.http, *make_staff(services, departments=(item.department.code,)))
    for target in targets:
        answer = await api.http.post(f"/api/letters/{number}/transitions", json={"to": target}, headers=clerk)
        assert answer.status_code == 201, answer.text


def outbox(services: Services, number: str) -> list[OutboxMessage]:
    with Session(services.engine) as session:
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.letter_id == letter.id)))


def worded(i18n: I18n, lang: Lang, words: Callable[[], str]) -> str:
    with i18n.context(), i18n.use_locale(lang.value):
        return words()


async def test_a_status_change_reaches_its_chat_in_the_letters_language(
    courier: Courier, telegram: Telegram, api: ApiClient, api_services: Services, catalogue: Catalogue, i18n: I18n
) -> None:
    item = catalogue.items["SFJ-001"]
    chinese = await submitted(api, catalogue, item.code, 810000001, Lang.zh)
    uyghur = await submitted(api, catalogue, item.code, 810000002, Lang.ug)
    for number in (chinese, uyghur):
        await moved(api, api_services, number, "accepted")

    assert await courier.deliver_once() == 2
    [zh] = telegram.accepted_in(810000001)
    assert zh.splitlines() == [
        f"您的承诺书 {ltr(chinese)}（{item.name(Lang.zh)}）状态已更新：窗口已受理",
        "事项正在办理。办结后您会收到通知。",
        "行政机关已在承诺书上加盖电子签章。请保存双方签章的承诺书，这是您的一份。",
    ]
    [ug] = telegram.accepted_in(810000002)
    assert ug.startswith(RLM)
    assert ltr(uyghur) in ug and item.name(Lang.ug) in ug
    assert worded(i18n, Lang.ug, lambda: status_name("accepted")) in ug
    [sent] = [m for m in telegram.accepted if m.text == ug]
    assert isinstance(sent.reply_markup, InlineKeyboardMarkup)
    # the countersigned copy first (seed 000: one copy for each party), then the letter
    buttons = [row[0].callback_data for row in sent.reply_markup.inline_keyboard]
    assert buttons == [LetterAction(number=uyghur, action=a).pack() for a in ("pdf", "show")]

    assert all(m.acked_at is not None for n in (chinese, uyghur) for m in outbox(api_services, n))
    assert await courier.deliver_once() == 0


async def test_the_reason_for_a_change_is_given(
    courier: Courier, telegram: Telegram, api: ApiClient, catalogue: Catalogue
) -> None:
    number = await submitted(api, catalogue, "SFJ-001", 810000003)
    # the bot words this reason from a list: it is read back translated
    await api.withdraw(number, ChannelUser.telegram(810000003), recorded_reason(WithdrawalReason.not_needed))
    assert await courier.deliver_once() == 1
    [text] = telegram.accepted_in(810000003)
    assert text.splitlines()[1:] == ["原因：申请人撤回承诺：不再需要办理这一事项", "承诺已撤回，事项不再按承诺办理。"]


async def test_a_supplement_reminder_is_delivered_after_the_changes_before_it(
    courier: Courier, telegram: Telegram, clock: FakeClock, api: ApiClient, api_services: Services, catalogue: Catalogue
) -> None:
    number = await submitted(api, catalogue, "JTJ-002", 810000004)
    await moved(api, api_services, number, "accepted", "awaiting_supplement")
    with Session(api_services.engine) as session:
        due = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one().supplement_due_on
    assert due is not None
    three_left = next(d for d in (due - timedelta(days=n) for n in range(1, 15)) if working_days_until(d, due) == 3)
    with write_session(api_services) as session:
        assert run_deadlines(session, today=three_left).reminders == 1

    assert await courier.deliver_once() == 3
    texts = telegram.accepted_in(810000004)
    assert ["窗口已受理" in texts[0], "等待补交材料" in texts[1]] == [True, True]
    assert texts[2] == f"请在 {ltr(due.isoformat())} 之前补交承诺书 {ltr(number)} 的材料，还剩 3 个工作日。"
    assert clock.sleeps == [1.0, 1.0]  # one message a second to one chat
    times = [at for at, chat in telegram.sent_at if chat == 810000004]
    assert [b - a for a, b in itertools.pairwise(times)] == [1.0, 1.0]


async def test_retry_after_is_waited_out_and_the_message_delivered_and_acked_once(
    courier: Courier, telegram: Telegram, clock: FakeClock, api: ApiClient, transport: Recording, catalogue: Catalogue,
    api_services: Services,
) -> None:  # fmt: skip
    number = await submitted(api, catalogue, "SFJ-001", 810000005)
    await moved(api, api_services, number, "accepted")
    telegram.too_many = [7]  # longer than bot.limits waits out for a handler: the courier's business

    assert await courier.deliver_once() == 1
    assert clock.sleeps == [7]
    assert len(telegram.messages(810000005)) == 2 and len(telegram.accepted_in(810000005)) == 1
    assert [at for at, _ in telegram.sent_at][1] - telegram.sent_at[0][0] == 7
    assert len(transport.acks()) == 1
    [message] = outbox(api_services, number)
    assert message.acked_at is not None and message.attempts == 1


async def test_a_message_refused_with_429_is_not_acked_until_delivered(
    courier: Courier, telegram: Telegram, clock: FakeClock, api: ApiClient, transport: Recording, catalogue: Catalogue,
    api_services: Services, api_later: Callable[[float], None],
) -> None:  # fmt: skip
    number = await submitted(api, catalogue, "SFJ-001", 810000006)
    await moved(api, api_services, number, "accepted")
    telegram.too_many = [120]  # longer than the lease: the courier lets it run out

    assert await courier.deliver_once() == 0
    assert transport.acks() == [] and clock.sleeps == []
    [message] = outbox(api_services, number)
    assert message.acked_at is None and message.attempts == 1

    api_later(61)
    assert await courier.deliver_once() == 1
    assert clock.sleeps == [120]  # the pause first, then the lease
    assert len(telegram.accepted_in(810000006)) == 1 and len(transport.acks()) == 1
    [message] = outbox(api_services, number)
    assert message.acked_at is not None and message.attempts == 2


async def test_a_crash_between_send_and_ack_means_the_message_comes_again_when_its_lease_runs_out(
    bot: Bot, telegram: Telegram, clock: FakeClock, api: ApiClient, transport: Recording, catalogue: Catalogue,
    i18n: I18n, api_services: Services, api_later: Callable[[float], None],
) -> None:  # fmt: skip
    number = await submitted(api, catalogue, "SFJ-001", 810000007)
    await moved(api, api_services, number, "accepted")
    dying = Courier(bot, api, catalogue, i18n, clock=clock, lease_seconds=5)
    worker = asyncio.create_task(dying.deliver_once())
    telegram.crash = worker
    with pytest.raises(asyncio.CancelledError):
        await worker
    assert len(telegram.accepted_in(810000007)) == 1 and transport.acks() == []

    restarted = Courier(bot, api, catalogue, i18n, clock=clock, lease_seconds=5)
    assert await restarted.deliver_once() == 0  # the dead worker's lease still holds
    api_later(6)
    assert await restarted.deliver_once() == 1
    first, second = telegram.accepted_in(810000007)
    assert first == second  # at least once: the applicant may read it twice, never not at all
    [message] = outbox(api_services, number)
    assert message.acked_at is not None and message.attempts == 2


async def test_the_courier_never_sends_more_than_30_a_second_or_1_a_second_to_one_chat(
    courier: Courier, telegram: Telegram, clock: FakeClock, api: ApiClient, catalogue: Catalogue,
    api_services: Services,
) -> None:  # fmt: skip
    number = await submitted(api, catalogue, "SFJ-001", 810000008)
    # 75 notices as transitions would write them (making 55 letters takes long): 3 each for the
    # first 10 chats, side by side in the first lease, then one each for 45 more chats
    chats = [820000000 + n // 3 for n in range(30)] + [820000010 + n for n in range(45)]
    with write_session(api_services) as session:
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        assert letter.id is not None
        for n, chat in enumerate(chats):
            payload = {"number": number, "item_code": "SFJ-001", "from_status": "signed", "to_status": "accepted",
                       "reason": "", "language": "zh"}  # fmt: skip
            session.add(OutboxMessage(
                letter_id=letter.id, channel="telegram", channel_user=str(chat), kind="status_changed",
                dedup_key=f"pacing:{n}", payload=json.dumps(payload), created_at=api_clock.now(),
            ))  # fmt: skip
        session.commit()

    delivered = 0
    while done := await courier.deliver_once():
        delivered += done
    assert delivered == 75 == len(telegram.accepted)
    # the limits only: virtual time runs ahead while acks go to the API in real time, so the speed
    # the limits allow is asserted on the pacer alone, below
    check_pace(telegram.sent_at)


def check_pace(sent_at: list[tuple[float, int]]) -> None:
    times = sorted(at for at, _ in sent_at)
    for at in times:
        assert sum(1 for other in times if at <= other < at + 1.0) <= 30
    by_chat: dict[int, list[float]] = {}
    for at, chat in sent_at:
        by_chat.setdefault(chat, []).append(at)
    for chat_times in by_chat.values():
        assert all(b >= a + 1.0 for a, b in itertools.pairwise(chat_times))


async def test_the_pacer_holds_both_limits_under_any_mix_of_chats(clock: FakeClock) -> None:
    pacer = Pacer(clock)
    shuffle = random.Random(20261125)
    sent: list[tuple[float, int]] = []

    async def chat(chat_id: int, messages: int) -> None:
        for _ in range(messages):
            assert await pacer.acquire(chat_id)
            sent.append((clock.now(), chat_id))
            await asyncio.sleep(0)

    load = {chat_id: shuffle.randint(1, 6) for chat_id in range(80)}
    await asyncio.gather(*(chat(chat_id, messages) for chat_id, messages in load.items()))
    assert len(sent) == sum(load.values())
    check_pace(sent)
    assert clock.now() - 1000.0 <= math.ceil(len(sent) / 30) + 1

    pacer.pause(9)
    assert not await pacer.acquire(1, before=clock.now() + 8)  # not before the pause ends
    assert await pacer.acquire(1, before=clock.now() + 10)
    assert clock.sleeps[-1] == pytest.approx(9)


async def test_a_chats_next_message_waits_a_second_from_when_telegram_answered_the_last(clock: FakeClock) -> None:
    """A message held up on its way (a busy loop, a new connection) reached Telegram late: the next
    to that chat still comes a second after it, as Telegram counts; other chats are not held."""
    pacer = Pacer(clock)
    assert await pacer.acquire(7)
    clock.at += 0.4  # the first message takes this long to be accepted
    pacer.settled(7)
    accepted = clock.now()
    assert await pacer.acquire(8)
    assert clock.now() == accepted, "another chat goes at once"
    assert await pacer.acquire(7)
    assert clock.now() >= accepted + 1.0


@pytest.mark.parametrize("refusal", ["blocked", "gone"])
async def test_a_chat_that_cannot_be_reached_is_acked_and_not_tried_again(
    courier: Courier, telegram: Telegram, api: ApiClient, transport: Recording, catalogue: Catalogue,
    api_services: Services, api_later: Callable[[float], None], refusal: str,
) -> None:  # fmt: skip
    lost, other = 810000010, 810000011
    (telegram.blocked if refusal == "blocked" else telegram.gone).add(lost)
    theirs = await submitted(api, catalogue, "SFJ-001", lost)
    await moved(api, api_services, theirs, "accepted", "completed")
    mine = await submitted(api, catalogue, "SFJ-001", other)
    await moved(api, api_services, mine, "accepted")

    assert await courier.deliver_once() == 1
    assert len(telegram.messages(lost)) == 1  # the second notice is not even tried
    assert len(telegram.accepted_in(other)) == 1
    assert all(m.acked_at is not None for m in outbox(api_services, theirs))
    api_later(61)
    assert await courier.deliver_once() == 0
    assert len(telegram.messages(lost)) == 1


async def test_letters_without_a_chat_and_unknown_kinds_are_acked_without_sending(
    courier: Courier, telegram: Telegram, api: ApiClient, catalogue: Catalogue, api_services: Services
) -> None:
    paper = await submitted(api, catalogue, "SFJ-001", None)
    await moved(api, api_services, paper, "accepted")
    with write_session(api_services) as session:
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == paper)).one()
        assert letter.id is not None
        session.add(OutboxMessage(letter_id=letter.id, channel="telegram", channel_user="810000012", kind="horoscope",
                                  dedup_key="x", payload="{}", created_at=api_clock.now()))  # fmt: skip
        session.commit()

    assert await courier.deliver_once() == 0
    assert telegram.accepted == []
    assert [m.acked_at is not None for m in outbox(api_services, paper)] == [True, True]


async def test_a_network_failure_pauses_and_the_message_is_sent_again(
    courier: Courier, telegram: Telegram, clock: FakeClock, api: ApiClient, transport: Recording, catalogue: Catalogue,
    api_services: Services,
) -> None:  # fmt: skip
    number = await submitted(api, catalogue, "SFJ-001", 810000013)
    await moved(api, api_services, number, "accepted")
    telegram.network_failures = 2

    assert await courier.deliver_once() == 1
    assert clock.sleeps == [1.0, 2.0]  # backing off
    assert len(telegram.messages(810000013)) == 3 and len(telegram.accepted_in(810000013)) == 1
    assert len(transport.acks()) == 1


async def test_deliver_forever_rides_out_the_api_being_down_then_stops_when_told(
    bot: Bot, telegram: Telegram, clock: FakeClock, api: ApiClient, transport: Recording, catalogue: Catalogue,
    i18n: I18n, api_services: Services,
) -> None:  # fmt: skip
    number = await submitted(api, catalogue, "SFJ-001", 810000014)
    await moved(api, api_services, number, "accepted")
    stop = asyncio.Event()
    clock.on_sleep = lambda seconds: stop.set() if seconds == 3.5 else None  # idle: the outbox is empty
    transport.failures = 2

    await asyncio.wait_for(
        deliver_forever(bot, api, catalogue, i18n, stop=stop, clock=clock, idle_seconds=3.5), timeout=20
    )
    assert clock.sleeps == [1.0, 2.0, 3.5]
    assert len(telegram.accepted_in(810000014)) == 1
    assert [m.acked_at is not None for m in outbox(api_services, number)] == [True]


async def test_deliver_forever_stops_at_once_when_idle(
    bot: Bot, api: ApiClient, transport: Recording, catalogue: Catalogue, i18n: I18n
) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(
        deliver_forever(bot, api, catalogue, i18n, stop=stop, clock=MonotonicClock(), idle_seconds=60)
    )
    for _ in range(500):
        if transport.leases():
            break
        await asyncio.sleep(0.01)
    assert transport.leases() == 1
    stop.set()
    await asyncio.wait_for(running, timeout=2)
