"""WeChat's courier: the outbox's notifications for WeChat followers, in their language.

A customer-service message while WeChat allows one (within 48 h of the follower's last message,
at most 5 since it); outside that, the Account's template message, when one is configured, with a
link to the letter. A follower who unsubscribed is not written to. At least once, as Telegram's
courier: acknowledged once WeChat took it or once it plainly never can be delivered.

Several instances run one courier between them, as Telegram's do (bot.delivery, bot.lease): WeChat's
limits are each follower's, but a follower's messages must arrive in order, and only one sender
can promise that. Stopped cleanly, it gives back what it leased and did not send, as Telegram's does.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram.utils.i18n import I18n

from bot.client import ApiRefused, ApiUnavailable
from bot.delivery import backoff, give_back
from bot.lease import Holding, rest
from bot.notices import word
from bot.stand_in import choices_of
from bot.wechat.channel import WeChatChannel
from bot.wechat.errors import OutOfWindow, QuotaExceeded, Unsubscribed, WeChatError
from bot.wechat.links import LinkingApi
from bot.wechat.reply import Draft, plain
from bot.wechat.settings import WeChatSettings
from bot.wechat.templates import template_for
from forms import clock
from forms.catalogue import Catalogue
from forms.channels import Channel, ChannelUser
from forms.notifications import Notification

log = logging.getLogger(__name__)


class WeChatCourier:
    def __init__(self, channel: WeChatChannel, api: LinkingApi, catalogue: Catalogue, i18n: I18n,
                 settings: WeChatSettings, *, batch: int = 30, lease_seconds: int = 60,
                 idle_seconds: float = 2.0, lease: Holding | None = None) -> None:  # fmt: skip
        self.channel, self.api, self.catalogue, self.i18n, self.settings = channel, api, catalogue, i18n, settings
        self.batch, self.lease_seconds, self.idle_seconds = batch, lease_seconds, idle_seconds
        self.lease = lease  # shared with other instances: send only while it is held
        self._stop = asyncio.Event()  # set: finish the message in hand, send no more

    async def one_round(self) -> int:
        """One lease delivered, follower by follower, in order; the number acknowledged."""
        if self.lease is not None:  # what we lease outlives us: the next holder waits for it
            await self.lease.successor_waits(self.lease_seconds + 1)
        leased = await self.api.lease(Channel.wechat, self.batch, self.lease_seconds)
        followers: dict[str, list[Notification]] = {}
        for notification in leased:
            followers.setdefault(notification.channel_user or "", []).append(notification)
        rounds = await asyncio.gather(*(self._deliver_all(openid, queue) for openid, queue in followers.items()))
        done, kept = sum(acked for acked, _ in rounds), [n for _, unsent in rounds for n in unsent]
        given_back = await give_back(self.api, kept, stopping=self._stop.is_set(), lease=self.lease,
                                     what="wechat outbox")  # fmt: skip
        if self.lease is not None and (done == len(leased) or given_back):
            await self.lease.successor_waits(0)
        return done

    async def deliver_forever(self, stop: asyncio.Event) -> None:
        """Rounds until `stop` is set."""
        self._stop = stop
        failures = 0
        while not stop.is_set():
            try:
                acked = await self.one_round()
            except (ApiUnavailable, ApiRefused) as error:
                failures += 1
                log.warning("wechat outbox: the API failed (%s)", error)
                await rest(stop, backoff(failures))
                continue
            except Exception:
                failures += 1
                log.exception("wechat outbox: a round failed")
                await rest(stop, backoff(failures))
                continue
            failures = 0
            if acked == 0:
                await rest(stop, self.idle_seconds)

    async def _deliver_all(self, openid: str, queue: list[Notification]) -> tuple[int, list[Notification]]:
        """One follower's notices in order: how many were acknowledged, and the rest, not sent."""
        acked = 0
        for notification in queue:
            if not self._may_send() or not await self._deliver(openid, notification):
                break  # the rest keep their order: leased again later
            await self.api.ack(notification)
            acked += 1
        return acked, queue[acked:]

    def _may_send(self) -> bool:
        """Not when told to stop, nor once the lease is not surely ours: another instance may hold it."""
        return not self._stop.is_set() and (self.lease is None or self.lease.held())

    async def _deliver(self, openid: str, notification: Notification) -> bool:
        """True when done with it (delivered, or never deliverable); False to try again later."""
        if not openid:
            log.info("wechat outbox: notification %s names no follower; dropped", notification.id)
            return True
        follower = await self.channel.followers.get(openid)
        if follower.unsubscribed:
            log.info("wechat outbox: notification %s not sent, the follower unsubscribed", notification.id)
            return True
        lang = notification.payload.language
        with self.i18n.context(), self.i18n.use_locale(lang.value):
            wording = word(notification.payload, self.catalogue, lang)
            draft = Draft([plain(wording.text)], list(choices_of(wording.buttons, rtl=False)))
            async with self.channel.lock(openid):
                text = await self.channel.show(openid, follower, draft, lang.value)
        try:
            await self.channel.client.send_text(openid, text)
            return True
        except (OutOfWindow, QuotaExceeded):
            return await self._template(openid, notification)
        except Unsubscribed:
            log.info("wechat outbox: follower of notification %s has unsubscribed", notification.id)
            return True
        except WeChatError as error:
            log.warning("wechat outbox: WeChat failed (%s %s); notification %s later",
                        error.code, error.message, notification.id)  # fmt: skip
            return False

    async def _template(self, openid: str, notification: Notification) -> bool:
        """Outside the 48 h window (or past its 5 messages): the template message, if there is one."""
        template = template_for(notification.payload, self.settings, self.catalogue, clock.now())
        if template is None:
            log.info("wechat outbox: notification %s cannot go now and no template is set; dropped", notification.id)
            return True
        template_id, data = template
        number, url = notification.payload.number, None
        try:  # a link to the letter, when the notice is about one (not a credit refusal's objection)
            if number is not None:
                url = await self.api.share_letter(number, ChannelUser(channel=Channel.wechat, user=openid))
        except (ApiUnavailable, ApiRefused):
            url = None
        try:
            await self.channel.client.send_template(openid, template_id, data, url)
        except WeChatError as error:
            log.warning("wechat outbox: template for notification %s failed (%s %s)",
                        notification.id, error.code, error.message)  # fmt: skip
            return error.code > 0  # WeChat said no (unsubscribed, a wrong template): it will again
        return True
