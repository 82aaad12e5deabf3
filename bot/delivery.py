"""The courier: takes the API's outbox and tells applicants, in their language, what happened to
their letters and what is due.

At least once, never falsely done: a notification is acknowledged only once Telegram accepted it,
or once it is plain that it can never be delivered (the applicant blocked the bot, no Telegram
chat, a kind this bot does not know). Whatever is left unacknowledged (a 429 longer than the
lease, Telegram or the network down, the process killed between send and ack) is leased again
when its lease runs out. Messages to one chat go in the order the outbox holds them.

Several instances run one courier between them (bot.lease): the one holding the courier's lease
in Redis. Its lease is a promise that it alone sends, so it sends nothing once the lease is no
longer surely its own; and since what it leased from the outbox outlives it (until that lease runs
out), it tells its successor how long to wait, so a chat's later messages never overtake them.
A courier told to stop (a deploy, SIGTERM) while its lease is still its own gives back what it
leased and did not send: its successor then waits a second, not until that lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.utils.i18n import I18n

from bot.client import ApiClient, ApiRefused, ApiUnavailable
from bot.lease import Holding
from bot.limits import waits_out_retry_after
from bot.notices import word
from bot.pacing import Clock, MonotonicClock, Pacer
from forms.catalogue import Catalogue
from forms.channels import Channel
from forms.notifications import Notification

log = logging.getLogger(__name__)

BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)  # seconds, after the 1st, 2nd… failure in a row
# Bad requests that mean the chat is gone for good, not that the message was wrong.
NO_CHAT = ("chat not found", "user not found", "peer_id_invalid", "user is deactivated")


class Outcome(Enum):
    delivered = "delivered"  # Telegram accepted it: ack
    dropped = "dropped"  # can never be delivered: ack, logged
    unreachable = "unreachable"  # the chat is gone: ack this and the chat's others, logged
    later = "later"  # not now: left unacknowledged, leased again when the lease runs out


@dataclass
class Round:
    """What one lease came to."""

    leased: int = 0
    delivered: int = 0
    dropped: int = 0
    left: int = 0
    kept: list[Notification] = field(default_factory=list)  # the `left`: leased, not sent
    unacked: int = 0  # sent, but the ack never landed: still leased, and sent again when it runs out


def backoff(failures: int) -> float:
    return BACKOFF[min(max(failures, 1), len(BACKOFF)) - 1]


class Courier:
    """Leases notifications, sends each within Telegram's limits, acks what Telegram accepted."""

    def __init__(
        self,
        bot: Bot,
        api: ApiClient,
        catalogue: Catalogue,
        i18n: I18n,
        *,
        clock: Clock | None = None,
        pacer: Pacer | None = None,
        batch: int = 30,
        lease_seconds: int = 60,
        idle_seconds: float = 2.0,
        lease: Holding | None = None,
    ) -> None:
        self.bot, self.api, self.catalogue, self.i18n = bot, api, catalogue, i18n
        self.lease = lease  # shared with other instances: send only while it is held
        self.clock = clock or MonotonicClock()
        self.pacer = pacer or Pacer(self.clock)
        self.batch, self.lease_seconds, self.idle_seconds = batch, lease_seconds, idle_seconds
        self._failures = 0  # Telegram failures in a row, for the back-off
        self._stop = asyncio.Event()  # set: finish the message in hand, send no more

    async def deliver_once(self) -> int:
        """One lease, delivered as far as it goes; the number of messages Telegram accepted."""
        return (await self.one_round()).delivered

    async def one_round(self) -> Round:
        """Wait out a pause Telegram imposed, lease a batch, deliver it chat by chat."""
        waits_out_retry_after.set(False)  # this task paces itself: every 429 comes to it
        await self.pacer.resumed()  # a lease taken while paused would only run out unused
        leased_at = self.clock.now()
        if self.lease is not None:  # the API counts the lease from its own later now: a second more
            await self.lease.successor_waits(self.lease_seconds + 1)
        notifications = await self.api.lease(Channel.telegram, self.batch, self.lease_seconds)
        # stop sending early enough that the ack still lands inside the lease
        deadline = leased_at + self.lease_seconds - min(5.0, self.lease_seconds / 5)
        chats: dict[int | None, list[Notification]] = {}
        for notification in notifications:
            chats.setdefault(_chat(notification), []).append(notification)
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self._deliver_chat(chat, queue, deadline)) for chat, queue in chats.items()]
        result = Round(leased=len(notifications))
        for task in tasks:
            done = task.result()
            result.delivered += done.delivered
            result.dropped += done.dropped
            result.left += done.left
            result.kept += done.kept
            result.unacked += done.unacked
        given_back = await self._give_back(result.kept)
        if self.lease is not None and (result.left == 0 or given_back) and result.unacked == 0:
            # nothing of ours is left leased; Telegram counts by the second, so the next holder's
            # first message still comes a second after our last
            await self.lease.successor_waits(1.0)
        if notifications:
            log.info("outbox: %s leased, %s delivered, %s dropped, %s left for later",
                     result.leased, result.delivered, result.dropped, result.left)  # fmt: skip
        return result

    async def deliver_forever(self, stop: asyncio.Event) -> None:
        """Rounds until `stop` is set (or the task is cancelled: nothing undelivered is acked)."""
        self._stop = stop
        failures = 0
        while not stop.is_set():
            try:
                result = await self.one_round()
            except (ApiUnavailable, ApiRefused) as error:
                failures += 1
                log.warning("outbox: the API failed (%s); trying again in %ss", error, backoff(failures))
                await self._rest(stop, backoff(failures))
                continue
            except Exception:
                failures += 1
                log.exception("outbox: a round failed; trying again in %ss", backoff(failures))
                await self._rest(stop, backoff(failures))
                continue
            failures = 0
            if result.leased == 0:
                await self._rest(stop, self.idle_seconds)

    async def _give_back(self, kept: list[Notification]) -> bool:
        return await give_back(self.api, kept, stopping=self._stop.is_set(), lease=self.lease, what="outbox")

    async def _rest(self, stop: asyncio.Event, seconds: float) -> None:
        """Sleep on the courier's clock, or less if `stop` is set meanwhile."""
        sleeping, stopping = asyncio.ensure_future(self.clock.sleep(seconds)), asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeping, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeping.cancel()
            stopping.cancel()

    async def _deliver_chat(self, chat_id: int | None, queue: list[Notification], deadline: float) -> Round:
        """One chat's notifications in order; what cannot go now stays, with everything after it."""
        result = Round()
        for place, notification in enumerate(queue):
            if chat_id is None:  # a letter whose signer Telegram did not name: nobody to tell
                outcome = Outcome.dropped
            else:
                outcome = await self._deliver(chat_id, notification, deadline)
            if outcome is Outcome.later:
                result.left += len(queue) - place
                result.kept += queue[place:]
                break
            if outcome is Outcome.unreachable:
                result.unacked += await self._ack_all(queue[place:])
                result.dropped += len(queue) - place
                break
            result.unacked += not await self._ack(notification)
            if outcome is Outcome.delivered:
                result.delivered += 1
            else:
                result.dropped += 1
        return result

    async def _deliver(self, chat_id: int, notification: Notification, deadline: float) -> Outcome:
        lang = notification.payload.language
        with self.i18n.context(), self.i18n.use_locale(lang.value):  # RightToLeft reads the locale too
            wording = word(notification.payload, self.catalogue, lang)
            while await self.pacer.acquire(chat_id, before=deadline):
                if not self._may_send():
                    break
                try:
                    try:
                        await self.bot.send_message(chat_id, wording.text, reply_markup=wording.buttons)
                    finally:
                        self.pacer.settled(chat_id)
                except TelegramRetryAfter as error:
                    log.warning("outbox: Telegram asks to wait %ss", error.retry_after)
                    self.pacer.pause(error.retry_after)
                except TelegramForbiddenError as error:  # blocked the bot, or deleted their account
                    log.info("outbox: chat %s refuses messages (%s)", chat_id, error.message)
                    return Outcome.unreachable
                except TelegramBadRequest as error:
                    if any(words in error.message.lower() for words in NO_CHAT):
                        log.info("outbox: chat %s is gone (%s)", chat_id, error.message)
                        return Outcome.unreachable
                    log.error("outbox: Telegram refused notification %s: %s", notification.id, error.message)
                    return Outcome.dropped  # the same request would be refused every time
                except (TelegramNetworkError, TelegramServerError) as error:
                    self._pause_after(error, logging.WARNING)
                except TelegramAPIError as error:  # a revoked token, a wrong TELEGRAM_API_URL: ours to fix
                    self._pause_after(error, logging.ERROR)
                else:
                    self._failures = 0
                    return Outcome.delivered
        return Outcome.later

    def _may_send(self) -> bool:
        """Not when told to stop, nor once the lease is not surely ours: another instance may hold it."""
        return not self._stop.is_set() and (self.lease is None or self.lease.held())

    def _pause_after(self, error: TelegramAPIError, level: int) -> None:
        """Telegram failed us: everything waits, longer after each failure in a row; nothing is acked."""
        self._failures += 1
        log.log(level, "outbox: Telegram failed (%s); pausing %ss", error, backoff(self._failures))
        self.pacer.pause(backoff(self._failures))

    async def _ack(self, notification: Notification) -> bool:
        """Done with it. A lease lost meanwhile means it may reach the applicant twice, never not at all.
        False when it is still leased to us, unacknowledged."""
        for attempt in range(1, 4):
            try:
                await self.api.ack(notification)
                return True
            except ApiRefused as refused:
                log.warning("outbox: ack of %s refused (%s): it may be delivered again", notification.id, refused.code)
                return True  # leased again by another courier, or gone: no longer ours
            except ApiUnavailable as error:
                log.warning("outbox: ack of %s failed (%s)", notification.id, error)
                if attempt < 3:
                    await self.clock.sleep(backoff(attempt))
        log.error("outbox: %s unacknowledged: it will be delivered again when its lease runs out", notification.id)
        return False

    async def _ack_all(self, notifications: Iterable[Notification]) -> int:
        """Ack each; how many are still leased to us, unacknowledged."""
        return sum([not await self._ack(notification) for notification in notifications])


