"""Who the applicant is, for the API: a user of the channel the update came through.

Updates from Telegram name a Telegram user. Another channel (WeChat) feeds its updates through the
same dispatcher with `dispatcher.feed_update(bot, update, who=ChannelUser(...))`: the identity it
gives is the one that counts, whatever the update's `from_user` says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import TelegramObject, User

from forms.channels import ChannelUser


class ChannelUserMiddleware(BaseMiddleware):
    """Puts `who` in the handlers' data: the Telegram user, unless the feeder already said who."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if "who" not in data:
            user: User | None = data.get("event_from_user")
            if user is not None:
                data["who"] = ChannelUser.telegram(user.id)
        return await handler(event, data)


def setup(dispatcher: Dispatcher) -> None:
    """Outer, on every update: after aiogram's own, which finds `event_from_user`."""
    dispatcher.update.outer_middleware(ChannelUserMiddleware())
