"""One message of a follower and everything the conversation says in answer to it.

The conversation runs in the task that handles the follower's message; what it says is gathered
into that message's Turn (a context variable, so two followers' turns never mix) and goes out as
one reply. Whatever it says after the reply has gone (a credit check finishing beside the
conversation) is sent on its own through the customer-service API.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

from aiogram.types import User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.client import ApiRefused, ApiUnavailable
from bot.stand_in import Choice, Said, Sent, StandIn
from bot.wechat.links import LinkingApi
from bot.wechat.reply import Draft, plain
from forms.channels import ChannelUser

log = logging.getLogger(__name__)


@dataclass
class Turn:
    who: ChannelUser
    lang: str = "zh"
    draft: Draft = field(default_factory=Draft)
    closed: bool = False  # the reply has gone: what comes now is sent on its own

    @property
    def openid(self) -> str:
        return self.who.user


current_turn: ContextVar[Turn | None] = ContextVar("wechat_turn", default=None)
Late = Callable[[Turn, Draft], Awaitable[None]]


class WeChatStandIn(StandIn):
    """Telegram's part played for WeChat: what the conversation says joins the follower's turn."""

    def __init__(self, me: User, api: LinkingApi, late: Late, files: Callable[[str], Awaitable[bytes]]) -> None:
        super().__init__(me)
        self.links, self.late, self.files = api, late, files

    async def said(self, said: Said) -> None:
        turn = self._turn()
        if turn is None:
            return
        choices = [await self._choice(turn, choice) for choice in said.choices]
        await self._add(turn, Draft([plain(said.text)], [c for c in choices if c is not None]))

    async def sent(self, sent: Sent) -> None:
        turn = self._turn()
        if turn is None:
            return
        try:
            url = await self.links.document_link(turn.who, sent.name, sent.content)
        except (ApiUnavailable, ApiRefused) as error:
            log.warning("wechat: no link for %s (%s)", sent.name, error)
            url = None
        paragraphs = [plain(sent.caption)] if sent.caption else []
        choices = [Choice(sent.name, url=url)] if url else []
        if url is None:
            paragraphs.append(_("暂时无法生成文件的链接，请稍后再试。"))
        await self._add(turn, Draft(paragraphs, choices))

    async def toast(self, text: str) -> None:
        turn = self._turn()
        if turn is not None:
            await self._add(turn, Draft([plain(text)]))

    async def file(self, file_id: str) -> bytes:
        return await self.files(file_id)

    async def _choice(self, turn: Turn, choice: Choice) -> Choice | None:
        """A button as WeChat offers it: the Mini App becomes the signature page with a one-time token."""
        if choice.url is None or choice.data is not None or "/miniapp/" not in choice.url:
            return choice
        try:
            return Choice(choice.label, url=await self.links.signature_page(turn.who, choice.url))
        except (ApiUnavailable, ApiRefused) as error:  # the typed signature stands alone
            log.warning("wechat: no signature link (%s)", error)
            return None

    def _turn(self) -> Turn | None:
        turn = current_turn.get()
        if turn is None:
            log.error("wechat: the conversation spoke outside a follower's turn")
            return None
        i18n = I18n.get_current(no_error=True)
        if i18n is not None:
            turn.lang = i18n.current_locale
        return turn

    async def _add(self, turn: Turn, draft: Draft) -> None:
        if turn.closed:
            await self.late(turn, draft)
            return
        turn.draft.paragraphs += draft.paragraphs
        known = {c.data or c.url for c in turn.draft.choices}
        turn.draft.choices += [c for c in draft.choices if (c.data or c.url) not in known]