async def give_back(api: ApiClient, kept: list[Notification], *, stopping: bool, lease: Holding | None,
                    what: str) -> bool:  # fmt: skip
    """A courier stopping while its lease is still its own: what it leased and did not send goes
    back to the outbox, so the next courier need not wait for that lease to run out. True once
    given back (every channel's courier)."""
    if not kept or not stopping or not (lease is None or lease.held()):
        return False  # a lost lease: another courier may be waiting on it already; let it run out
    try:
        await api.release(kept)
    except (ApiUnavailable, ApiRefused) as error:
        log.warning("%s: %s unsent notification(s) not given back (%s): leased again later", what, len(kept), error)
        return False
    log.info("%s: stopping; %s unsent notification(s) given back", what, len(kept))
    return True


def _chat(notification: Notification) -> int | None:
    """The Telegram chat to tell: the private chat with the user, whose id is the user's."""
    if notification.channel is not Channel.telegram or notification.channel_user is None:
        return None
    return int(notification.channel_user)


async def deliver_once(
    bot: Bot,
    api: ApiClient,
    catalogue: Catalogue,
    i18n: I18n,
    *,
    clock: Clock | None = None,
    batch: int = 30,
    lease_seconds: int = 60,
) -> int:
    """One lease delivered by a new courier (tests and benchmarks); the number Telegram accepted."""
    courier = Courier(bot, api, catalogue, i18n, clock=clock, batch=batch, lease_seconds=lease_seconds)
    return await courier.deliver_once()


async def deliver_forever(
    bot: Bot,
    api: ApiClient,
    catalogue: Catalogue,
    i18n: I18n,
    *,
    stop: asyncio.Event,
    clock: Clock | None = None,
    batch: int = 30,
    lease_seconds: int = 60,
    idle_seconds: float = 2.0,
) -> None:
    """The outbox delivered until `stop` is set: what `chengnuo bot` and `chengnuo serve` run beside the bot."""
    courier = Courier(
        bot, api, catalogue, i18n, clock=clock, batch=batch, lease_seconds=lease_seconds, idle_seconds=idle_seconds
    )
    await courier.deliver_forever(stop)
